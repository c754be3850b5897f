"""Editions of a community's conference: create one (with its conference event, default
session formats, review form and decision mails — the mails' texts are the decisions
service's `ensure_decision_templates`), edit it, announce it; its program committee. The
edition's tracks, formats, rooms and criteria are `services.edition_parts`.

Each function is one transaction. An edition is the events capability's conference event
plus the call: registration, the waiting list and calendars are the event's (made through
`events.services.events.create_event` with format "conference" and kept in step when the
name, days or zone change). Edits lock the edition row (`select_for_update`).

Who may do what: the community's managers and leaders create editions; an edition's chairs
(`permissions.is_chair`) edit it and its parts and set its committee.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community
from practica.conference.models import (
    DEFAULT_SESSION_MINUTES,
    Edition,
    ReviewCriterion,
    SessionFormat,
    SessionKind,
)
from practica.conference.permissions import is_chair
from practica.conference.services.decisions import ensure_decision_templates
from practica.core.models import Topic
from practica.core.services import record_audit
from practica.events.models import EventMode, EventStatus
from practica.events.permissions import can_manage_event
from practica.events.services import events as event_services

MAX_NAME = 120
MAX_DESCRIPTION = 20000
MAX_TOPICS = 30
MAX_LOAD = 50
MAX_REVIEWERS_PER_PROPOSAL = 10
# The conference event runs from the first day's morning to the last day's evening.
EVENT_DAY_STARTS = time(9, 0)
EVENT_DAY_ENDS = time(18, 0)
DATE_FIELDS = ("cfp_opens_at", "cfp_closes_at", "review_opens_at", "review_closes_at")
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "slug",
        "description",
        "starts_on",
        "ends_on",
        "time_zone",
        "cfp_opens_at",
        "cfp_closes_at",
        "review_opens_at",
        "review_closes_at",
        "decisions_due_at",
        "reviewers_per_proposal",
        "reviewer_min_load",
        "reviewer_max_load",
        "double_blind",
        "topics",
    }
)


class CallRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """A step of the call, the pool or bidding refused for its timing or the state things are
    in (the API answers 409). `.code`: not_open, deadline, state, closed, set_aside."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def require_chair(actor: Any, edition: Edition, message: str | None = None) -> None:
    if not is_chair(actor, edition):
        raise PermissionDenied(message or _("Only the edition's chairs can change it."))


# --- Defaults --------------------------------------------------------------------------------


def default_formats() -> list[tuple[str, str, int, bool]]:
    """(kind, name, minutes, open for proposals) of a new edition; keynotes are invited."""
    return [
        (SessionKind.TALK, _("Talk"), DEFAULT_SESSION_MINUTES[SessionKind.TALK], True),
        (
            SessionKind.LIGHTNING,
            _("Lightning talk"),
            DEFAULT_SESSION_MINUTES[SessionKind.LIGHTNING],
            True,
        ),
        (SessionKind.TUTORIAL, _("Tutorial"), DEFAULT_SESSION_MINUTES[SessionKind.TUTORIAL], True),
        (SessionKind.POSTER, _("Poster"), DEFAULT_SESSION_MINUTES[SessionKind.POSTER], True),
        (SessionKind.PANEL, _("Panel"), DEFAULT_SESSION_MINUTES[SessionKind.PANEL], True),
        (SessionKind.KEYNOTE, _("Keynote"), DEFAULT_SESSION_MINUTES[SessionKind.KEYNOTE], False),
    ]


def default_criteria() -> list[tuple[str, str, int]]:
    """(name, what to judge, weight) of a new edition's review form."""
    return [
        (_("Relevance"), _("Does it matter to the community's practitioners?"), 2),
        (_("Originality"), _("Is it new to most of the audience?"), 1),
        (_("Clarity"), _("Is the proposal clear about what the audience will take away?"), 1),
    ]


def _create_defaults(edition: Edition) -> None:
    SessionFormat.objects.bulk_create(
        SessionFormat(
            edition=edition, kind=kind, name=name, minutes=minutes, open_for_proposals=is_open
        )
        for kind, name, minutes, is_open in default_formats()
    )
    ReviewCriterion.objects.bulk_create(
        ReviewCriterion(
            edition=edition, name=name, description=description, weight=weight, position=index
        )
        for index, (name, description, weight) in enumerate(default_criteria(), start=1)
    )
    ensure_decision_templates(edition)


# --- Validation ------------------------------------------------------------------------------


def _aware(value: Any) -> bool:
    return isinstance(value, datetime) and not timezone.is_naive(value)


def _clean_edition(values: dict[str, Any]) -> dict[str, Any]:
    """Check an edition's fields as they will be saved; raise one error per field."""
    errors: dict[str, str] = {}
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        errors["name"] = _("Give the edition a name, e.g. “Spring 2027”.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Keep the name under %(max)s characters.") % {"max": MAX_NAME}
    values["name"] = name
    slug = slugify(values.get("slug") or name)[:MAX_NAME]
    if not slug and name:
        errors["slug"] = _("The name or slug must contain letters or digits.")
    values["slug"] = slug
    values["description"] = str(values.get("description") or "").strip()
    if len(values["description"]) > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long.")
    try:
        values["time_zone"] = event_services.validate_time_zone(values.get("time_zone") or "")
    except ValidationError as error:
        errors["time_zone"] = error.message_dict["time_zone"][0]
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors["starts_on"] = _("Give the first and last days of the conference.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The last day can't be before the first.")
    moments = [*DATE_FIELDS, "decisions_due_at"]
    missing = [field for field in moments if not _aware(values.get(field))]
    for field in missing:
        errors[field] = _("Give a date and time with its time zone.")
    if not missing:
        order = [
            ("cfp_closes_at", "cfp_opens_at", _("The deadline must come after the call opens.")),
            (
                "review_opens_at",
                "cfp_closes_at",
                _("Reviewing can open only once the proposal deadline has passed."),
            ),
            (
                "review_closes_at",
                "review_opens_at",
                _("The review deadline must come after reviewing opens."),
            ),
            (
                "decisions_due_at",
                "review_closes_at",
                _("Decisions are due after the review deadline."),
            ),
        ]
        for later, earlier, message in order:
            strictly = later in {"cfp_closes_at", "review_closes_at"}
            if values[later] < values[earlier] or (strictly and values[later] == values[earlier]):
                errors.setdefault(later, message)
        if "time_zone" not in errors and isinstance(starts_on, date) and "ends_on" not in errors:
            zone = ZoneInfo(values["time_zone"])
            first_morning = datetime.combine(starts_on, EVENT_DAY_STARTS, tzinfo=zone)
            if values["decisions_due_at"] > first_morning:
                errors.setdefault(
                    "decisions_due_at", _("Decisions are due before the conference starts.")
                )
    _clean_loads(values, errors)
    if len(values.get("topics") or ()) > MAX_TOPICS:
        errors["topics"] = _("Choose at most %(max)s topics.") % {"max": MAX_TOPICS}
    if errors:
        raise ValidationError(errors)
    return values


def _clean_loads(values: dict[str, Any], errors: dict[str, str]) -> None:
    per_proposal = values.get("reviewers_per_proposal")
    low, high = values.get("reviewer_min_load"), values.get("reviewer_max_load")
    if not isinstance(per_proposal, int) or not 1 <= per_proposal <= MAX_REVIEWERS_PER_PROPOSAL:
        errors["reviewers_per_proposal"] = _(
            "Ask for between 1 and %(max)s reviewers per proposal."
        ) % {"max": MAX_REVIEWERS_PER_PROPOSAL}
    if not isinstance(low, int) or not 0 <= low <= MAX_LOAD:
        errors["reviewer_min_load"] = _("Give a whole number from 0 to %(max)s.") % {
            "max": MAX_LOAD
        }
    if not isinstance(high, int) or not 1 <= high <= MAX_LOAD:
        errors["reviewer_max_load"] = _("Give a whole number from 1 to %(max)s.") % {
            "max": MAX_LOAD
        }
    elif isinstance(low, int) and high < low:
        errors["reviewer_max_load"] = _(
            "The most proposals per reviewer can't be below the fewest."
        )


def _event_window(edition_values: dict[str, Any]) -> tuple[datetime, datetime]:
    zone = ZoneInfo(edition_values["time_zone"])
    return (
        datetime.combine(edition_values["starts_on"], EVENT_DAY_STARTS, tzinfo=zone),
        datetime.combine(edition_values["ends_on"], EVENT_DAY_ENDS, tzinfo=zone),
    )


def _event_title(community: Community, name: str) -> str:
    title = _("%(community)s conference: %(edition)s") % {
        "community": community.name,
        "edition": name,
    }
    return title[: event_services.MAX_TITLE]


# --- Editions --------------------------------------------------------------------------------


def create_edition(
    *,
    community: Community,
    actor: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    time_zone: str,
    cfp_opens_at: datetime,
    cfp_closes_at: datetime,
    review_opens_at: datetime,
    review_closes_at: datetime,
    decisions_due_at: datetime,
    slug: str = "",
    description: str = "",
    topics: Iterable[Topic] = (),
    reviewers_per_proposal: int = 3,
    reviewer_min_load: int = 0,
    reviewer_max_load: int = 8,
    double_blind: bool = False,
    mode: str = EventMode.IN_PERSON,
    venue_city: str = "",
    venue_building: str = "",
    capacity: int | None = None,
    online_url: str = "",
    publish: bool = False,
    with_defaults: bool = True,
) -> Edition:
    """Create an edition of `community`'s conference with its conference event.

    The community's managers and leaders only. Dates must follow each other (call, review,
    decisions, then the conference days); `time_zone` is the zone deadlines are announced in.
    The event (format "conference", a draft until the edition is announced) runs from 09:00
    on the first day to 18:00 on the last, in that zone, with `capacity` seats (None: no
    limit) where people take part (`mode`). With `with_defaults` the edition starts with the
    usual session formats, a three-criterion review form and a decision mail per outcome.
    `publish` announces it at once.
    """
    if not can_manage_community(actor, community):
        raise PermissionDenied(_("Only the community's managers and leaders create editions."))
    topic_list = list(dict.fromkeys(topics))
    values = _clean_edition(
        {
            "name": name,
            "slug": slug,
            "description": description,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "time_zone": time_zone,
            "cfp_opens_at": cfp_opens_at,
            "cfp_closes_at": cfp_closes_at,
            "review_opens_at": review_opens_at,
            "review_closes_at": review_closes_at,
            "decisions_due_at": decisions_due_at,
            "reviewers_per_proposal": reviewers_per_proposal,
            "reviewer_min_load": reviewer_min_load,
            "reviewer_max_load": reviewer_max_load,
            "topics": topic_list,
        }
    )
    del values["topics"]
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        raise ValidationError({"capacity": _("Seats are a whole number from 0 up.")})
    event_starts, event_ends = _event_window(values)
    seat_mode = "online" if mode == EventMode.ONLINE else "in_person"
    try:
        with transaction.atomic():
            if Edition.objects.filter(community=community, slug=values["slug"]).exists():
                raise ValidationError(
                    {"slug": _("The community already has an edition with this slug.")}
                )
            event = event_services.create_event(
                community=community,
                actor=actor,
                title=_event_title(community, values["name"]),
                description=values["description"],
                starts_at=event_starts,
                ends_at=event_ends,
                time_zone=values["time_zone"],
                format="conference",
                mode=mode,
                venue_city=venue_city,
                venue_building=venue_building,
                online_url=online_url,
                topics=topic_list,
                capacities={seat_mode: capacity},
                publish=publish,
            )
            edition = Edition.objects.create(
                community=community,
                event=event,
                double_blind=bool(double_blind),
                is_published=bool(publish),
                created_by=actor,
                **values,
            )
            edition.topics.set(topic_list)
            if with_defaults:
                _create_defaults(edition)
            record_audit(
                actor_id=actor.pk,
                action="conference.edition_created",
                target=edition,
                community_id=community.pk,
                data={"event": event.pk, "published": bool(publish)},
            )
    except IntegrityError:
        # Two managers creating the same slug at once: the loser hears what to change.
        raise ValidationError(
            {"slug": _("The community already has an edition with this slug.")}
        ) from None
    return edition


def _sync_event(edition: Edition, actor: Any) -> None:
    """Keep the conference event's title, days and zone in step with the edition.

    The event's organizers may move it; a chair who is not one may rename the edition (the
    event keeps its title) but not move its days, which would move everyone's calendars.
    """
    event = edition.event
    if event is None or event.status == EventStatus.CANCELLED:
        return
    starts_at, ends_at = _event_window(
        {"time_zone": edition.time_zone, "starts_on": edition.starts_on, "ends_on": edition.ends_on}
    )
    schedule = {
        name: value
        for name, value in (
            ("starts_at", starts_at),
            ("ends_at", ends_at),
            ("time_zone", edition.time_zone),
        )
        if getattr(event, name) != value
    }
    title = _event_title(edition.community, edition.name)
    if not can_manage_event(actor, event):
        if schedule:
            raise PermissionDenied(
                _(
                    "Only the community's organizers can move the conference days or zone: "
                    "they move the conference event in everyone's calendar."
                )
            )
        return
    changes = dict(schedule)
    if event.title != title:
        changes["title"] = title
    if changes:
        event_services.update_event(event=event, actor=actor, **changes)


def update_edition(*, edition: Edition, actor: Any, **changes: Any) -> Edition:
    """Change an edition's fields (the names of `create_edition`, minus the event's seats and
    place, which are edited on the event). Chairs only. Locks the edition row.

    Moving the days or the zone moves the conference event too (its registrants get the
    events capability's change mail); shortening the call does not touch proposals already in.
    """
    require_chair(actor, edition)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These can't be changed: %(names)s") % {"names": sorted(unknown)})
    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update(of=("self",))
            .select_related("community")
            .get(pk=edition.pk)
        )
        values = {
            name: getattr(edition, name) for name in EDITABLE_FIELDS if name not in {"topics"}
        }
        values.update({k: v for k, v in changes.items() if k != "topics"})
        topic_list = list(dict.fromkeys(changes.get("topics") or ()))
        values["topics"] = topic_list
        values = _clean_edition(values)
        del values["topics"]
        values["double_blind"] = bool(values.get("double_blind"))
        if (
            values["slug"] != edition.slug
            and Edition.objects.filter(community_id=edition.community_id, slug=values["slug"])
            .exclude(pk=edition.pk)
            .exists()
        ):
            raise ValidationError(
                {"slug": _("The community already has an edition with this slug.")}
            )
        for name, value in values.items():
            setattr(edition, name, value)
        edition.save()
        if "topics" in changes:
            edition.topics.set(topic_list)
        _sync_event(edition, actor)
        record_audit(
            actor_id=actor.pk,
            action="conference.edition_updated",
            target=edition,
            community_id=edition.community_id,
            data={"fields": sorted(changes)},
        )
    return edition


def announce_edition(*, edition: Edition, actor: Any) -> Edition:
    """Make the edition and its call visible to members. Idempotent. Chairs only.

    The conference event is published too when the actor organizes it (registration opens);
    otherwise it stays a draft until one of the community's organizers publishes it.
    """
    require_chair(actor, edition, _("Only the edition's chairs can announce it."))
    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=edition.pk)
        )
        if edition.phase() == "finished":
            raise CallRefused(_("This edition is over; it can't be announced."), "state")
        if not edition.is_published:
            edition.is_published = True
            edition.save(update_fields=["is_published", "updated_at"])
            record_audit(
                actor_id=actor.pk,
                action="conference.edition_announced",
                target=edition,
                community_id=edition.community_id,
            )
        event = edition.event
        if (
            event is not None
            and event.status == EventStatus.DRAFT
            and event.ends_at > timezone.now()
            and can_manage_event(actor, event)
        ):
            event_services.publish_event(event=event, actor=actor)
    return edition


def delete_edition(*, edition: Edition, actor: Any) -> None:
    """Delete an edition nobody has proposed to yet (a mistake, a duplicate); its conference
    event is cancelled (registrants are told, as for any cancelled event), not deleted.

    The community's managers and leaders only. With proposals (drafts included) it is
    refused: the speakers' work and the record of the call stay.
    """
    if not can_manage_community(actor, edition.community):
        raise PermissionDenied(_("Only the community's managers and leaders delete editions."))
    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=edition.pk)
        )
        proposals = edition.proposals.count()
        if proposals:
            raise CallRefused(
                ngettext(
                    "%(count)s proposal was made to this edition: it can't be deleted.",
                    "%(count)s proposals were made to this edition: it can't be deleted.",
                    proposals,
                )
                % {"count": proposals},
                "in_use",
            )
        event = edition.event
        if event is not None and event.status != EventStatus.CANCELLED:
            event_services.cancel_event(
                event=event, actor=actor, reason=_("The conference edition was withdrawn.")
            )
        record_audit(
            actor_id=actor.pk,
            action="conference.edition_deleted",
            target=edition,
            community_id=edition.community_id,
            data={"name": edition.name, "event": edition.event_id},
        )
        edition.delete()


# --- Shared by the parts and the committee ----------------------------------------------------


def audit_part(actor: Any, action: str, part: Any, edition: Edition, **data: Any) -> None:
    """An audit row about one of the edition's parts or committee seats."""
    record_audit(
        actor_id=actor.pk,
        action=f"conference.{action}",
        target=part,
        community_id=edition.community_id,
        data={"edition": edition.pk, **data},
    )


def locked_edition(edition: Edition) -> Edition:
    """The edition re-read with its row locked: changes to its parts and committee queue up."""
    return Edition.objects.select_for_update().get(pk=edition.pk)
