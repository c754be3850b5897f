"""SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parsed into a small tree,
then turned into a Django `Q` over the attributes a resource supports, or matched against
the elements of a multi-valued attribute in memory (`emails[type eq "work"]`).

    filter    = orExp
    orExp     = andExp *("or" andExp)
    andExp    = unary *("and" unary)
    unary     = "not" "(" filter ")" / "(" filter ")" / valuePath / attrExp
    valuePath = attrPath "[" filter "]"
    attrExp   = attrPath "pr" / attrPath compareOp compValue
    compValue = "true" / "false" / "null" / number / string (JSON)
    attrPath  = [schema URN ":"] name ["." subName]

Operators and keywords are case-insensitive, as are attribute names. Anything else raises
`FilterError`, which the endpoints answer with 400 `invalidFilter` (or `invalidPath`).
"""

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 20
COMPARE_OPS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
KNOWN_SCHEMAS = (
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
)
NAME = re.compile(r"^[A-Za-z$][\w$-]*$")
NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$")
TOKEN = re.compile(
    r'\s*(?:(?P<punct>[()\[\]])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()\[\]"]+))'
)


class FilterError(ValueError):
    """A filter or path that does not parse, or names what the resource cannot filter on."""


# --- The tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttrPath:
    """`schema` is the URN written before the name ("" when none), lower-cased."""

    schema: str
    name: str
    sub: str = ""

    @property
    def key(self) -> str:
        """How a resource's attribute table names it: "name.familyname", or with an
        extension's URN in front; lower-case, core schemas dropped."""
        dotted = f"{self.name}.{self.sub}" if self.sub else self.name
        dotted = dotted.lower()
        if self.schema and not self.schema.startswith("urn:ietf:params:scim:schemas:core:"):
            return f"{self.schema}:{dotted}"
        return dotted


@dataclass(frozen=True)
class Compare:
    path: AttrPath
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class And:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Or:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Not:
    inner: "Node"


@dataclass(frozen=True)
class ValuePath:
    path: AttrPath
    inner: "Node"


Node = Compare | Present | And | Or | Not | ValuePath


def parse_attr_path(text: str) -> AttrPath:
    """`userName`, `name.familyName`, `urn:…:enterprise:2.0:User:manager.value`."""
    schema = ""
    rest = text
    if text.lower().startswith("urn:"):
        for known in KNOWN_SCHEMAS:
            if text.lower().startswith(known.lower() + ":"):
                schema, rest = known.lower(), text[len(known) + 1 :]
                break
        else:
            schema, _sep, rest = text.rpartition(":")
            schema = schema.lower()
    parts = rest.split(".")
    if len(parts) > 2 or not all(NAME.match(part) for part in parts):
        raise FilterError(_("“%(path)s” is not an attribute path.") % {"path": text})
    return AttrPath(schema=schema, name=parts[0], sub=parts[1] if len(parts) > 1 else "")


# --- Parsing ----------------------------------------------------------------------------------


@dataclass
class _Tokens:
    items: list[tuple[str, str]]
    position: int = 0
    depth: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError(_("The filter ends too early."))
        self.position += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.position += 1
            return token[1].lower()
        return None

    def punct(self, char: str) -> bool:
        token = self.peek()
        if token == ("punct", char):
            self.position += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.punct(char):
            raise FilterError(_("Expected “%(char)s” in the filter.") % {"char": char})


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(_("The filter has an unterminated string."))
        kind = match.lastgroup or "word"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def parse_filter(text: str) -> Node:
    """The tree of a filter; FilterError when it is not one."""
    if not isinstance(text, str) or not text.strip():
        raise FilterError(_("The filter is empty."))
    if len(text) > MAX_FILTER_LENGTH or "\x00" in text:
        raise FilterError(_("The filter is too long or holds a NUL character."))
    tokens = _Tokens(_tokenize(text))
    node = _or(tokens)
    if tokens.peek() is not None:
        raise FilterError(
            _("Unexpected “%(token)s” in the filter.") % {"token": tokens.peek()[1]}  # type: ignore[index]
        )
    return node


def _or(tokens: _Tokens) -> Node:
    node = _and(tokens)
    while tokens.keyword("or"):
        node = Or(node, _and(tokens))
    return node


def _and(tokens: _Tokens) -> Node:
    node = _unary(tokens)
    while tokens.keyword("and"):
        node = And(node, _unary(tokens))
    return node


def _nested(tokens: _Tokens, close: str) -> Node:
    tokens.depth += 1
    if tokens.depth > MAX_DEPTH:
        raise FilterError(_("The filter is nested too deeply."))
    node = _or(tokens)
    tokens.expect(close)
    tokens.depth -= 1
    return node


def _unary(tokens: _Tokens) -> Node:
    if tokens.punct("("):
        return _nested(tokens, ")")
    token = tokens.peek()
    if token and token[0] == "word" and token[1].lower() == "not":
        after = (
            tokens.items[tokens.position + 1] if tokens.position + 1 < len(tokens.items) else None
        )
        if after == ("punct", "("):
            tokens.position += 2
            return Not(_nested(tokens, ")"))
    kind, text = tokens.next()
    if kind != "word":
        raise FilterError(_("Expected an attribute name, found “%(token)s”.") % {"token": text})
    path = parse_attr_path(text)
    if tokens.punct("["):
        if path.sub:
            raise FilterError(_("“%(path)s” cannot take a value filter.") % {"path": text})
        inner = _nested(tokens, "]")
        return ValuePath(path, inner)
    if tokens.keyword("pr"):
        return Present(path)
    op = tokens.keyword(*COMPARE_OPS)
    if op is None:
        found = tokens.peek()
        raise FilterError(
            _(
                "Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after “%(path)s”, "
                "found “%(token)s”."
            )
            % {"path": text, "token": found[1] if found else ""}
        )
    return Compare(path, op, _value(tokens))


def _value(tokens: _Tokens) -> Any:
    kind, text = tokens.next()
    if kind == "string":
        try:
            return json.loads(text)
        except ValueError as error:
            raise FilterError(_("“%(value)s” is not a valid string.") % {"value": text}) from error
    if kind == "word":
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if NUMBER.match(text):
            return json.loads(text)
    raise FilterError(
        _("“%(value)s” is not a value: use a quoted string, a number, true, false or null.")
        % {"value": text}
    )


# --- PATCH paths ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatchPath:
    """`attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`; `attr` may be an extension
    URN itself (its whole object)."""

    attr: AttrPath
    filter: Node | None = None
    sub: str = ""
    whole_extension: bool = False


def parse_patch_path(text: str) -> PatchPath:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_FILTER_LENGTH:
        raise FilterError(_("The PATCH path is empty or too long."))
    text = text.strip()
    for known in KNOWN_SCHEMAS:
        if text.lower() == known.lower():
            return PatchPath(AttrPath(schema=known.lower(), name=""), whole_extension=True)
    bracket = text.find("[")
    if bracket < 0:
        return PatchPath(parse_attr_path(text))
    closing = text.rfind("]")
    if closing < bracket:
        raise FilterError(_("The PATCH path has an unclosed “[”."))
    attr = parse_attr_path(text[:bracket])
    if attr.sub:
        raise FilterError(_("“%(path)s” cannot take a value filter.") % {"path": text})
    inner = parse_filter(text[bracket + 1 : closing])
    tail = text[closing + 1 :]
    sub = ""
    if tail:
        if not tail.startswith(".") or not NAME.match(tail[1:]):
            raise FilterError(_("“%(path)s” is not a PATCH path.") % {"path": text})
        sub = tail[1:]
    return PatchPath(attr, inner, sub)


# --- Matching in memory -----------------------------------------------------------------------


def lookup(mapping: Mapping[str, Any], name: str) -> tuple[str | None, Any]:
    """The key (as stored) and value of `name` in `mapping`, case-insensitively."""
    lowered = name.lower()
    for key, value in mapping.items():
        if key.lower() == lowered:
            return key, value
    return None, None


def _element_value(element: Mapping[str, Any], path: AttrPath) -> Any:
    _key, value = lookup(element, path.name)
    if path.sub:
        _key, value = lookup(value, path.sub) if isinstance(value, Mapping) else (None, None)
    return value


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        actual, expected = actual.lower(), expected.lower()
    elif (
        isinstance(expected, bool)
        and isinstance(actual, str)
        and actual.lower() in ("true", "false")
    ):
        actual = actual.lower() == "true"
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if actual is None or expected is None:
        return False
    if op in ("co", "sw", "ew"):
        if not isinstance(actual, str) or not isinstance(expected, str):
            return False
        return {"co": expected in actual, "sw": actual.startswith(expected)}.get(
            op, actual.endswith(expected)
        )
    try:
        return {
            "gt": actual > expected,
            "ge": actual >= expected,
            "lt": actual < expected,
            "le": actual <= expected,
        }[op]
    except TypeError:
        return False


def matches(node: Node, element: Any) -> bool:
    """Whether one element of a multi-valued attribute (a dict) passes a value filter."""
    if not isinstance(element, Mapping):
        return False
    if isinstance(node, And):
        return matches(node.left, element) and matches(node.right, element)
    if isinstance(node, Or):
        return matches(node.left, element) or matches(node.right, element)
    if isinstance(node, Not):
        return not matches(node.inner, element)
    if isinstance(node, Present):
        return _element_value(element, node.path) not in (None, "", [], {})
    if isinstance(node, Compare):
        return _compare(_element_value(element, node.path), node.op, node.value)
    raise FilterError(_("Value filters cannot be nested."))


def equalities(node: Node) -> dict[str, Any] | None:
    """`type eq "work" and primary eq true` as {"type": "work", "primary": True}; None when
    the filter is anything else (used to create the element a PATCH names but that is
    missing)."""
    if isinstance(node, Compare) and node.op == "eq" and not node.path.sub:
        return {node.path.name: node.value}
    if isinstance(node, And):
        left, right = equalities(node.left), equalities(node.right)
        if left is not None and right is not None:
            return {**left, **right}
    return None


# --- Translating into a query -----------------------------------------------------------------


def uuid_or_none(value: Any) -> uuid.UUID | None:
    """`value` as a UUID (a resource's SCIM id), or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Field:
    """A filterable attribute: the model lookup it reads, its SCIM type and case rule."""

    lookup: str
    type: str = "string"  # string | boolean | dateTime | reference
    case_exact: bool = False
    convert: Callable[[Any], Any] | None = field(default=None, compare=False)


STRING_LOOKUPS = {
    "eq": "exact",
    "co": "contains",
    "sw": "startswith",
    "ew": "endswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}
ORDER_LOOKUPS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}


def to_q(node: Node, fields: Mapping[str, Field]) -> Q:
    """The filter as a Q over the resource's `fields` (keys as `AttrPath.key` gives them)."""
    if isinstance(node, And):
        return to_q(node.left, fields) & to_q(node.right, fields)
    if isinstance(node, Or):
        return to_q(node.left, fields) | to_q(node.right, fields)
    if isinstance(node, Not):
        return ~to_q(node.inner, fields)
    if isinstance(node, ValuePath):
        return to_q(_prefixed(node.inner, node.path), fields)
    spec = _field(node.path, fields)
    if isinstance(node, Present):
        if spec.type == "string":
            return Q(**{f"{spec.lookup}__isnull": False}) & ~Q(**{spec.lookup: ""})
        return Q(**{f"{spec.lookup}__isnull": False})
    return _compare_q(node, spec)


def _prefixed(node: Node, parent: AttrPath) -> Node:
    """Inside `emails[value co "x"]`, `value` stands for `emails.value`."""
    if isinstance(node, And | Or):
        return type(node)(_prefixed(node.left, parent), _prefixed(node.right, parent))
    if isinstance(node, Not):
        return Not(_prefixed(node.inner, parent))
    if isinstance(node, ValuePath):
        raise FilterError(_("Value filters cannot be nested."))
    path = AttrPath(schema=parent.schema, name=parent.name, sub=node.path.name)
    if isinstance(node, Present):
        return Present(path)
    return Compare(path, node.op, node.value)


def _field(path: AttrPath, fields: Mapping[str, Field]) -> Field:
    spec = fields.get(path.key)
    if spec is None:
        shown = f"{path.name}.{path.sub}" if path.sub else path.name
        raise FilterError(
            _("Filtering on “%(attribute)s” is not supported.") % {"attribute": shown}
        )
    return spec


def _compare_q(node: Compare, spec: Field) -> Q:
    value = node.value
    op = node.op
    if value is None:
        if op in ("eq", "ne"):
            query = Q(**{f"{spec.lookup}__isnull": True})
            if spec.type == "string":
                query |= Q(**{spec.lookup: ""})
            return query if op == "eq" else ~query
        raise FilterError(_("Only eq and ne compare with null."))
    if spec.type == "boolean":
        if not isinstance(value, bool) or op not in ("eq", "ne"):
            raise FilterError(_("A boolean attribute is compared with eq or ne and true or false."))
        query = Q(**{spec.lookup: value})
    elif spec.type == "dateTime":
        moment = _moment(value)
        if moment is None or op not in (*ORDER_LOOKUPS, "eq", "ne"):
            raise FilterError(_("A date and time is compared with an ISO 8601 string."))
        query = _ordered(spec.lookup, op, moment)
    else:
        if not isinstance(value, str):
            raise FilterError(_("A text attribute is compared with a quoted string."))
        if spec.convert is not None:
            if op not in ("eq", "ne"):
                raise FilterError(_("This attribute is compared with eq or ne only."))
            converted = spec.convert(value)
            query = Q(**{spec.lookup: converted}) if converted is not None else Q(pk__in=[])
        else:
            lookup = STRING_LOOKUPS.get(op, "exact")
            if not spec.case_exact and lookup in ("exact", "contains", "startswith", "endswith"):
                lookup = f"i{lookup}"
            query = Q(**{f"{spec.lookup}__{lookup}": value})
    return ~query if op == "ne" else query


def _moment(value: Any) -> datetime | None:
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _ordered(lookup: str, op: str, moment: datetime) -> Q:
    if op in ("eq", "ne"):
        return Q(**{lookup: moment})
    return Q(**{f"{lookup}__{ORDER_LOOKUPS[op]}": moment})
