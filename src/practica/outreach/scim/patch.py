"""SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's document, in memory.

The endpoint renders the resource as a complete document, applies the operations here, and
hands the result to the same code as a PUT (with what the operations removed cleared), so a
PATCH means exactly what the equivalent replacement would. Accepted shapes include the ones
identity providers really send:

- Entra ID: `{"op": "Replace", "path": "active", "value": "False"}` (capitalised operation,
  string booleans), `emails[type eq "work"].value`, `addresses[type eq "work"].country`, the
  enterprise URN path `urn:…:enterprise:2.0:User:manager` with a plain id as value, and a
  path-less value object with dotted or URN-qualified keys;
- Okta: `{"op": "replace", "value": {"active": false}}`, group members added as
  `{"op": "add", "path": "members", "value": [{"value": "<id>"}]}` and removed as
  `members[value eq "<id>"]` (or path `members` with the ids as value).

An operation naming an element that a filter selects but that does not exist yet (Entra's
first `emails[type eq "work"].value`) creates it from the filter's equalities.
"""

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from practica.outreach.scim.filters import (
    KNOWN_SCHEMAS,
    FilterError,
    PatchPath,
    equalities,
    lookup,
    matches,
    parse_patch_path,
)
from practica.outreach.scim.http import PATCH_SCHEMA, ScimError

OPERATIONS = frozenset({"add", "replace", "remove"})
MAX_OPERATIONS = 1000
MULTI_VALUED = frozenset(
    {
        "emails",
        "phonenumbers",
        "ims",
        "photos",
        "addresses",
        "entitlements",
        "roles",
        "x509certificates",
        "groups",
        "members",
    }
)


def apply_patch(document: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `document` with the PatchOp `body`'s operations applied in order."""
    schemas = body.get("schemas")
    if schemas is not None and (
        not isinstance(schemas, list)
        or PATCH_SCHEMA.lower() not in {str(urn).lower() for urn in schemas}
    ):
        raise ScimError(
            400,
            _("A PATCH request lists the schema %(urn)s.") % {"urn": PATCH_SCHEMA},
            "invalidSyntax",
        )
    _key, operations = lookup(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, _("A PATCH request needs a list of Operations."), "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(
            400,
            _("Send at most %(n)d operations in one PATCH request.") % {"n": MAX_OPERATIONS},
            "invalidValue",
        )
    patched = copy.deepcopy(dict(document))
    for operation in operations:
        _apply_operation(patched, operation)
    return patched


def _apply_operation(document: dict[str, Any], operation: Any) -> None:
    if not isinstance(operation, Mapping):
        raise ScimError(400, _("Each operation must be an object."), "invalidSyntax")
    _key, name = lookup(operation, "op")
    op = name.lower() if isinstance(name, str) else ""
    if op not in OPERATIONS:
        raise ScimError(
            400,
            _("“%(op)s” is not a PATCH operation: use add, replace or remove.") % {"op": name},
            "invalidSyntax",
        )
    _key, path_text = lookup(operation, "path")
    value_key, value = lookup(operation, "value")
    if path_text in (None, ""):
        if op == "remove":
            raise ScimError(400, _("A remove operation needs a path."), "noTarget")
        if not isinstance(value, Mapping):
            raise ScimError(
                400, _("Without a path, the value must be an object of attributes."), "invalidValue"
            )
        for attribute, item in value.items():
            _apply_path(document, op, _path(attribute), item, has_value=True)
        return
    _apply_path(document, op, _path(path_text), value, has_value=value_key is not None)


def _path(text: Any) -> PatchPath:
    try:
        return parse_patch_path(text)
    except FilterError as error:
        raise ScimError(400, str(error), "invalidPath") from error


def _set(container: dict[str, Any], name: str, value: Any) -> None:
    key, _current = lookup(container, name)
    container[key or name] = value


def _container(document: dict[str, Any], path: PatchPath) -> dict[str, Any]:
    """The object the path's attribute lives in: the document, or an extension's object."""
    schema = path.attr.schema
    if not schema or schema.startswith("urn:ietf:params:scim:schemas:core:"):
        return document
    key, extension = lookup(document, schema)
    if not isinstance(extension, dict):
        canonical = next((urn for urn in KNOWN_SCHEMAS if urn.lower() == schema), schema)
        extension = {}
        document[key or canonical] = extension
    return extension


def _apply_path(
    document: dict[str, Any], op: str, path: PatchPath, value: Any, *, has_value: bool
) -> None:
    if path.whole_extension:
        canonical = next((urn for urn in KNOWN_SCHEMAS if urn.lower() == path.attr.schema), "")
        if op == "remove":
            key, _current = lookup(document, canonical)
            if key is not None:
                document[key] = {}
            return
        if not isinstance(value, Mapping):
            raise ScimError(400, _("An extension's value must be an object."), "invalidValue")
        extension = _container(document, path)
        for attribute, item in value.items():
            _apply_path(extension, op, _path(attribute), item, has_value=True)
        return
    container = _container(document, path)
    name = path.attr.name
    if name.lower() in ("id", "meta", "schemas"):
        return  # read-only: clients (Okta's group PATCH) send the id back; nothing to do
    if path.filter is not None:
        _apply_filtered(container, op, path, value)
        return
    sub = path.attr.sub
    if sub:
        _apply_sub(container, op, name, sub, value)
        return
    key, current = lookup(container, name)
    if op == "remove":
        if key is None:
            return
        if has_value and isinstance(current, list) and value is not None:
            removed = value if isinstance(value, list) else [value]
            container[key] = [item for item in current if not _listed(item, removed)]
        else:
            del container[key]
        return
    if not has_value:
        raise ScimError(400, _("An add or replace operation needs a value."), "invalidValue")
    if name.lower() in MULTI_VALUED or isinstance(current, list):
        items = value if isinstance(value, list) else [value]
        if op == "add" and isinstance(current, list):
            items = current + [item for item in items if not _listed(item, current)]
        container[key or name] = items
    elif isinstance(current, dict) and isinstance(value, Mapping):
        current.update(value)  # a complex attribute: the given sub-attributes only
    else:
        container[key or name] = value


def _apply_sub(container: dict[str, Any], op: str, name: str, sub: str, value: Any) -> None:
    """`name.familyName`, or a sub-attribute of every element of a multi-valued attribute."""
    key, current = lookup(container, name)
    targets: list[dict[str, Any]]
    if isinstance(current, list):
        targets = [item for item in current if isinstance(item, dict)]
    elif isinstance(current, dict):
        targets = [current]
    elif op == "remove":
        return
    else:
        created: dict[str, Any] = {}
        container[key or name] = [created] if name.lower() in MULTI_VALUED else created
        targets = [created]
    for target in targets:
        if op == "remove":
            sub_key, _old = lookup(target, sub)
            if sub_key is not None:
                del target[sub_key]
        else:
            _set(target, sub, value)


def _apply_filtered(container: dict[str, Any], op: str, path: PatchPath, value: Any) -> None:
    name = path.attr.name
    key, current = lookup(container, name)
    if current is None:
        current = []
    if not isinstance(current, list):
        raise ScimError(
            400,
            _("“%(attribute)s” is not multi-valued: it takes no filter.") % {"attribute": name},
            "invalidPath",
        )
    container[key or name] = current
    assert path.filter is not None
    try:
        selected = [item for item in current if matches(path.filter, item)]
    except FilterError as error:
        raise ScimError(400, str(error), "invalidFilter") from error
    if op == "remove":
        if path.sub:
            for item in selected:
                sub_key, _old = lookup(item, path.sub)
                if sub_key is not None:
                    del item[sub_key]
        else:
            container[key or name] = [
                item for item in current if not any(item is chosen for chosen in selected)
            ]
        return
    if not selected:
        template = equalities(path.filter)
        if template is None:
            raise ScimError(
                400,
                _("No value of “%(attribute)s” matches the filter.") % {"attribute": name},
                "noTarget",
            )
        created = dict(template)
        current.append(created)
        selected = [created]
    for item in selected:
        if path.sub:
            _set(item, path.sub, value)
        elif isinstance(value, Mapping):
            item.update(value)
        else:
            raise ScimError(
                400, _("The value for a filtered path must be an object."), "invalidValue"
            )


def _listed(item: Any, items: Iterable[Any]) -> bool:
    """Whether `item` is among `items`: by their "value" when they have one."""
    wanted = _identity(item)
    return any(_identity(other) == wanted for other in items)


def _identity(item: Any) -> Any:
    if isinstance(item, Mapping):
        _key, value = lookup(item, "value")
        if value is not None:
            return str(value).lower()
    return item
