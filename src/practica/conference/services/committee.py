"""The program committee of an edition: seating members, making chairs, taking them off.

Chairs only; one transaction each, locking the edition row so committee changes queue up.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practica.conference.models import CommitteeMember, Edition
from practica.conference.permissions import forget_cached_conference_roles
from practica.conference.services.editions import audit_part, locked_edition, require_chair
from practica.core.models import ActivityKind
from practica.core.services import record_activity


def add_committee_member(
    *, edition: Edition, actor: Any, person: Any, is_chair: bool = False
) -> CommitteeMember:
    """Seat `person` on the edition's program committee (as a chair with `is_chair`).

    Chairs only. Records SERVED_ON_COMMITTEE for the person the first time they are seated.
    Seating someone already on it only changes their chair flag.
    """
    require_chair(actor, edition, _("Only the edition's chairs can change its committee."))
    if person is None or not person.is_active:
        raise ValidationError({"person": _("Choose an active member.")})
    with transaction.atomic():
        locked_edition(edition)
        seat = CommitteeMember.objects.filter(edition=edition, person=person).first()
        if seat is not None:
            if seat.is_chair != bool(is_chair):
                seat.is_chair = bool(is_chair)
                seat.save(update_fields=["is_chair"])
            forget_cached_conference_roles(person)
            return seat
        seat = CommitteeMember.objects.create(
            edition=edition, person=person, is_chair=bool(is_chair)
        )
        record_activity(
            kind=ActivityKind.SERVED_ON_COMMITTEE,
            person_id=person.pk,
            community_id=edition.community_id,
            subject=edition,
            data={"chair": bool(is_chair)},
        )
        audit_part(actor, "committee_member_added", seat, edition, person=person.pk)
    forget_cached_conference_roles(person)
    return seat


def set_committee_chair(*, seat: CommitteeMember, actor: Any, is_chair: bool) -> CommitteeMember:
    """Make a committee member a chair, or an ordinary member again. Chairs only."""
    edition = seat.edition
    require_chair(actor, edition, _("Only the edition's chairs can change its committee."))
    with transaction.atomic():
        locked_edition(edition)
        seat = CommitteeMember.objects.select_for_update().get(pk=seat.pk)
        if seat.is_chair != bool(is_chair):
            seat.is_chair = bool(is_chair)
            seat.save(update_fields=["is_chair"])
            audit_part(actor, "committee_chair_set", seat, edition, chair=bool(is_chair))
    forget_cached_conference_roles(seat.person)
    forget_cached_conference_roles(actor)
    return seat


def remove_committee_member(*, seat: CommitteeMember, actor: Any) -> None:
    """Take a member off the committee (their activity row stays: they served). Chairs only."""
    edition = seat.edition
    require_chair(actor, edition, _("Only the edition's chairs can change its committee."))
    person = seat.person
    with transaction.atomic():
        locked_edition(edition)
        audit_part(actor, "committee_member_removed", seat, edition, person=person.pk)
        CommitteeMember.objects.filter(pk=seat.pk).delete()
    forget_cached_conference_roles(person)
    forget_cached_conference_roles(actor)
