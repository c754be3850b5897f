"""People arriving in, moving through and leaving the company, as provisioning reports them.

SCIM, the HR feed and single sign-on all write people through these four functions, so a
joiner, a transfer or a leaver means the same thing whatever told us: the account, its dated
`Affiliation` rows, its memberships, and one `PersonChange` row saying what changed, from
what to what (`{field: [before, after]}`, JSON-safe: ids, strings, ISO dates).

Each function is one transaction and nests inside a caller's (the HR import applies a whole
file or nothing). Each locks the person's row (`select_for_update`) before reading it.
Refused input raises `ProvisioningError`, whose `code` is SCIM's `scimType` vocabulary so the
SCIM endpoints can answer with it directly.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import GroupMembership, LeftReason, Membership
from practica.communities.services import leave_community
from practica.outreach.models import (
    ChangeKind,
    ChangeSource,
    HrImport,
    PersonChange,
    ProvisionedAccount,
)
from practica.people.affiliations import close_affiliation, record_affiliation
from practica.people.models import TIME_ZONES, OrgUnit, User
from practica.people.services import normalize_email_address, placeholder_display_name

PERSON_ATTRIBUTES = frozenset(
    {
        "email",
        "display_name",
        "employee_number",
        "job_title",
        "org_unit",
        "manager",
        "hired_on",
        "left_on",
        "time_zone",
        "country",
        "location",
        "active",
    }
)
# A change to any of these is a transfer: the dated affiliation moves with it.
AFFILIATION_ATTRIBUTES = frozenset({"org_unit", "job_title", "manager"})
TEXT_LIMITS = {"display_name": 120, "job_title": 120, "location": 120, "employee_number": 64}
MAX_MANAGER_CHAIN = 200


class ProvisioningError(Exception):
    """Refused provisioning input. `.code` in {"uniqueness", "invalidValue", "mutability",
    "noTarget", "invalidSyntax"} (SCIM scimType vocabulary), `.field` (attribute name or ""),
    str(e) is a translated human message."""

    def __init__(self, message: str, *, code: str = "invalidValue", field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


# --- Reading the attributes -------------------------------------------------------------------


def _text(attributes: dict[str, Any], field: str) -> None:
    value = attributes[field]
    if value is None:
        value = ""
    if field == "employee_number" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ProvisioningError(_("“%(field)s” must be text.") % {"field": field}, field=field)
    value = " ".join(value.split())
    limit = TEXT_LIMITS.get(field)
    if limit is not None and len(value) > limit:
        raise ProvisioningError(
            _("“%(field)s” is longer than %(limit)d characters.")
            % {"field": field, "limit": limit},
            field=field,
        )
    attributes[field] = value


def _clean_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes checked and normalised; raises ProvisioningError on the first bad one."""
    values = dict(attributes)
    unknown = sorted(set(values) - PERSON_ATTRIBUTES)
    if unknown:
        raise ProvisioningError(
            _("Unknown person attributes: %(names)s.") % {"names": ", ".join(unknown)},
            code="invalidSyntax",
            field=unknown[0],
        )
    for field in ("display_name", "job_title", "location", "employee_number", "country"):
        if field in values:
            _text(values, field)
    if "email" in values:
        try:
            values["email"] = normalize_email_address(values["email"] or "")
        except (ValidationError, TypeError, AttributeError) as error:
            raise ProvisioningError(
                _("“%(value)s” is not a valid email address.") % {"value": values["email"]},
                field="email",
            ) from error
    if "employee_number" in values:
        values["employee_number"] = values["employee_number"] or None
    if "country" in values:
        country = values["country"].upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise ProvisioningError(
                _("Use the two-letter country code, e.g. DE or CN (not “%(value)s”).")
                % {"value": values["country"]},
                field="country",
            )
        values["country"] = country
    if "time_zone" in values:
        zone = values["time_zone"] or "UTC"
        if zone not in TIME_ZONES:
            raise ProvisioningError(
                _("“%(value)s” is not a known time zone.") % {"value": zone}, field="time_zone"
            )
        values["time_zone"] = zone
    for field in ("hired_on", "left_on"):
        value = values.get(field)
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise ProvisioningError(
                _("“%(field)s” must be a date.") % {"field": field}, field=field
            )
    if values.get("org_unit") is not None and not isinstance(values["org_unit"], OrgUnit):
        raise ProvisioningError(_("Unknown org unit."), field="org_unit")
    if values.get("manager") is not None and not isinstance(values["manager"], User):
        raise ProvisioningError(_("Unknown manager."), field="manager")
    if "active" in values and not isinstance(values["active"], bool):
        raise ProvisioningError(_("“active” must be true or false."), field="active")
    return values


def _json(value: Any) -> Any:
    """A value as the change log stores it: rows by id, dates in ISO form."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def _current(person: User, field: str) -> Any:
    if field in ("org_unit", "manager"):
        return getattr(person, f"{field}_id")
    return getattr(person, field)


def _apply(person: User, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the changed attributes on `person` (unsaved); the changes as {field: [before, after]}."""
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        if field == "active":
            continue
        before = _current(person, field)
        after = value.pk if isinstance(value, models.Model) else value
        if before == after:
            continue
        changes[field] = [_json(before), _json(value)]
        setattr(person, field, value)
    return changes


def _saved_fields(changes: Mapping[str, Any]) -> list[str]:
    return [field for field in changes if field in PERSON_ATTRIBUTES and field != "active"]


def _check_unique(person: User | None, values: Mapping[str, Any]) -> None:
    others = User.objects.all() if person is None else User.objects.exclude(pk=person.pk)
    if "email" in values and others.filter(email__iexact=values["email"]).exists():
        raise ProvisioningError(
            _("Another account already has the email address %(email)s.")
            % {"email": values["email"]},
            code="uniqueness",
            field="email",
        )
    number = values.get("employee_number")
    if number and others.filter(employee_number=number).exists():
        raise ProvisioningError(
            _("Another account already has the employee number %(number)s.") % {"number": number},
            code="uniqueness",
            field="employee_number",
        )


def _check_dates(person: User) -> None:
    if person.hired_on and person.left_on and person.left_on < person.hired_on:
        raise ProvisioningError(
            _("The leaving date cannot be before the hiring date."), field="left_on"
        )


def _check_source(source: str) -> None:
    if source not in ChangeSource.values:
        raise ProvisioningError(
            _("Unknown provisioning source “%(source)s”.") % {"source": source}, field="source"
        )


def check_manager_chain(*, person: User | None, manager: User | None) -> None:
    """Refuse a manager who is the person or reports to them, directly or not (a loop).

    Walks up from `manager` through the saved chain, one query per level. A loop higher up
    that does not pass through `person` is not this change's doing and is not refused here.
    """
    if manager is None or person is None or person.pk is None:
        return
    message = _("%(person)s cannot report to %(manager)s: that would make a loop of managers.") % {
        "person": person,
        "manager": manager,
    }
    if manager.pk == person.pk:
        raise ProvisioningError(message, field="manager")
    seen = {manager.pk}
    above = manager.manager_id
    while above is not None and above not in seen and len(seen) < MAX_MANAGER_CHAIN:
        if above == person.pk:
            raise ProvisioningError(message, field="manager")
        seen.add(above)
        above = User.objects.filter(pk=above).values_list("manager_id", flat=True).first()


# --- Recording --------------------------------------------------------------------------------


def _record(
    *,
    person: User,
    kind: str,
    source: str,
    effective_on: date,
    hr_import: HrImport | None,
    changes: dict[str, list[Any]],
) -> PersonChange:
    # The SCIM resource's version (its ETag) moves with every change, whoever made it.
    ProvisionedAccount.objects.filter(person=person).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    return PersonChange.objects.create(
        person=person,
        kind=kind,
        source=source,
        hr_import=hr_import,
        effective_on=effective_on,
        changes=changes,
    )


def _lock(person: User) -> None:
    """Lock the person's row and read it afresh, so the change starts from what is stored."""
    person.refresh_from_db(from_queryset=User.objects.select_for_update())


def _save(person: User, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            person.save(update_fields=fields or None)
    except IntegrityError as error:
        # A concurrent writer took the address or number between the check and the save.
        raise ProvisioningError(
            _("Another account already has this email address or employee number."),
            code="uniqueness",
        ) from error


# --- Joiners ----------------------------------------------------------------------------------


def create_provisioned_person(
    *,
    attributes: Mapping[str, Any],
    source: str,
    effective_on: date,
    hr_import: HrImport | None = None,
) -> User:
    """A joiner: create the account (an unusable password: they sign in through SSO), open its
    affiliation from `effective_on` and record `PersonChange(kind=JOINER)`.

    `attributes` must hold an email; the display name defaults to the address's local part,
    `hired_on` to `effective_on`. An email or employee number another active account has is
    refused (code "uniqueness"). An inactive account with that email or number (someone who
    left and came back) is reactivated and updated instead (kind REACTIVATED); an active
    placeholder from the list archive with that address becomes the account (kind JOINER).
    `active: False` creates the account inactive, without an affiliation.
    """
    _check_source(source)
    values = _clean_attributes(attributes)
    if not values.get("email"):
        raise ProvisioningError(_("A new account needs an email address."), field="email")
    with transaction.atomic():
        existing = _account_matching(values)
        if existing is not None and not existing.is_placeholder:
            # Someone who left comes back: the same account, active again (a rehire).
            if values.get("active", True):
                values = {"hired_on": effective_on, **values, "active": True}
            update_provisioned_person(
                person=existing,
                attributes=values,
                source=source,
                effective_on=effective_on,
                hr_import=hr_import,
            )
            return existing
        active = values.pop("active", True)
        values.setdefault("hired_on", effective_on)
        if existing is not None:
            # An author of old list mail who had no account: the placeholder becomes theirs.
            person = existing
            _lock(person)
            check_manager_chain(person=person, manager=values.get("manager"))
            values["display_name"] = values.get("display_name") or person.display_name
            changes = {"placeholder": [True, False], **_apply(person, values)}
            person.is_placeholder = False
        else:
            values["display_name"] = values.get("display_name") or placeholder_display_name(
                email=values["email"]
            )
            person = User()
            _apply(person, values)
            changes = {field: [None, _json(value)] for field, value in values.items()}
        _check_dates(person)
        person.is_active = active
        person.set_unusable_password()
        _save(person, [])
        if active:
            record_affiliation(person=person, effective_on=effective_on)
        changes["active"] = [None, active]
        _record(
            person=person,
            kind=ChangeKind.JOINER,
            source=source,
            effective_on=effective_on,
            hr_import=hr_import,
            changes=changes,
        )
    return person


def _account_matching(values: Mapping[str, Any]) -> User | None:
    """The account a joiner's email or employee number already names, if it may be reused;
    raises "uniqueness" when it is taken by an active member or by two different accounts."""
    by_email = User.objects.filter(email__iexact=values["email"]).first()
    number = values.get("employee_number")
    by_number = User.objects.filter(employee_number=number).first() if number else None
    if by_email and by_number and by_email.pk != by_number.pk:
        raise ProvisioningError(
            _(
                "The email address %(email)s and the employee number %(number)s belong to two "
                "different accounts."
            )
            % {"email": values["email"], "number": number},
            code="uniqueness",
            field="employee_number",
        )
    match = by_email or by_number
    if match is None:
        return None
    field = "email" if by_email is not None else "employee_number"
    if match.is_placeholder and match.is_active and by_number is None:
        return match
    if match.is_active or match.is_placeholder:
        raise ProvisioningError(
            _("An account with this email address or employee number already exists."),
            code="uniqueness",
            field=field,
        )
    return match


# --- Updates and transfers --------------------------------------------------------------------


def update_provisioned_person(
    *,
    person: User,
    attributes: Mapping[str, Any],
    source: str,
    effective_on: date,
    hr_import: HrImport | None = None,
) -> PersonChange | None:
    """Apply the attributes that differ; None when nothing does.

    A change of org unit, job title or manager of an active person is a TRANSFER: the open
    affiliation closes on `effective_on` and a new one opens. Other changes are an UPDATE.
    `active: False` deprovisions (the LEAVER row also lists the other changes); `active: True`
    on an inactive person reactivates them (REACTIVATED). A new email or employee number
    another account has is refused ("uniqueness"), a looping manager chain ("invalidValue" on
    "manager"). `person` is re-read under a row lock and updated in place.
    """
    _check_source(source)
    values = _clean_attributes(attributes)
    if "display_name" in values and not values["display_name"]:
        raise ProvisioningError(_("A display name cannot be empty."), field="display_name")
    active = values.pop("active", None)
    with transaction.atomic():
        _lock(person)
        _check_unique(person, values)
        if "manager" in values:
            check_manager_chain(person=person, manager=values["manager"])
        if active is True and not person.is_active:
            return _reactivate(
                person, values, source=source, effective_on=effective_on, hr_import=hr_import
            )
        changes = _apply(person, values)
        _check_dates(person)
        if active is False and person.is_active:
            if changes:
                _save(person, _saved_fields(changes))
            return _deprovision(
                person,
                source=source,
                effective_on=effective_on,
                hr_import=hr_import,
                changes=changes,
            )
        if not changes:
            return None
        _save(person, _saved_fields(changes))
        transfer = person.is_active and bool(AFFILIATION_ATTRIBUTES & set(changes))
        if transfer:
            record_affiliation(person=person, effective_on=effective_on)
        return _record(
            person=person,
            kind=ChangeKind.TRANSFER if transfer else ChangeKind.UPDATE,
            source=source,
            effective_on=effective_on,
            hr_import=hr_import,
            changes=changes,
        )


def _reactivate(
    person: User,
    values: Mapping[str, Any],
    *,
    source: str,
    effective_on: date,
    hr_import: HrImport | None,
) -> PersonChange:
    """Someone who left is back: active again, no leaving date, a new affiliation; the
    memberships they had stay ended (history), they join again like anyone else."""
    values = {field: value for field, value in values.items() if field != "active"}
    _check_unique(person, values)
    check_manager_chain(person=person, manager=values.get("manager"))
    changes = _apply(person, {**values, "left_on": None})
    _check_dates(person)
    changes["active"] = [False, True]
    person.is_active = True
    _save(person, [*_saved_fields(changes), "is_active"])
    record_affiliation(person=person, effective_on=effective_on)
    return _record(
        person=person,
        kind=ChangeKind.REACTIVATED,
        source=source,
        effective_on=effective_on,
        hr_import=hr_import,
        changes=changes,
    )


# --- Leavers ----------------------------------------------------------------------------------


def deprovision_person(
    *, person: User, source: str, effective_on: date, hr_import: HrImport | None = None
) -> PersonChange | None:
    """A leaver: first raise continuity alerts for what they owned (while their groups still
    say so), then deactivate the account with `left_on=effective_on`, end every current
    membership with reason `left_company` (history kept), close their current group
    memberships and their open affiliation, and record `PersonChange(kind=LEAVER)`.

    Idempotent: an already inactive person gives None and changes nothing.
    """
    _check_source(source)
    with transaction.atomic():
        _lock(person)
        if not person.is_active:
            return None
        return _deprovision(
            person, source=source, effective_on=effective_on, hr_import=hr_import, changes={}
        )


def _deprovision(
    person: User,
    *,
    source: str,
    effective_on: date,
    hr_import: HrImport | None,
    changes: dict[str, list[Any]],
) -> PersonChange:
    _raise_continuity_alerts(person)
    memberships = list(
        Membership.objects.current().filter(person=person).select_related("community")
    )
    for membership in memberships:
        leave_community(
            community=membership.community, person=person, reason=LeftReason.LEFT_COMPANY
        )
    groups = GroupMembership.objects.filter(person=person, left_at__isnull=True)
    group_ids = sorted(groups.values_list("group_id", flat=True))
    groups.update(left_at=timezone.now())
    close_affiliation(person=person, effective_on=effective_on)
    left_before = person.left_on
    person.is_active = False
    person.left_on = effective_on
    person.save(update_fields=["is_active", "left_on"])
    changes = {**changes, "active": [True, False]}
    if left_before != effective_on:
        changes["left_on"] = [_json(left_before), effective_on.isoformat()]
    if memberships:
        changes["communities"] = [sorted(m.community_id for m in memberships), []]
    if group_ids:
        changes["groups"] = [group_ids, []]
    return _record(
        person=person,
        kind=ChangeKind.LEAVER,
        source=source,
        effective_on=effective_on,
        hr_import=hr_import,
        changes=changes,
    )


def _raise_continuity_alerts(person: User) -> None:
    # Imported here: the continuity service imports the apps that own things, which import
    # communities' services in turn; loading it with this module would tie the two together.
    from practica.outreach.services.continuity import raise_continuity_alerts

    raise_continuity_alerts(leaver=person)
