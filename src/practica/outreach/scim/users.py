"""The SCIM User resource: a provisioned person as SCIM shows it, and a SCIM document read back
into the person's attributes.

Mapping (core schema, then the enterprise extension):
- `userName` → the account's userName (unique, case-insensitively); `emails` (primary, else
  work, else first; `userName` when there are none and it is an address) → the email;
  `displayName` (else `name.formatted`, else given and family name) → the display name;
  `title` → job title; `timezone` → time zone; `addresses` (primary, else work, else first)
  → country (when it is a two-letter code) and location (`locality`); `active` → active;
  `externalId` → the account's externalId.
- `employeeNumber` → employee number; `division` and `department` → the org chart (a division,
  and a group under it); `manager.value` → the manager, by our SCIM id.
- Other attributes of the two schemas are kept and read back as sent; attributes of other
  schemas and unknown ones are ignored. A known attribute of the wrong type is refused.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from practica.core.models import TREE_PATH_SEPARATOR
from practica.outreach.models import ProvisionedAccount, ScimGroup
from practica.outreach.scim.discovery import ENTERPRISE_SCHEMA, NAME_PARTS, USER_SCHEMA
from practica.outreach.scim.filters import Field, lookup, uuid_or_none
from practica.outreach.scim.http import ScimError, etag
from practica.people.models import OrgUnit, OrgUnitKind, User

KEEP = object()  # "present, but says nothing we can apply" (a manager we cannot name)
MAX_TEXT = 1000
MAX_ITEMS = 50
KEPT_STRINGS = ("nickName", "profileUrl", "userType", "preferredLanguage", "locale")
KEPT_LISTS = ("phoneNumbers", "ims", "photos", "entitlements", "roles", "x509Certificates")
BOOLEAN_WORDS = {"true": True, "false": False}
IGNORED = frozenset({"id", "meta", "groups", "password", "schemas"})


# What /Users?filter= understands; keys as filters.AttrPath.key spells them.
ENTERPRISE = ENTERPRISE_SCHEMA.lower()
USER_FILTER_FIELDS = {
    "id": Field("scim_id", convert=uuid_or_none),
    "username": Field("user_name"),
    "externalid": Field("external_id", case_exact=True),
    "displayname": Field("person__display_name"),
    "title": Field("person__job_title"),
    "timezone": Field("person__time_zone", case_exact=True),
    "active": Field("person__is_active", type="boolean"),
    "emails": Field("person__email"),
    "emails.value": Field("person__email"),
    "name.familyname": Field("attributes__name__familyName"),
    "name.givenname": Field("attributes__name__givenName"),
    "name.formatted": Field("attributes__name__formatted"),
    "meta.created": Field("created_at", type="dateTime"),
    "meta.lastmodified": Field("updated_at", type="dateTime"),
    f"{ENTERPRISE}:employeenumber": Field("person__employee_number", case_exact=True),
    f"{ENTERPRISE}:department": Field("person__org_unit__name"),
    f"{ENTERPRISE}:manager.value": Field(
        "person__manager__provisioned_account__scim_id", convert=uuid_or_none
    ),
    f"{ENTERPRISE}:manager": Field(
        "person__manager__provisioned_account__scim_id", convert=uuid_or_none
    ),
}


# --- Reading a document -----------------------------------------------------------------------


def _invalid(attribute: str, expected: str) -> ScimError:
    return ScimError(
        400,
        _("“%(attribute)s” must be %(expected)s.") % {"attribute": attribute, "expected": expected},
        "invalidValue",
    )


def _string(value: Any, attribute: str, *, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(attribute, _("text"))
    if len(value) > limit:
        raise ScimError(
            400,
            _("“%(attribute)s” is longer than %(limit)d characters.")
            % {"attribute": attribute, "limit": limit},
            "invalidValue",
        )
    return value


def boolean(value: Any, attribute: str) -> bool:
    """A SCIM boolean; Entra ID sends "True" and "False" as strings, so those count too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
        return BOOLEAN_WORDS[value.strip().lower()]
    raise _invalid(attribute, _("true or false"))


def _complex(value: Any, attribute: str, parts: Iterable[str]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _invalid(attribute, _("an object"))
    cleaned: dict[str, Any] = {}
    for part in parts:
        key, item = lookup(value, part)
        if key is not None and item is not None:
            cleaned[part] = _string(item, f"{attribute}.{part}")
    return cleaned


def _multi(value: Any, attribute: str) -> list[dict[str, Any]]:
    """A multi-valued complex attribute: a list of objects (one object is taken as a list)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise _invalid(attribute, _("a list of at most %(n)d objects") % {"n": MAX_ITEMS})
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _invalid(attribute, _("a list of objects"))
        cleaned: dict[str, Any] = {}
        for key, part in item.items():
            if key.lower() == "primary":
                cleaned["primary"] = boolean(part, f"{attribute}.primary")
            elif part is None:
                continue
            elif isinstance(part, str):
                cleaned[key] = _string(part, f"{attribute}.{key}")
            elif not isinstance(part, bool | int | float):
                raise _invalid(f"{attribute}.{key}", _("text"))
            else:
                cleaned[key] = part
        items.append(cleaned)
    return items


def _main(items: list[dict[str, Any]], preferred_type: str = "work") -> dict[str, Any] | None:
    for item in items:
        if item.get("primary"):
            return item
    for item in items:
        _key, kind = lookup(item, "type")
        if isinstance(kind, str) and kind.lower() == preferred_type:
            return item
    return items[0] if items else None


def _is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@dataclass
class UserDocument:
    """A SCIM User document read: what it asserts about the person and the account.

    `person` holds lifecycle attributes, except `manager` (a SCIM id, None, or KEEP) and
    `org` ((division, department) names), which need looking up first."""

    user_name: str
    person: dict[str, Any] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)


def read_user_document(document: Mapping[str, Any]) -> UserDocument:
    """Read a User document (POST, PUT, or PATCH's result); ScimError 400 on a bad value."""
    schemas = document.get("schemas")
    if schemas is not None and (
        not isinstance(schemas, list) or not all(isinstance(urn, str) for urn in schemas)
    ):
        raise _invalid("schemas", _("a list of schema URNs"))
    if schemas is not None and USER_SCHEMA.lower() not in {urn.lower() for urn in schemas}:
        raise ScimError(
            400, _("A User must list the schema %(urn)s.") % {"urn": USER_SCHEMA}, "invalidValue"
        )
    values: dict[str, Any] = {}
    extension: Mapping[str, Any] | None = None
    for key, value in document.items():
        if key.lower() == ENTERPRISE:
            if value is not None and not isinstance(value, Mapping):
                raise _invalid(ENTERPRISE_SCHEMA, _("an object"))
            extension = value or {}
        elif key.lower().startswith(ENTERPRISE + ":"):
            # A flattened extension attribute, as some clients write it.
            extension = {**(extension or {}), key[len(ENTERPRISE) + 1 :]: value}
        elif key.lower().startswith(USER_SCHEMA.lower() + ":"):
            values[key[len(USER_SCHEMA) + 1 :].lower()] = value
        elif not key.lower().startswith("urn:"):
            values[key.lower()] = value
    user_name = _string(values.get("username"), "userName", limit=254)
    if not user_name or not user_name.strip():
        raise ScimError(400, _("A User needs a userName."), "invalidValue")
    read = UserDocument(user_name=user_name.strip())
    _read_core(values, read)
    if extension is not None:
        _read_enterprise(extension, read)
    return read


def _read_core(values: Mapping[str, Any], read: UserDocument) -> None:
    person, kept = read.person, read.kept
    if "externalid" in values:
        read.account["external_id"] = _string(values["externalid"], "externalId", limit=255) or ""
    name = _complex(values.get("name"), "name", NAME_PARTS)
    if name:
        kept["name"] = name
    display = _string(values.get("displayname"), "displayName")
    if not display and name:
        given = " ".join(filter(None, (name.get("givenName"), name.get("familyName"))))
        display = name.get("formatted") or given
    if display and display.strip():
        person["display_name"] = display
    if "title" in values:
        person["job_title"] = _string(values["title"], "title") or ""
    if values.get("timezone") is not None:
        person["time_zone"] = _string(values["timezone"], "timezone")
    if values.get("active") is not None:
        person["active"] = boolean(values["active"], "active")
    for attribute in KEPT_STRINGS:
        text = _string(values.get(attribute.lower()), attribute)
        if text:
            kept[attribute] = text
    for attribute in KEPT_LISTS:
        items = _multi(values.get(attribute.lower()), attribute)
        if items:
            kept[attribute] = items
    emails = _multi(values.get("emails"), "emails")
    main = _main(emails)
    address = lookup(main, "value")[1] if main else None
    if not address and _is_address(read.user_name):
        address = read.user_name
    if address:
        person["email"] = address
        others = [item for item in emails if item is not main]
        if others:
            kept["emails"] = others
    if "addresses" in values:
        addresses = _multi(values["addresses"], "addresses")
        if addresses:
            kept["addresses"] = addresses
        home = _main(addresses) or {}
        country = str(lookup(home, "country")[1] or "").strip()
        if not country or (len(country) == 2 and country.isalpha()):
            person["country"] = country
        person["location"] = str(lookup(home, "locality")[1] or "")


def _read_enterprise(extension: Mapping[str, Any], read: UserDocument) -> None:
    values = {key.lower(): value for key, value in extension.items()}
    if "employeenumber" in values:
        read.person["employee_number"] = _string(values["employeenumber"], "employeeNumber") or None
    for attribute in ("organization", "costCenter"):
        text = _string(values.get(attribute.lower()), attribute)
        if text:
            read.kept.setdefault("enterprise", {})[attribute] = text
    if "division" in values or "department" in values:
        division = _string(values.get("division"), "division", limit=160) or ""
        department = _string(values.get("department"), "department", limit=160) or ""
        read.person["org"] = (division.strip(), department.strip())
    if "manager" in values:
        manager = values["manager"]
        if isinstance(manager, Mapping):
            key, reference = lookup(manager, "value")
            if key is None:
                read.person["manager"] = KEEP
            else:
                read.person["manager"] = _string(reference, "manager.value") or None
        else:
            # Entra ID sends the manager's id as a plain string.
            read.person["manager"] = _string(manager, "manager") or None


# --- Writing a document -----------------------------------------------------------------------


def user_location(request: HttpRequest, account: ProvisionedAccount) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[str(account.scim_id)]))


class UserRendering:
    """Renders accounts, loading their org units' ancestors and groups once for a page."""

    def __init__(self, request: HttpRequest, accounts: list[ProvisionedAccount]) -> None:
        self.request = request
        slugs: set[str] = set()
        for account in accounts:
            unit = account.person.org_unit
            if unit is not None:
                slugs.update(part for part in unit.path.split(TREE_PATH_SEPARATOR) if part)
        self.units = {unit.slug: unit for unit in OrgUnit.objects.filter(slug__in=slugs)}
        through = ScimGroup.members.through
        self.groups: dict[int, list[ScimGroup]] = {}
        rows = through.objects.filter(
            user_id__in=[account.person_id for account in accounts]
        ).select_related("scimgroup")
        for row in rows:
            self.groups.setdefault(row.user_id, []).append(row.scimgroup)

    def org_names(self, unit: OrgUnit | None) -> tuple[str, str]:
        """(division, department): the nearest division and group at or above the unit."""
        division = department = ""
        if unit is None:
            return division, department
        chain = [self.units.get(slug) for slug in unit.path.split(TREE_PATH_SEPARATOR) if slug]
        for node in reversed([node for node in chain if node is not None] or [unit]):
            if node.kind == OrgUnitKind.GROUP and not department:
                department = node.name
            if node.kind == OrgUnitKind.DIVISION and not division:
                division = node.name
        return division, department

    def render(self, account: ProvisionedAccount, *, for_patch: bool = False) -> dict[str, Any]:
        person: User = account.person
        kept = dict(account.attributes or {})
        resource: dict[str, Any] = {
            "schemas": [USER_SCHEMA],
            "id": str(account.scim_id),
            "userName": account.user_name,
        }
        if account.external_id:
            resource["externalId"] = account.external_id
        resource["name"] = kept.get("name") or {"formatted": person.display_name}
        resource["displayName"] = person.display_name
        if person.job_title:
            resource["title"] = person.job_title
        for attribute in KEPT_STRINGS:
            if kept.get(attribute):
                resource[attribute] = kept[attribute]
        resource["timezone"] = person.time_zone
        resource["active"] = person.is_active
        resource["emails"] = [
            {"value": person.email, "type": "work", "primary": True},
            *kept.get("emails", []),
        ]
        addresses = _addresses(kept.get("addresses") or [], person)
        if addresses:
            resource["addresses"] = addresses
        for attribute in KEPT_LISTS:
            if kept.get(attribute):
                resource[attribute] = kept[attribute]
        groups = self.groups.get(person.pk, [])
        if groups and not for_patch:
            resource["groups"] = [
                {
                    "value": str(group.scim_id),
                    "display": group.display_name,
                    "$ref": self.request.build_absolute_uri(
                        reverse("scim:group", args=[str(group.scim_id)])
                    ),
                }
                for group in groups
            ]
        extension = self._enterprise(person, kept.get("enterprise") or {})
        if extension or for_patch:
            resource["schemas"].append(ENTERPRISE_SCHEMA)
            resource[ENTERPRISE_SCHEMA] = extension
        if not for_patch:
            resource["meta"] = {
                "resourceType": "User",
                "created": account.created_at.isoformat(),
                "lastModified": account.updated_at.isoformat(),
                "location": user_location(self.request, account),
                "version": etag(account.version),
            }
        return resource

    def _enterprise(self, person: User, kept: Mapping[str, Any]) -> dict[str, Any]:
        extension: dict[str, Any] = {}
        if person.employee_number:
            extension["employeeNumber"] = person.employee_number
        extension.update({key: value for key, value in kept.items() if value})
        division, department = self.org_names(person.org_unit)
        if division:
            extension["division"] = division
        if department:
            extension["department"] = department
        manager = person.manager
        if manager is not None:
            account = getattr(manager, "provisioned_account", None)
            if account is not None:
                extension["manager"] = {
                    "value": str(account.scim_id),
                    "$ref": user_location(self.request, account),
                    "displayName": manager.display_name,
                }
            else:
                extension["manager"] = {"displayName": manager.display_name}
        return extension


def _addresses(kept: list[dict[str, Any]], person: User) -> list[dict[str, Any]]:
    """The kept addresses with the person's country and location on the main one."""
    addresses = [dict(item) for item in kept]
    main = _main(addresses)
    if main is None:
        if not (person.country or person.location):
            return []
        main = {"type": "work", "primary": True}
        addresses.append(main)
    for key, value in (("country", person.country), ("locality", person.location)):
        if value:
            main[key] = value
        elif key == "locality" or len(str(main.get(key, ""))) == 2:
            main.pop(key, None)
    return addresses


def accounts_for_rendering() -> Any:
    return ProvisionedAccount.objects.select_related(
        "person", "person__org_unit", "person__manager", "person__manager__provisioned_account"
    )
