"""Factories for outreach: segments, campaigns and their recipients.

Helpers of other areas append their factories below, each under its own name.
"""

import datetime

import factory

from practica.outreach.models import Campaign, CampaignSchedule, Segment
from tests.factories.communities import CommunityFactory

DATA_SCIENCE_TITLES = "data scientist|applied scientist|machine learning engineer"


class SegmentFactory(factory.django.DjangoModelFactory):
    """Last calendar month's data-science hires who are not members yet."""

    class Meta:
        model = Segment

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"New data-science hires {n}")
    rules = factory.LazyFunction(
        lambda: [
            {"field": "hired_on", "op": "in_previous_month"},
            {"field": "job_title", "op": "matches", "value": DATA_SCIENCE_TITLES},
            {"field": "membership", "op": "not_member"},
        ]
    )


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    community = factory.SubFactory(CommunityFactory)
    segment = factory.SubFactory(SegmentFactory, community=factory.SelfAttribute("..community"))
    name = factory.Sequence(lambda n: f"Monthly welcome {n}")
    subject = "Welcome to {{ community }}, {{ first_name }}"
    body = "Hello {{ first_name }},\n\nJoin us: {{ join_link }}"
    schedule = CampaignSchedule.MONTHLY
    weekday = 0
    week_of_month = 1
    local_hour = 9


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- Invitations and the funnel (helper F) ----------------------------------------------------


class InvitationFactory(factory.django.DjangoModelFactory):
    """A member's pending invitation of a colleague by address."""

    class Meta:
        model = "outreach.Invitation"

    community = factory.SubFactory(CommunityFactory)
    inviter = factory.SubFactory("tests.factories.people.UserFactory")
    email = factory.Sequence(lambda n: f"colleague{n}@example.com")
    invitee = None
    message = ""


class OptedOutAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "outreach.OutreachOptOut"

    email = factory.Sequence(lambda n: f"opted-out{n}@example.com")


class FunnelRunFactory(factory.django.DjangoModelFactory):
    """One month of a campaign, with the audience its segment matched."""

    class Meta:
        model = "outreach.CampaignRun"

    campaign = factory.SubFactory(CampaignFactory)
    period = datetime.date(2026, 1, 1)
    audience_size = 0
    mailed_count = 0


class FunnelRecipientFactory(factory.django.DjangoModelFactory):
    """A person mailed by a campaign in a month; mailed on the 5th at 09:00 UTC by default."""

    class Meta:
        model = "outreach.CampaignRecipient"

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory("tests.factories.people.UserFactory")
    email = factory.LazyAttribute(lambda recipient: recipient.person.email)
    period = datetime.date(2026, 1, 1)
    mailed_at = factory.LazyAttribute(
        lambda recipient: datetime.datetime.combine(
            recipient.period.replace(day=5), datetime.time(9), tzinfo=datetime.UTC
        )
    )
    idempotency_key = factory.Sequence(lambda n: f"funnel-test-recipient-{n}")


class FunnelOutboundMessageFactory(factory.django.DjangoModelFactory):
    """The outbox row of a mail; sent by default."""

    class Meta:
        model = "mail.OutboundMessage"

    idempotency_key = factory.Sequence(lambda n: f"funnel-test-message-{n}")
    from_email = "community@example.com"
    to_email = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject = "Welcome"
    body_text = "Welcome to the community."
    status = "sent"


class FunnelInboundMessageFactory(factory.django.DjangoModelFactory):
    """A delivery status notification as received, which a bounce row points at."""

    class Meta:
        model = "mail.InboundMessage"

    raw = b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\n\r\nGone.\r\n"
    size = 64
    via = "smtp"
    status = "bounce"


class FunnelBounceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mail.Bounce"

    address = factory.Sequence(lambda n: f"bounced{n}@example.com")
    kind = "hard"
    status_code = "5.1.1"
    inbound = factory.SubFactory(FunnelInboundMessageFactory)


class FunnelActivityFactory(factory.django.DjangoModelFactory):
    """One row of the activity ledger (an answered question by default)."""

    class Meta:
        model = "core.Activity"

    kind = "answered"
    person = factory.SubFactory("tests.factories.people.UserFactory")
    community = None


# --- Segments, campaigns and join links (helper E) --------------------------------------------


class NewHireFactory(factory.django.DjangoModelFactory):
    """A data scientist hired on 15 April 2026 (so May 2026's welcome run matches them)."""

    class Meta:
        model = "people.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"new-hire{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Nora Newhire{n}")
    job_title = "Data Scientist"
    role = "data_scientist"
    country = "DE"
    time_zone = "Europe/Berlin"
    hired_on = datetime.date(2026, 4, 15)
    password = factory.django.Password("correct-horse-battery-staple")


class CampaignRecipientFactory(factory.django.DjangoModelFactory):
    """A person a campaign mailed, with the sender's idempotency key."""

    class Meta:
        model = "outreach.CampaignRecipient"

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(NewHireFactory)
    email = factory.LazyAttribute(lambda recipient: recipient.person.email)
    period = datetime.date(2026, 5, 1)
    idempotency_key = factory.LazyAttribute(
        lambda recipient: f"campaign-{recipient.campaign.pk}-to-{recipient.person.pk}"
    )
