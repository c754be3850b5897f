"""Every write about the contributor ladder: its rungs, members' steps up it, and asking a
member to contribute more. (The opportunities board's writes are in `opportunity_services`.)

Each function is one transaction. Locks: every change to a community's rungs or steps locks
the community row first (`select_for_update`, a no-op on SQLite, whose IMMEDIATE transactions
serialise writers anyway), so positions are computed and steps placed without a race; an ask
locks the member's membership row so a double click sends one mail.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.ladder.contributions import (
    CONTRIBUTION_KINDS,
    contribution_counts,
    meets,
)
from practica.communities.ladder.defaults import DEFAULT_RUNGS
from practica.communities.ladder.permissions import (
    can_ask_to_contribute,
    can_edit_ladder,
    can_set_rung,
)
from practica.communities.models import (
    Community,
    ContributionAsk,
    LadderRung,
    LadderStep,
    LadderStepSource,
    Membership,
    Opportunity,
    OpportunityStatus,
)
from practica.core.outgoing_mail import send_templated_mail
from practica.core.services import record_audit
from practica.people.models import User

MAX_RUNGS = 20
MAX_RUNG_NAME = 80
MAX_RUNG_DESCRIPTION = 500
MAX_REQUIRED_COUNT = 10_000
MAX_STEP_NOTE = 300
MAX_ASK_NOTE = 500
# Asking the same member for the same thing again this soon is a double click, not a plan.
REPEAT_ASK_DAYS = 14
# Positions are moved out of the way first when rungs are reordered, since (community,
# position) is unique and PostgreSQL checks that row by row.
_PARKING_OFFSET = 1000


# --- Rungs ---------------------------------------------------------------------------------


def _require_ladder_editor(actor: User, community: Community) -> None:
    if not can_edit_ladder(actor, community):
        raise PermissionDenied(_("Only the community manager can change the ladder."))


def _lock_community(community: Community) -> None:
    Community.objects.select_for_update().filter(pk=community.pk).first()


def clean_requirements(requirements: Mapping[str, Any] | None) -> dict[str, int]:
    """The requirements as stored: known contribution kinds, each a whole count from 1 to
    MAX_REQUIRED_COUNT. Raises ValidationError on `requirements` otherwise."""
    cleaned: dict[str, int] = {}
    for key, count in (requirements or {}).items():
        if key not in CONTRIBUTION_KINDS:
            raise ValidationError(
                {"requirements": _("“%(key)s” is not a kind of contribution.") % {"key": key}}
            )
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValidationError(
                {"requirements": _("Each requirement is a whole number of contributions.")}
            )
        if not 1 <= count <= MAX_REQUIRED_COUNT:
            raise ValidationError(
                {
                    "requirements": _("A requirement counts from 1 to %(max)s contributions.")
                    % {"max": f"{MAX_REQUIRED_COUNT:,}"}
                }
            )
        cleaned[key] = count
    return {key: cleaned[key] for key in CONTRIBUTION_KINDS if key in cleaned}


def _clean_rung_text(
    community: Community, name: str, description: str, *, rung_id: int | None
) -> tuple[str, str]:
    name = (name or "").strip()
    description = (description or "").strip()
    if not name:
        raise ValidationError({"name": _("A rung needs a name.")})
    if len(name) > MAX_RUNG_NAME:
        raise ValidationError(
            {"name": _("Keep the name to %(n)d characters.") % {"n": MAX_RUNG_NAME}}
        )
    if len(description) > MAX_RUNG_DESCRIPTION:
        raise ValidationError(
            {
                "description": _("Keep the description to %(n)d characters.")
                % {"n": MAX_RUNG_DESCRIPTION}
            }
        )
    clash = LadderRung.objects.filter(community=community, name__iexact=name)
    if rung_id is not None:
        clash = clash.exclude(pk=rung_id)
    if clash.exists():
        raise ValidationError({"name": _("The ladder already has a rung of this name.")})
    return name, description


def create_rung(
    *,
    community: Community,
    name: str,
    actor: User,
    description: str = "",
    requirements: Mapping[str, Any] | None = None,
) -> LadderRung:
    """Add a rung at the top of the community's ladder (the manager only; at most
    MAX_RUNGS). Locks the community row."""
    _require_ladder_editor(actor, community)
    cleaned = clean_requirements(requirements)
    with transaction.atomic():
        _lock_community(community)
        name, description = _clean_rung_text(community, name, description, rung_id=None)
        existing = LadderRung.objects.filter(community=community)
        if existing.count() >= MAX_RUNGS:
            raise ValidationError(
                _("A ladder has at most %(n)d rungs: remove one first.") % {"n": MAX_RUNGS}
            )
        top = existing.aggregate(top=Max("position"))["top"] or 0
        rung = LadderRung.objects.create(
            community=community,
            position=top + 1,
            name=name,
            description=description,
            requirements=cleaned,
        )
        record_audit(
            actor_id=actor.pk,
            action="ladder.rung_created",
            target=rung,
            community_id=community.pk,
            data={"name": name, "requirements": cleaned},
        )
    return rung


def update_rung(
    *,
    rung: LadderRung,
    actor: User,
    name: str | None = None,
    description: str | None = None,
    requirements: Mapping[str, Any] | None = None,
) -> LadderRung:
    """Change a rung's name, description or requirements (None leaves a value as it is).
    New requirements apply from the next placement on; nobody already on the rung moves.
    Locks the community row."""
    community = rung.community
    _require_ladder_editor(actor, community)
    with transaction.atomic():
        _lock_community(community)
        locked = LadderRung.objects.get(pk=rung.pk)
        new_name, new_description = _clean_rung_text(
            community,
            locked.name if name is None else name,
            locked.description if description is None else description,
            rung_id=locked.pk,
        )
        new_requirements = (
            locked.requirements if requirements is None else clean_requirements(requirements)
        )
        before = {
            "name": locked.name,
            "description": locked.description,
            "requirements": locked.requirements,
        }
        locked.name, locked.description = new_name, new_description
        locked.requirements = new_requirements
        locked.save(update_fields=["name", "description", "requirements"])
        record_audit(
            actor_id=actor.pk,
            action="ladder.rung_updated",
            target=locked,
            community_id=community.pk,
            data={"before": before, "requirements": new_requirements, "name": new_name},
        )
    return locked


def _renumber(rungs: list[LadderRung]) -> None:
    """Give `rungs` positions 1..n in this order, parking them first so that no two rows
    ever share a position."""
    for index, rung in enumerate(rungs):
        rung.position = _PARKING_OFFSET + index + 1
    LadderRung.objects.bulk_update(rungs, ["position"])
    for index, rung in enumerate(rungs):
        rung.position = index + 1
    LadderRung.objects.bulk_update(rungs, ["position"])


def reorder_rungs(*, community: Community, rung_ids: list[int], actor: User) -> list[LadderRung]:
    """Put the ladder in the order of `rung_ids`, bottom first; it must name every rung of
    the community once. Locks the community row."""
    _require_ladder_editor(actor, community)
    with transaction.atomic():
        _lock_community(community)
        rungs = {rung.pk: rung for rung in LadderRung.objects.filter(community=community)}
        if len(rung_ids) != len(set(rung_ids)) or set(rung_ids) != set(rungs):
            raise ValidationError(
                {"rung_ids": _("List every rung of this ladder once, bottom rung first.")}
            )
        ordered = [rungs[pk] for pk in rung_ids]
        _renumber(ordered)
        record_audit(
            actor_id=actor.pk,
            action="ladder.rungs_reordered",
            community_id=community.pk,
            data={"order": list(rung_ids)},
        )
    return ordered


def move_rung(*, rung: LadderRung, offset: int, actor: User) -> list[LadderRung]:
    """Move a rung `offset` places up (positive) or down (negative) the ladder, stopping at
    either end. Locks the community row (through `reorder_rungs`)."""
    ids = list(
        LadderRung.objects.filter(community_id=rung.community_id)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    if rung.pk not in ids:
        raise ValidationError(_("This rung is no longer on the ladder."))
    index = ids.index(rung.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return reorder_rungs(community=rung.community, rung_ids=ids, actor=actor)


def delete_rung(*, rung: LadderRung, actor: User) -> None:
    """Remove a rung nobody has ever stood on (a rung with steps is history and stays);
    the rungs above it move down one place. Locks the community row."""
    community = rung.community
    _require_ladder_editor(actor, community)
    with transaction.atomic():
        _lock_community(community)
        if LadderStep.objects.filter(rung_id=rung.pk).exists():
            raise ValidationError(
                _(
                    "Members have stood on “%(name)s”, so it stays in their history: rename "
                    "it or change what earns it instead."
                )
                % {"name": rung.name}
            )
        name = rung.name
        deleted, _details = LadderRung.objects.filter(pk=rung.pk).delete()
        if not deleted:
            return
        _renumber(list(LadderRung.objects.filter(community=community).order_by("position")))
        record_audit(
            actor_id=actor.pk,
            action="ladder.rung_deleted",
            community_id=community.pk,
            data={"name": name},
        )


def create_default_ladder(*, community: Community, actor: User) -> list[LadderRung]:
    """Give a community with no rungs the default ladder (participant → presenter →
    reviewer → program committee → organizer), named in the actor's language. Locks the
    community row."""
    _require_ladder_editor(actor, community)
    with transaction.atomic():
        _lock_community(community)
        if LadderRung.objects.filter(community=community).exists():
            raise ValidationError(_("This community already has a ladder: edit its rungs instead."))
        rungs = LadderRung.objects.bulk_create(
            [
                LadderRung(
                    community=community,
                    position=index + 1,
                    name=str(default.name),
                    description=str(default.description),
                    requirements=dict(default.requirements),
                )
                for index, default in enumerate(DEFAULT_RUNGS)
            ]
        )
        record_audit(
            actor_id=actor.pk,
            action="ladder.default_created",
            community_id=community.pk,
            data={"rungs": [rung.name for rung in rungs]},
        )
    return list(LadderRung.objects.filter(community=community).order_by("position"))


# --- Steps ---------------------------------------------------------------------------------


def _place_in_community(community: Community, rungs: list[LadderRung], now: datetime) -> int:
    """One community's placement (see `place_members_on_ladders`); the caller holds the
    transaction and the community lock."""
    earnable = sorted((rung for rung in rungs if rung.requirements), key=lambda r: -r.position)
    if not earnable:
        return 0
    counts = contribution_counts(community_id=community.pk, until=now)
    if not counts:
        return 0
    members = set(
        Membership.objects.current()
        .filter(community=community, person__is_active=True)
        .values_list("person_id", flat=True)
    )
    position_of = {rung.pk: rung.position for rung in rungs}
    # The highest rung each person has ever stood on: placement only ever goes above it.
    highest: dict[int, int] = {}
    for person_id, rung_id in LadderStep.objects.filter(community=community).values_list(
        "person_id", "rung_id"
    ):
        position = position_of.get(rung_id, 0)
        highest[person_id] = max(highest.get(person_id, 0), position)
    steps = []
    for person_id, person_counts in counts.items():
        if person_id not in members:
            continue
        earned = next((rung for rung in earnable if meets(rung.requirements, person_counts)), None)
        if earned is None or earned.position <= highest.get(person_id, 0):
            continue
        steps.append(
            LadderStep(
                community=community,
                person_id=person_id,
                rung=earned,
                reached_at=now,
                source=LadderStepSource.EARNED,
            )
        )
    LadderStep.objects.bulk_create(steps, batch_size=1000)
    return len(steps)


def place_members_on_ladders(*, now: datetime | None = None) -> int:
    """Place every current member of every community with a ladder on the highest rung their
    contributions earn, and return how many were placed.

    Only upward: a person gets one `LadderStep` (source earned) when the earned rung stands
    above every rung they have ever stood on, so a manager's decision to set someone lower
    is not undone, and running it again changes nothing. Rungs without requirements are
    reached only by a manager's say-so. One transaction per community (which it locks), a
    few queries each, whatever the number of members.
    """
    now = now or timezone.now()
    by_community: dict[int, list[LadderRung]] = {}
    for rung in LadderRung.objects.order_by("community_id", "position"):
        by_community.setdefault(rung.community_id, []).append(rung)
    placed = 0
    for community in Community.objects.filter(pk__in=list(by_community)).order_by("pk"):
        with transaction.atomic():
            _lock_community(community)
            placed += _place_in_community(community, by_community[community.pk], now)
    return placed


def _not_a_member(person: User, community: Community) -> ValidationError:
    return ValidationError(
        {
            "person": _("%(person)s is not a member of %(community)s.")
            % {"person": person.display_name, "community": community.name}
        }
    )


def _current_membership(community: Community, person: User) -> Membership | None:
    return Membership.objects.current().filter(community=community, person=person).first()


def set_member_rung(
    *, community: Community, person: User, rung: LadderRung, note: str, actor: User
) -> LadderStep:
    """The manager puts a current member on a rung, up or down, saying why in `note`
    (required; it is kept in the member's history and the audit log). Locks the community
    row."""
    if not can_set_rung(actor, community):
        raise PermissionDenied(_("Only the community manager can set a member's rung."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why, in a few words: it stays in their history.")})
    if len(note) > MAX_STEP_NOTE:
        raise ValidationError(
            {"note": _("Keep the note to %(n)d characters.") % {"n": MAX_STEP_NOTE}}
        )
    if rung.community_id != community.pk:
        raise ValidationError({"rung": _("This rung belongs to another community's ladder.")})
    with transaction.atomic():
        _lock_community(community)
        if _current_membership(community, person) is None:
            raise _not_a_member(person, community)
        current = (
            LadderStep.objects.filter(community=community, person=person)
            .order_by("-reached_at", "-pk")
            .first()
        )
        if current is not None and current.rung_id == rung.pk:
            raise ValidationError(
                {
                    "rung": _("%(person)s is already on “%(rung)s”.")
                    % {"person": person.display_name, "rung": rung.name}
                }
            )
        step = LadderStep.objects.create(
            community=community,
            person=person,
            rung=rung,
            source=LadderStepSource.MANAGER,
            recorded_by=actor,
            note=note,
        )
        record_audit(
            actor_id=actor.pk,
            action="ladder.rung_set",
            target=step,
            community_id=community.pk,
            data={
                "person": person.pk,
                "rung": rung.pk,
                "from": current.rung_id if current else None,
                "note": note,
            },
        )
    return step


# --- Asking members to contribute -----------------------------------------------------------


def ask_to_contribute(
    *,
    community: Community,
    person: User,
    actor: User,
    opportunity: Opportunity | None = None,
    note: str = "",
) -> ContributionAsk:
    """The leadership asks a current member to contribute more, optionally to an open call
    of the community's board; the member is mailed (through the outbox, once per ask) and
    the promotion suggestions leave them out for a while. Asking the same person for the
    same thing again within REPEAT_ASK_DAYS is refused. Locks the membership row."""
    if not can_ask_to_contribute(actor, community):
        raise PermissionDenied(_("Only the community's leadership can ask members to contribute."))
    note = (note or "").strip()
    if len(note) > MAX_ASK_NOTE:
        raise ValidationError(
            {"note": _("Keep the note to %(n)d characters.") % {"n": MAX_ASK_NOTE}}
        )
    if opportunity is not None:
        if opportunity.community_id != community.pk:
            raise ValidationError({"opportunity": _("This call is on another community's board.")})
        if opportunity.status != OpportunityStatus.OPEN:
            raise ValidationError({"opportunity": _("This call is closed.")})
    if person.pk == actor.pk:
        raise ValidationError({"person": _("You cannot ask yourself.")})
    if not person.is_active:
        raise ValidationError({"person": _("This account is deactivated.")})
    now = timezone.now()
    with transaction.atomic():
        membership = (
            Membership.objects.current()
            .select_for_update()
            .filter(community=community, person=person)
            .first()
        )
        if membership is None:
            raise _not_a_member(person, community)
        if ContributionAsk.objects.filter(
            community=community,
            person=person,
            opportunity=opportunity,
            asked_at__gt=now - timedelta(days=REPEAT_ASK_DAYS),
        ).exists():
            raise ValidationError(
                _("%(person)s was already asked for this in the last %(days)d days.")
                % {"person": person.display_name, "days": REPEAT_ASK_DAYS}
            )
        ask = ContributionAsk.objects.create(
            community=community,
            person=person,
            asked_by=actor,
            asked_at=now,
            opportunity=opportunity,
            note=note,
        )
        record_audit(
            actor_id=actor.pk,
            action="ladder.asked_to_contribute",
            target=ask,
            community_id=community.pk,
            data={"person": person.pk, "opportunity": opportunity.pk if opportunity else None},
        )
        send_templated_mail(
            to=person.email,
            template_prefix="communities/ladder/mail/asked",
            context={
                "community": community,
                "person": person,
                "asked_by": actor,
                "opportunity": opportunity,
                "note": note,
            },
            idempotency_key=f"contribution-ask-{ask.pk}",
            language=person.preferred_language or None,
        )
    return ask
