"""A handful of members' invitations: four colleagues who joined Machine Learning through one
(their membership already says "invitation"; the invitation now says when they clicked and
joined), and three still open, two of them sent by the member login to new hires of the past
weeks. Each has the inviter's INVITED row in the ledger and its mail in the outbox, written by
the invitations' own mail function and dated to the invitation.
"""

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from practica.communities.models import MembershipRole, MembershipSource
from practica.core.models import Activity, ActivityKind
from practica.demo.growth import ML
from practica.demo.logins import MEMBER_EMAIL
from practica.demo.memberships import MembershipPlan
from practica.demo.outreach import OutreachPlan
from practica.demo.people import PersonPlan
from practica.mail.models import MessageStatus, OutboundMessage
from practica.outreach.mails.invitations import invitation_mail_key, mail_invitation
from practica.outreach.models import Invitation, OutreachOptOut
from practica.people.models import User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

JOINED_INVITATIONS = 4
NOTES = (
    "The community's Q&A is where I got most of my answers in my first months here. Worth it!",
    "You asked about ranking at lunch: the search and recommendations folks are all in here.",
    "The study group starts a new book next month; come along.",
    "",
    "Join us, the monthly talks are good and the conference is better.",
)


def _member_then(person: PersonPlan, moment: datetime) -> bool:
    membership = person.memberships.get(ML)
    return (
        membership is not None
        and membership.joined_at <= moment
        and (membership.left_at is None or moment < membership.left_at)
        and (person.left_at is None or moment < person.left_at)
    )


def _inviter(
    story: "DemoStory", rng: random.Random, invitee: PersonPlan, at: datetime
) -> PersonPlan | None:
    """A colleague of the invitee's team (else anyone) who was a member at `at`."""
    team = invitee.team.people if invitee.team is not None else []
    near = [p for p in team if p is not invitee and _member_then(p, at) and not p.user.is_system]
    if near:
        return rng.choice(sorted(near, key=lambda p: p.user.email))
    everyone = [m.person for m in story.memberships if m.community == ML]
    for _ in range(200):
        person = rng.choice(everyone)
        if person is not invitee and _member_then(person, at) and not person.user.is_system:
            return person
    return None


def _joined(
    story: "DemoStory", rng: random.Random
) -> list[tuple[PersonPlan, MembershipPlan, datetime]]:
    now = story.now
    memberships = sorted(
        (
            m
            for m in story.memberships
            if m.community == ML
            and m.source == MembershipSource.INVITATION
            and m.role == MembershipRole.MEMBER
            and not m.person.keep
            and m.person.user.email not in story.logins
            and now - timedelta(days=3 * 365) <= m.joined_at <= now - timedelta(days=10)
        ),
        key=lambda m: m.person.user.email,
    )
    found = []
    for membership in rng.sample(memberships, min(len(memberships), JOINED_INVITATIONS * 2)):
        invited = membership.joined_at - timedelta(hours=rng.uniform(1, 120))
        hired = membership.person.user.date_joined
        if hired is not None and invited <= hired:
            continue
        inviter = _inviter(story, rng, membership.person, invited)
        if inviter is not None and len(found) < JOINED_INVITATIONS:
            found.append((inviter, membership, invited))
    return found


def _open_invitees(story: "DemoStory", plan: OutreachPlan) -> list[PersonPlan]:
    opted_out = set(OutreachOptOut.objects.values_list("email", flat=True))
    since = story.today - timedelta(days=40)
    return sorted(
        (
            p
            for p in plan.hires
            if p.left_at is None
            and p.user.hired_on >= since
            and p.user.email.lower() not in opted_out
        ),
        key=lambda p: p.user.email,
    )


def save_invitations(story: "DemoStory", plan: OutreachPlan) -> None:
    rng, now = plan.rng, story.now
    ml = story.communities[ML]
    rows: list[tuple[Invitation, datetime]] = []
    for inviter, membership, invited in _joined(story, rng):
        joined = membership.joined_at
        rows.append(
            (
                Invitation(
                    community=ml,
                    inviter_id=inviter.user.pk,
                    email=membership.person.user.email.lower(),
                    invitee_id=membership.person.user.pk,
                    message=rng.choice(NOTES),
                    created_at=invited,
                    clicked_at=joined - timedelta(seconds=rng.uniform(30, 300)),
                    joined_at=joined,
                ),
                invited,
            )
        )
    member = story.logins.get(MEMBER_EMAIL)
    invitees = _open_invitees(story, plan)
    for number, invitee in enumerate(invitees[:3]):
        sender = member if number < 2 and member is not None else None
        sent = now - timedelta(days=rng.uniform(1, 18))
        sent = max(sent, invitee.user.date_joined + timedelta(hours=rng.uniform(2, 30)))
        sender = sender or _inviter(story, rng, invitee, sent)
        if sender is None or sent >= now:
            continue
        clicked = sent + timedelta(hours=rng.uniform(1, 30)) if number == 0 else None
        rows.append(
            (
                Invitation(
                    community=ml,
                    inviter_id=sender.user.pk,
                    email=invitee.user.email.lower(),
                    invitee_id=invitee.user.pk,
                    message=rng.choice(NOTES),
                    created_at=sent,
                    clicked_at=clicked if clicked is not None and clicked < now else None,
                ),
                sent,
            )
        )
    invitations = Invitation.objects.bulk_create([invitation for invitation, _at in rows])
    kind = ContentType.objects.get_for_model(Invitation)
    Activity.objects.bulk_create(
        Activity(
            kind=ActivityKind.INVITED,
            person_id=invitation.inviter_id,
            community_id=ml.pk,
            occurred_at=invitation.created_at,
            subject_type=kind,
            subject_id=invitation.pk,
            counterpart_id=invitation.invitee_id,
            data={},
        )
        for invitation in invitations
    )
    people = User.objects.in_bulk(
        {i.inviter_id for i in invitations} | {i.invitee_id for i in invitations}
    )
    for invitation in invitations:
        invitation.community = ml
        invitation.inviter = people[invitation.inviter_id]
        invitation.invitee = people.get(invitation.invitee_id)
        mail_invitation(invitation)
        OutboundMessage.objects.filter(idempotency_key=invitation_mail_key(invitation)).update(
            created_at=invitation.created_at,
            next_attempt_at=invitation.created_at,
            status=MessageStatus.SENT,
            attempts=1,
            sent_at=invitation.created_at + timedelta(seconds=3),
        )
    story.counts["invitations"] = len(invitations)
    story.counts["activities"] = story.counts.get("activities", 0) + len(invitations)
