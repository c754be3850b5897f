"""The mailing lists: who reads by mail, the list era's imported archive, and the manager's queue.

- Every community is a list with a daily digest by default; members chose otherwise in
  proportions like those of a list that became a community: the old guard (joined before
  2015) reads every message far more often than newcomers, some want a weekly digest, some
  no mail at all.
- The ML community's threads from before the platform (2012–2014) came from the old list's
  archive: their posts are marked as imported, with the Message-IDs they had on the list.
- Recent posts by members who live in their inbox were written by email.
- The manager's moderation queue holds a few messages from people outside the community,
  one member's mailbox bounces (suspended after three hard bounces), another bounced once.
"""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from practica.core.bulk import insert_rows
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL, MEMBER_EMAIL
from practica.discussions.models import Post, PostOrigin, Thread
from practica.mail.addresses import list_address
from practica.mail.models import (
    Bounce,
    BounceKind,
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    InboundVia,
    ListSettings,
    ListSubscription,
    MailboxHealth,
)

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

PLATFORM_LAUNCH = datetime(2015, 1, 1, tzinfo=UTC)
ARCHIVE_DOMAIN = "list.corp.example.com"
# (mode, weight) for the old guard and for everyone who joined after the list era.
OLD_GUARD_MODES = ((DeliveryMode.EVERY, 45), (DeliveryMode.DAILY, 30), (DeliveryMode.WEEKLY, 15))
NEWCOMER_MODES = ((DeliveryMode.EVERY, 6), (DeliveryMode.WEEKLY, 22), (DeliveryMode.NONE, 12))
BY_EMAIL_SHARE = 0.15
HELD_MESSAGES = (
    ("Partner webinar on MLOps tooling", "events@vendor.example.net", "Dana Vendor"),
    ("Question about the internship ML track", "student@university.example.edu", "Lee Student"),
    ("Re: GPU quota policy", "contractor@agency.example.org", "Sam Contractor"),
)


def _choose_mode(story: "DemoStory", joined_at: datetime) -> str | None:
    """The member's chosen delivery, or None if they kept the list's default."""
    pairs = OLD_GUARD_MODES if joined_at < PLATFORM_LAUNCH else NEWCOMER_MODES
    roll = story.rng.random() * 100
    for mode, weight in pairs:
        if roll < weight:
            return mode
        roll -= weight
    return None


def _raw_message(
    *, subject: str, sender: str, name: str, to: str, at: datetime, text: str = ""
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    message.set_content(
        text
        or "Hello,\n\nI'm not on this list but hoped to reach the community about this.\n\n"
        f"Best regards,\n{name}\n"
    )
    return bytes(message)


def save_mailing_lists(story: "DemoStory") -> None:
    ListSettings.objects.bulk_create(
        [ListSettings(community=community) for community in story.communities.values()]
    )
    rows = []
    for person in story.people:
        for slug, membership in person.memberships.items():
            if membership.left_at is not None or slug not in story.communities:
                continue
            mode = _choose_mode(story, membership.joined_at)
            if person.user.email == MEMBER_EMAIL and slug == ML:
                mode = DeliveryMode.EVERY  # the demo member reads the list by mail
            if mode is not None:
                rows.append(
                    (person.user.pk, story.communities[slug].pk, mode, membership.joined_at)
                )
    story.counts["list choices"] = insert_rows(
        ListSubscription, ("person_id", "community_id", "mode", "updated_at"), rows
    )
    _mark_archive_and_email_posts(story)
    _fill_the_managers_queue(story)


def _mark_archive_and_email_posts(story: "DemoStory") -> None:
    ml = story.communities[ML]
    era = Thread.objects.filter(community=ml, created_at__lt=PLATFORM_LAUNCH)
    story.counts["posts from the list archive"] = Post.objects.filter(thread__in=era).update(
        origin=PostOrigin.ARCHIVE,
        email_message_id=Concat(
            Value("<list-"), Cast("pk", CharField()), Value(f"@{ARCHIVE_DOMAIN}>")
        ),
    )
    recent = Post.objects.filter(created_at__gte=story.now - timedelta(days=365)).values_list(
        "pk", flat=True
    )
    by_email = [pk for pk in recent if story.rng.random() < BY_EMAIL_SHARE]
    for start in range(0, len(by_email), 900):
        chunk = by_email[start : start + 900]
        Post.objects.filter(pk__in=chunk).update(origin=PostOrigin.EMAIL)
    story.counts["posts written by email"] = len(by_email)


def _fill_the_managers_queue(story: "DemoStory") -> None:
    ml = story.communities[ML]
    address = list_address(ml.slug)
    for hours, (subject, sender, name) in enumerate(HELD_MESSAGES, start=1):
        at = story.now - timedelta(hours=6 * hours)
        raw = _raw_message(subject=subject, sender=sender, name=name, to=address, at=at)
        InboundMessage.objects.create(
            raw=raw,
            size=len(raw),
            via=InboundVia.LMTP,
            envelope_from=sender,
            recipients=[address],
            from_address=sender,
            subject=subject,
            received_at=at,
            status=InboundStatus.HELD,
            reason="The sender is not a member of the community.",
            community=ml,
        )
    readers = [
        person.user
        for person in story.people
        if ML in person.memberships
        and person.memberships[ML].left_at is None
        and person.user.email not in (MANAGER_EMAIL, MEMBER_EMAIL)
        and person.left_at is None
    ][:2]
    thread = Thread.objects.filter(community=ml).order_by("-created_at").first()
    for person, bounces in zip(readers, (3, 1), strict=False):
        for number in range(bounces):
            at = story.now - timedelta(days=bounces - number)
            raw = _raw_message(
                subject="Undelivered Mail Returned to Sender",
                sender="mailer-daemon@mx.corp.example.com",
                name="Mail Delivery System",
                to=f"bounce@{address.split('@')[1]}",
                at=at,
                text=(
                    "This is the mail system at host mx.corp.example.com.\n\n"
                    "I'm sorry to have to inform you that your message could not be delivered.\n\n"
                    f"<{person.email}>: host mailstore said: 550 5.1.1 User unknown\n"
                ),
            )
            inbound = InboundMessage.objects.create(
                raw=raw,
                size=len(raw),
                via=InboundVia.LMTP,
                envelope_from="",
                recipients=[f"bounce@{address.split('@')[1]}"],
                from_address="mailer-daemon@mx.corp.example.com",
                subject="Undelivered Mail Returned to Sender",
                received_at=at,
                status=InboundStatus.BOUNCE,
                person=person,
                community=ml,
                result_ref=f"thread:{thread.pk}" if thread else "",
            )
            Bounce.objects.create(
                person=person,
                address=person.email,
                kind=BounceKind.HARD,
                status_code="5.1.1",
                diagnostic=f"550 5.1.1 <{person.email}>: Recipient address rejected: User unknown",
                inbound=inbound,
                received_at=at,
            )
        MailboxHealth.objects.create(
            person=person,
            hard_bounces=bounces,
            last_bounce_at=story.now - timedelta(days=1),
            suspended_at=story.now - timedelta(days=1) if bounces >= 3 else None,
        )
