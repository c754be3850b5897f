"""What SCIM requests write: provisioned accounts (the person through the lifecycle services,
source SCIM, effective today) and the groups the identity provider pushes.

Each function is one transaction and runs inside the request's. The person's row is locked
by the lifecycle services; the account row by the endpoint (`select_for_update`) before it
reads the version it compares with `If-Match`. Refusals raise `ScimError` (or
`ProvisioningError`, which the endpoint maps the same way).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.outreach.models import ChangeSource, ProvisionedAccount, ScimGroup
from practica.outreach.scim.filters import lookup, uuid_or_none
from practica.outreach.scim.http import ScimError
from practica.outreach.scim.users import KEEP, UserDocument
from practica.outreach.services.lifecycle import (
    create_provisioned_person,
    deprovision_person,
    update_provisioned_person,
)
from practica.people.models import OrgUnit, OrgUnitKind, User
from practica.people.services import create_org_unit

SOURCE = ChangeSource.SCIM
# What a PATCH that removes an attribute sets it to.
CLEARED: dict[str, Any] = {
    "job_title": "",
    "time_zone": "UTC",
    "country": "",
    "location": "",
    "employee_number": None,
    "manager": None,
    "org": ("", ""),
}


def _conflict(message: str) -> ScimError:
    return ScimError(409, message, "uniqueness")


def _check_account_unique(
    *, user_name: str, external_id: str | None, account: ProvisionedAccount | None
) -> None:
    others = ProvisionedAccount.objects.all()
    if account is not None:
        others = others.exclude(pk=account.pk)
    if others.filter(user_name__iexact=user_name).exists():
        raise _conflict(_("Another user already has the userName %(name)s.") % {"name": user_name})
    if external_id and others.filter(external_id=external_id).exists():
        raise _conflict(_("Another user already has the externalId %(id)s.") % {"id": external_id})


# --- Looking up what a document names ---------------------------------------------------------


def resolve_manager(reference: str | None) -> User | None:
    """The person whose SCIM id is `reference`; 400 invalidValue when there is none."""
    if reference is None:
        return None
    scim_id = uuid_or_none(reference)
    account = (
        ProvisionedAccount.objects.select_related("person").filter(scim_id=scim_id).first()
        if scim_id
        else None
    )
    if account is None:
        raise ScimError(
            400,
            _("The manager %(id)s is not a user provisioned here.") % {"id": reference},
            "invalidValue",
        )
    return account.person


def _free_slug(name: str, parent: OrgUnit | None) -> str:
    base = slugify(name)[:120] or "unit"
    if parent is not None:
        base = f"{parent.slug[:60]}-{base}"[:140]
    slug, number = base, 1
    while OrgUnit.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def resolve_org_unit(division: str, department: str) -> OrgUnit | None:
    """The org unit a (division, department) pair names: the division (kind division) and
    the department (kind group) under it, each found by name case-insensitively or created."""
    division_unit = None
    if division:
        division_unit = (
            OrgUnit.objects.filter(kind=OrgUnitKind.DIVISION, name__iexact=division)
            .order_by("depth", "pk")
            .first()
        ) or create_org_unit(
            name=division, kind=OrgUnitKind.DIVISION, slug=_free_slug(division, None)
        )
    if not department:
        return division_unit
    groups = OrgUnit.objects.filter(kind=OrgUnitKind.GROUP, name__iexact=department)
    if division_unit is not None:
        groups = groups.filter(parent=division_unit)
    return groups.order_by("depth", "pk").first() or create_org_unit(
        name=department,
        kind=OrgUnitKind.GROUP,
        parent=division_unit,
        slug=_free_slug(department, division_unit),
    )


def _person_attributes(
    document: UserDocument, previous: UserDocument | None, *, clear_missing: bool
) -> dict[str, Any]:
    """The lifecycle attributes a document asserts, with names looked up. The org unit is only
    looked up when division or department changed, so a person in a team under the named
    group stays in their team."""
    asserted = dict(document.person)
    if clear_missing and previous is not None:
        for key in previous.person.keys() - asserted.keys():
            if key in CLEARED:
                asserted[key] = CLEARED[key]
    attributes: dict[str, Any] = {}
    for key, value in asserted.items():
        if key == "org":
            if previous is None or value != previous.person.get("org"):
                attributes["org_unit"] = resolve_org_unit(*value)
        elif key == "manager":
            if value is not KEEP:
                attributes["manager"] = resolve_manager(value)
        else:
            attributes[key] = value
    return attributes


# --- Users ------------------------------------------------------------------------------------


def _adoptable(attributes: Mapping[str, Any]) -> User | None:
    """An active account made before SCIM (by hand, the HR feed or SSO) that the document
    names by email or employee number: the identity provider takes it over. Service accounts
    and superusers (the break-glass administrators) are never taken over: a document naming one
    is refused as a duplicate, so the provider cannot deactivate them."""
    people = User.objects.filter(
        is_active=True,
        is_placeholder=False,
        is_system=False,
        is_superuser=False,
        provisioned_account__isnull=True,
    )
    email = attributes.get("email")
    found = people.filter(email__iexact=email).first() if email else None
    number = attributes.get("employee_number")
    if found is None and number:
        found = people.filter(employee_number=number).first()
    return found


def provision_user(*, document: UserDocument) -> ProvisionedAccount:
    """POST /Users: a joiner (or a comeback, or an existing account taken over), and its SCIM
    account. 409 uniqueness when another user has the userName or externalId (or, from the
    lifecycle, the email or employee number)."""
    external_id = document.account.get("external_id") or ""
    with transaction.atomic():
        _check_account_unique(user_name=document.user_name, external_id=external_id, account=None)
        attributes = _person_attributes(document, None, clear_missing=False)
        today = timezone.localdate()
        person = _adoptable(attributes)
        if person is not None:
            update_provisioned_person(
                person=person, attributes=attributes, source=SOURCE, effective_on=today
            )
        else:
            person = create_provisioned_person(
                attributes=attributes, source=SOURCE, effective_on=today
            )
        account = ProvisionedAccount.objects.select_for_update().filter(person=person).first()
        now = timezone.now()
        try:
            with transaction.atomic():
                if account is None:
                    return ProvisionedAccount.objects.create(
                        person=person,
                        user_name=document.user_name,
                        external_id=external_id,
                        attributes=document.kept,
                    )
                # Someone deprovisioned with active:false and created again: the same resource.
                account.user_name = document.user_name
                account.external_id = external_id
                account.attributes = document.kept
                account.version += 1
                account.updated_at = now
                account.save()
                return account
        except IntegrityError as error:
            raise _conflict(_("Another user already has this userName.")) from error


def replace_user(
    *,
    account: ProvisionedAccount,
    document: UserDocument,
    previous: UserDocument,
    clear_missing: bool,
) -> ProvisionedAccount:
    """PUT (`clear_missing=False`: what the document leaves out stays as it is) or PATCH's
    result (`clear_missing=True`: what the operations removed is cleared). `active: false`
    deprovisions, `active: true` reactivates."""
    external_id = document.account.get("external_id")
    if external_id is None and clear_missing and "external_id" in previous.account:
        external_id = ""
    with transaction.atomic():
        _check_account_unique(
            user_name=document.user_name, external_id=external_id, account=account
        )
        attributes = _person_attributes(document, previous, clear_missing=clear_missing)
        version = account.version
        update_provisioned_person(
            person=account.person,
            attributes=attributes,
            source=SOURCE,
            effective_on=timezone.localdate(),
        )
        account.refresh_from_db(fields=["version", "updated_at"])
        kept = document.kept if clear_missing else {**account.attributes, **document.kept}
        changed = {
            "user_name": document.user_name,
            "external_id": account.external_id if external_id is None else external_id,
            "attributes": kept,
        }
        if any(getattr(account, name) != value for name, value in changed.items()):
            for name, value in changed.items():
                setattr(account, name, value)
            if account.version == version:  # one request, one new version
                account.version += 1
                account.updated_at = timezone.now()
            account.save(update_fields=[*changed, "version", "updated_at"])
    return account


def delete_user(*, account: ProvisionedAccount) -> None:
    """DELETE /Users/{id}: the person leaves (deprovisioned, history kept) and the SCIM
    resource is gone: it answers 404 from now on, and leaves the groups it was in."""
    with transaction.atomic():
        person = account.person
        deprovision_person(person=person, source=SOURCE, effective_on=timezone.localdate())
        group_ids = list(ScimGroup.objects.filter(members=person).values_list("pk", flat=True))
        ScimGroup.members.through.objects.filter(scimgroup_id__in=group_ids, user=person).delete()
        ScimGroup.objects.filter(pk__in=group_ids).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        account.delete()


# --- Groups -----------------------------------------------------------------------------------


@dataclass
class GroupDocument:
    display_name: str
    external_id: str | None  # None: not given
    members: list[str] | None  # SCIM ids; None: not given


def read_group_document(document: Mapping[str, Any]) -> GroupDocument:
    """Read a Group document; 400 invalidValue on a missing name or a bad member list."""
    _key, name = lookup(document, "displayName")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ScimError(
            400, _("A Group needs a displayName of at most 255 characters."), "invalidValue"
        )
    key, external_id = lookup(document, "externalId")
    if external_id is not None and (not isinstance(external_id, str) or len(external_id) > 255):
        raise ScimError(400, _("“externalId” must be text."), "invalidValue")
    members_key, members = lookup(document, "members")
    references: list[str] | None = None
    if members_key is not None:
        members = [] if members is None else members
        if not isinstance(members, list):
            raise ScimError(400, _("“members” must be a list of objects."), "invalidValue")
        references = []
        for member in members:
            _value_key, value = (
                lookup(member, "value") if isinstance(member, Mapping) else (None, None)
            )
            if not isinstance(value, str):
                raise ScimError(
                    400, _("Each member needs the user's id as “value”."), "invalidValue"
                )
            references.append(value)
    return GroupDocument(
        display_name=name.strip(),
        external_id=None if key is None else (external_id or ""),
        members=references,
    )


def _members(references: Iterable[str]) -> list[User]:
    wanted = {reference: uuid_or_none(reference) for reference in references}
    accounts = ProvisionedAccount.objects.select_related("person").filter(
        scim_id__in=[scim_id for scim_id in wanted.values() if scim_id is not None]
    )
    by_id = {account.scim_id: account.person for account in accounts}
    unknown = [reference for reference, scim_id in wanted.items() if scim_id not in by_id]
    if unknown:
        raise ScimError(
            400,
            _("These members are not users provisioned here: %(ids)s.")
            % {"ids": ", ".join(unknown[:5])},
            "invalidValue",
        )
    return list({person.pk: person for person in by_id.values()}.values())


def _check_group_unique(name: str, group: ScimGroup | None) -> None:
    others = ScimGroup.objects.all() if group is None else ScimGroup.objects.exclude(pk=group.pk)
    if others.filter(display_name__iexact=name).exists():
        raise _conflict(_("Another group is already called %(name)s.") % {"name": name})


def create_group(*, document: GroupDocument) -> ScimGroup:
    with transaction.atomic():
        _check_group_unique(document.display_name, None)
        members = _members(document.members or [])
        try:
            with transaction.atomic():
                group = ScimGroup.objects.create(
                    display_name=document.display_name, external_id=document.external_id or ""
                )
        except IntegrityError as error:
            raise _conflict(_("Another group already has this name.")) from error
        group.members.set(members)
    return group


def replace_group(*, group: ScimGroup, document: GroupDocument) -> ScimGroup:
    """PUT or PATCH's result: the name, and the external id and members when given."""
    with transaction.atomic():
        _check_group_unique(document.display_name, group)
        changed = False
        if document.display_name != group.display_name:
            group.display_name = document.display_name
            changed = True
        if document.external_id is not None and document.external_id != group.external_id:
            group.external_id = document.external_id
            changed = True
        if document.members is not None:
            wanted = {person.pk for person in _members(document.members)}
            current = set(group.members.values_list("pk", flat=True))
            if wanted != current:
                group.members.remove(*(current - wanted))
                group.members.add(*(wanted - current))
                changed = True
        if changed:
            group.version += 1
            group.updated_at = timezone.now()
            group.save(update_fields=["display_name", "external_id", "version", "updated_at"])
    return group


def delete_group(*, group: ScimGroup) -> None:
    with transaction.atomic():
        group.members.clear()
        group.delete()
