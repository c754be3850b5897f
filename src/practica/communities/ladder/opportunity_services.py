"""Every write about the opportunities board: open calls, members volunteering, and the
answer of the people who run the community.

Each function is one transaction. Locks: volunteering and deciding lock the opportunity row
(`select_for_update`), so its status and the count of accepted volunteers are read and
changed together: two managers accepting the last place at once cannot both succeed. The
partial unique constraint `one_live_offer_per_opportunity` stops a double offer.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.ladder.permissions import can_run_opportunities
from practica.communities.models import (
    Community,
    Membership,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import ActivityKind
from practica.core.outgoing_mail import send_templated_mail
from practica.core.services import record_activity, record_audit
from practica.people.models import User

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_SEATS = 1000
MAX_MESSAGE = 1000
MAX_DECISION_NOTE = 500
# A call open for longer than this is a standing invitation, not a call.
MAX_DAYS_AHEAD = 730

LIVE_STATUSES = (VolunteerStatus.OFFERED, VolunteerStatus.ACCEPTED)


def is_expired(opportunity: Opportunity, today: date | None = None) -> bool:
    """Whether the call's closing day is over (it then takes no offers, though still open)."""
    today = today or timezone.localdate()
    return opportunity.closes_on is not None and opportunity.closes_on < today


def accepted_count(opportunity: Opportunity) -> int:
    return Volunteer.objects.filter(
        opportunity=opportunity, status=VolunteerStatus.ACCEPTED
    ).count()


def _require_runner(actor: User, community: Community) -> None:
    if not can_run_opportunities(actor, community):
        raise PermissionDenied(
            _("Only the community's managers, leaders and organizers run the board.")
        )


def _clean_call(
    *,
    kind: str,
    title: str,
    description: str,
    seats: int | None,
    closes_on: date | None,
    check_date: bool,
) -> tuple[str, str]:
    """The call's title and description, stripped; raises ValidationError per field."""
    if kind not in OpportunityKind.values:
        raise ValidationError({"kind": _("Choose what kind of call this is.")})
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise ValidationError({"title": _("A call needs a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError(
            {"title": _("Keep the title to %(n)d characters.") % {"n": MAX_TITLE}}
        )
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": _("Keep the description to %(n)d characters.") % {"n": MAX_DESCRIPTION}}
        )
    if seats is not None and (isinstance(seats, bool) or not 1 <= seats <= MAX_SEATS):
        raise ValidationError(
            {
                "seats": _("Ask for 1 to %(max)d people, or leave it empty for no limit.")
                % {"max": MAX_SEATS}
            }
        )
    if check_date and closes_on is not None:
        today = timezone.localdate()
        if closes_on < today:
            raise ValidationError({"closes_on": _("The closing day cannot be in the past.")})
        if closes_on > today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError(
                {"closes_on": _("Close the call within two years; open a new one later.")}
            )
    return title, description


def open_opportunity(
    *,
    community: Community,
    kind: str,
    title: str,
    actor: User,
    description: str = "",
    seats: int | None = None,
    closes_on: date | None = None,
) -> Opportunity:
    """Open a call on the community's board (managers, leaders, organizers): reviewers,
    speakers, organizers or hosts wanted. `seats` None means no limit; `closes_on` None
    means open until closed."""
    _require_runner(actor, community)
    title, description = _clean_call(
        kind=kind,
        title=title,
        description=description,
        seats=seats,
        closes_on=closes_on,
        check_date=True,
    )
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            community=community,
            kind=kind,
            title=title,
            description=description,
            seats=seats,
            closes_on=closes_on,
            created_by=actor,
        )
        record_audit(
            actor_id=actor.pk,
            action="opportunity.opened",
            target=opportunity,
            community_id=community.pk,
            data={"kind": kind, "seats": seats},
        )
    return opportunity


def update_opportunity(
    *,
    opportunity: Opportunity,
    kind: str,
    title: str,
    description: str,
    seats: int | None,
    closes_on: date | None,
    actor: User,
) -> Opportunity:
    """Change an open call (all its fields at once). A new closing day cannot be in the
    past; the places cannot drop below the volunteers already accepted. Locks the
    opportunity row."""
    _require_runner(actor, opportunity.community)
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.status == OpportunityStatus.CLOSED:
            raise ValidationError(_("This call is closed: open a new one instead."))
        title, description = _clean_call(
            kind=kind,
            title=title,
            description=description,
            seats=seats,
            closes_on=closes_on,
            check_date=closes_on != locked.closes_on,
        )
        accepted = accepted_count(locked)
        if seats is not None and seats < accepted:
            raise ValidationError(
                {
                    "seats": _("%(n)d volunteers are already accepted: ask for at least that many.")
                    % {"n": accepted}
                }
            )
        locked.kind, locked.title, locked.description = kind, title, description
        locked.seats, locked.closes_on = seats, closes_on
        locked.save(
            update_fields=["kind", "title", "description", "seats", "closes_on", "updated_at"]
        )
        record_audit(
            actor_id=actor.pk,
            action="opportunity.updated",
            target=locked,
            community_id=locked.community_id,
            data={"kind": kind, "seats": seats},
        )
    return locked


def close_opportunity(*, opportunity: Opportunity, actor: User) -> Opportunity:
    """Close a call: it takes no more offers (pending ones can still be answered). Closing a
    closed call changes nothing. Locks the opportunity row."""
    _require_runner(actor, opportunity.community)
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.status == OpportunityStatus.CLOSED:
            return locked
        locked.status = OpportunityStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="opportunity.closed",
            target=locked,
            community_id=locked.community_id,
        )
    return locked


def _refuse_offers_if_not_taking(opportunity: Opportunity) -> None:
    if opportunity.status == OpportunityStatus.CLOSED:
        raise ValidationError(_("This call is closed: it takes no more volunteers."))
    if is_expired(opportunity):
        raise ValidationError(
            _("This call closed on %(day)s: it takes no more volunteers.")
            % {"day": opportunity.closes_on.isoformat() if opportunity.closes_on else ""}
        )
    if opportunity.seats is not None and accepted_count(opportunity) >= opportunity.seats:
        raise ValidationError(
            _("All %(n)d places of this call are taken.") % {"n": opportunity.seats}
        )


def volunteer_for_opportunity(
    *, opportunity: Opportunity, person: User, message: str = ""
) -> Volunteer:
    """A current member offers to take part. Refused when the call is closed, past its
    closing day or full. Offering again while an offer is live returns that offer unchanged.
    The call's author hears of it by mail. Locks the opportunity row."""
    community = opportunity.community
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise ValidationError(
            {"message": _("Keep the message to %(n)d characters.") % {"n": MAX_MESSAGE}}
        )
    if not person.is_active:
        raise PermissionDenied(_("Deactivated accounts cannot volunteer."))
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if not Membership.objects.current().filter(community=community, person=person).exists():
            raise PermissionDenied(
                _("Join %(name)s to volunteer for its calls.") % {"name": community.name}
            )
        live = Volunteer.objects.filter(
            opportunity=locked, person=person, status__in=LIVE_STATUSES
        ).first()
        if live is not None:
            return live
        _refuse_offers_if_not_taking(locked)
        try:
            with transaction.atomic():
                offer = Volunteer.objects.create(opportunity=locked, person=person, message=message)
        except IntegrityError:
            # A concurrent offer of the same person won the race: theirs is the offer.
            return Volunteer.objects.get(
                opportunity=locked, person=person, status__in=LIVE_STATUSES
            )
        author = locked.created_by
        if (
            author is not None
            and author.is_active
            and author.pk != person.pk
            and can_run_opportunities(author, community)
        ):
            send_templated_mail(
                to=author.email,
                template_prefix="communities/ladder/mail/volunteer_offered",
                context={
                    "community": community,
                    "opportunity": locked,
                    "volunteer": offer,
                    "person": person,
                    "author": author,
                },
                idempotency_key=f"volunteer-{offer.pk}-offered",
                language=author.preferred_language or None,
            )
    return offer


def withdraw_volunteering(*, volunteer: Volunteer, actor: User) -> Volunteer:
    """The volunteer takes back their offer, or steps back after being accepted (the place
    is free again). Locks the opportunity row."""
    if actor.pk != volunteer.person_id:
        raise PermissionDenied(_("Only the volunteer can withdraw their offer."))
    with transaction.atomic():
        Opportunity.objects.select_for_update().filter(pk=volunteer.opportunity_id).first()
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if locked.status not in LIVE_STATUSES:
            raise ValidationError(
                _("This offer was already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        was_accepted = locked.status == VolunteerStatus.ACCEPTED
        locked.status = VolunteerStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        if was_accepted:
            record_audit(
                actor_id=actor.pk,
                action="opportunity.volunteer_stepped_back",
                target=locked,
                community_id=locked.opportunity.community_id,
                data={"opportunity": locked.opportunity_id},
            )
    return locked


def _decide(
    *, volunteer: Volunteer, actor: User, status: str, note: str
) -> tuple[Opportunity, Volunteer, str]:
    """Lock the call and the offer, check the decision may be taken; the caller saves."""
    opportunity = volunteer.opportunity
    _require_runner(actor, opportunity.community)
    note = (note or "").strip()
    if len(note) > MAX_DECISION_NOTE:
        raise ValidationError(
            {"note": _("Keep the note to %(n)d characters.") % {"n": MAX_DECISION_NOTE}}
        )
    locked_opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    locked = Volunteer.objects.select_for_update().select_related("person").get(pk=volunteer.pk)
    if locked.status != VolunteerStatus.OFFERED:
        raise ValidationError(
            _("This offer was already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if (
        status == VolunteerStatus.ACCEPTED
        and locked_opportunity.seats is not None
        and accepted_count(locked_opportunity) >= locked_opportunity.seats
    ):
        raise ValidationError(
            _("All %(n)d places of this call are taken: decline, or give the call more places.")
            % {"n": locked_opportunity.seats}
        )
    return locked_opportunity, locked, note


def accept_volunteer(*, volunteer: Volunteer, actor: User, note: str = "") -> Volunteer:
    """Accept an offer (managers, leaders, organizers): the volunteer is recorded as
    accepted, a `VOLUNTEERED` ledger row is written, and they hear by mail. Refused when
    every place is taken. Locks the opportunity row."""
    with transaction.atomic():
        opportunity, locked, note = _decide(
            volunteer=volunteer, actor=actor, status=VolunteerStatus.ACCEPTED, note=note
        )
        now = timezone.now()
        locked.status = VolunteerStatus.ACCEPTED
        locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_activity(
            kind=ActivityKind.VOLUNTEERED,
            person_id=locked.person_id,
            community_id=opportunity.community_id,
            subject=opportunity,
            counterpart_id=actor.pk,
            occurred_at=now,
            data={"opportunity": opportunity.pk, "kind": opportunity.kind},
        )
        record_audit(
            actor_id=actor.pk,
            action="opportunity.volunteer_accepted",
            target=locked,
            community_id=opportunity.community_id,
            data={"opportunity": opportunity.pk, "person": locked.person_id},
        )
        _mail_decision(opportunity, locked, actor, "volunteer_accepted")
    return locked


def decline_volunteer(*, volunteer: Volunteer, actor: User, note: str = "") -> Volunteer:
    """Decline an offer, with an optional note told to the volunteer by mail. Locks the
    opportunity row."""
    with transaction.atomic():
        opportunity, locked, note = _decide(
            volunteer=volunteer, actor=actor, status=VolunteerStatus.DECLINED, note=note
        )
        locked.status = VolunteerStatus.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_audit(
            actor_id=actor.pk,
            action="opportunity.volunteer_declined",
            target=locked,
            community_id=opportunity.community_id,
            data={"opportunity": opportunity.pk, "person": locked.person_id},
        )
        _mail_decision(opportunity, locked, actor, "volunteer_declined")
    return locked


def _mail_decision(
    opportunity: Opportunity, volunteer: Volunteer, actor: User, template: str
) -> None:
    person = volunteer.person
    send_templated_mail(
        to=person.email,
        template_prefix=f"communities/ladder/mail/{template}",
        context={
            "community": opportunity.community,
            "opportunity": opportunity,
            "volunteer": volunteer,
            "person": person,
            "decided_by": actor,
        },
        idempotency_key=f"volunteer-{volunteer.pk}-{volunteer.status}",
        language=person.preferred_language or None,
    )
