"""Helpers shared by the call's tests (test_editions_*, test_proposals_*, test_pool_*): an
edition's creation arguments, the community's roles, a proposal made through the services,
and the outbox's mails."""

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.conference.models import SessionFormat, Track
from practica.conference.services.proposals import create_proposal
from practica.mail.models import OutboundMessage
from tests.api.clients import API, token_client
from tests.factories.communities import MembershipFactory
from tests.factories.core import TopicFactory


def edition_values(**overrides):
    """Arguments of `create_edition` for an edition whose call opens tomorrow."""
    now = timezone.now().replace(microsecond=0)
    starts = date.today() + timedelta(days=120)
    values = {
        "name": "Autumn 2031",
        "starts_on": starts,
        "ends_on": starts + timedelta(days=1),
        "time_zone": "Europe/Berlin",
        "cfp_opens_at": now + timedelta(days=1),
        "cfp_closes_at": now + timedelta(days=30),
        "review_opens_at": now + timedelta(days=31),
        "review_closes_at": now + timedelta(days=60),
        "decisions_due_at": now + timedelta(days=70),
        "venue_city": "Zurich",
        "capacity": 1000,
    }
    values.update(overrides)
    return values


def member_of(community, role=MembershipRole.MEMBER):
    return MembershipFactory(community=community, role=role).person


def talk(edition):
    return SessionFormat.objects.get(edition=edition, name="Talk")


def keynote(edition):
    return SessionFormat.objects.get(edition=edition, name="Keynote")


def research(edition):
    return Track.objects.get(edition=edition, name="Research")


def draft(edition, actor, **overrides):
    """A draft through the service: complete enough to submit."""
    values = dict(overrides)
    values.setdefault("title", "Evaluating retrieval-augmented generation")
    values.setdefault("abstract", "How we measured answer quality on our internal search.")
    if "format" not in values:
        values["format"] = talk(edition)
    if "track" not in values:
        values["track"] = research(edition)
    if "topics" not in values:
        values["topics"] = [TopicFactory()]
    return create_proposal(edition=edition, actor=actor, **values)


def mails(**filters):
    return list(OutboundMessage.objects.filter(**filters).order_by("pk"))


def call(client: Client, method: str, path: str, data=None):
    """`client.<method>(API + path)` with a JSON body for writes."""
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


def api_client(user) -> Client:
    return token_client(user)
