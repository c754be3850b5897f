"""SCIM over HTTP: the bearer-token check, JSON in and out as `application/scim+json`, errors
in RFC 7644's format (§3.12), ETags, paging and attribute selection.

Every endpoint is wrapped by `scim_endpoint`: it refuses a missing or wrong token with 401,
runs a writing request in one transaction (so a refusal leaves nothing applied), and turns
every refusal a service raises into a SCIM error body — never an HTML page, never a 500.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from practica.outreach.scim.filters import (
    Field,
    FilterError,
    lookup,
    parse_filter,
    to_q,
    uuid_or_none,
)
from practica.outreach.services.lifecycle import ProvisioningError
from practica.outreach.services.tokens import authenticate_provisioning_token

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MAX_PAGE = 200
DEFAULT_PAGE = 100
MAX_START_INDEX = 10_000_000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALWAYS_RETURNED = frozenset({"id", "schemas", "meta"})

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


class ScimError(Exception):
    """A refusal answered with SCIM's error body; `scim_type` is RFC 7644's scimType."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


def scim_response(
    body: Mapping[str, Any] | None, status: int = 200, *, version: int | None = None
) -> HttpResponse:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    if version is not None:
        response["ETag"] = etag(version)
    return response


def resource_response(
    resource: Mapping[str, Any], *, version: int, location: str, status: int = 200
) -> HttpResponse:
    """One resource as SCIM answers it: with its ETag, and its Location when just created."""
    response = scim_response(resource, status, version=version)
    if status == 201:
        response["Location"] = location
    return response


def error_response(status: int, detail: str, scim_type: str = "") -> HttpResponse:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return scim_response(body, status)


def etag(version: int) -> str:
    return f'W/"{version}"'


def check_if_match(request: HttpRequest, version: int) -> None:
    """Honour `If-Match` when the client sends it: a stale ETag is a 412."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if f'"{version}"' not in wanted:
        raise ScimError(412, _("The resource has changed since you read it (ETag mismatch)."))


def not_modified(request: HttpRequest, version: int) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return f'"{version}"' in wanted or "*" in wanted


def _unauthorized() -> HttpResponse:
    response = error_response(
        401, _("Send a valid provisioning token as “Authorization: Bearer scim_…”.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="practica-scim"'
    return response


def _provisioning_error(error: ProvisioningError) -> HttpResponse:
    status = 409 if error.code == "uniqueness" else 400
    return error_response(status, str(error), error.code)


def _validation_error(error: ValidationError) -> HttpResponse:
    return error_response(400, " ".join(error.messages), "invalidValue")


def scim_endpoint(*methods: str) -> Callable[[View], View]:
    """Make a view a SCIM endpoint answering `methods` (see the module docstring)."""
    allowed = frozenset(methods)

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            scheme, _space, secret = header.partition(" ")
            token = (
                authenticate_provisioning_token(secret.strip())
                if scheme.lower() == "bearer"
                else None
            )
            if token is None:
                return _unauthorized()
            if request.method not in allowed:
                response = error_response(
                    405,
                    _("%(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": ", ".join(sorted(allowed))},
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            request.scim_token = token  # type: ignore[attr-defined]
            try:
                if request.method in UNSAFE_METHODS:
                    with transaction.atomic():
                        return view(request, *args, **kwargs)
                return view(request, *args, **kwargs)
            except ScimError as error:
                return error_response(error.status, error.detail, error.scim_type)
            except ProvisioningError as error:
                return _provisioning_error(error)
            except ValidationError as error:
                return _validation_error(error)
            except PermissionDenied as error:
                return error_response(403, str(error) or _("Not allowed."))
            except RequestDataTooBig:
                return error_response(413, _("The request body is too large."))

        return endpoint

    return decorate


def serve_resource(
    request: HttpRequest,
    *,
    load: Callable[..., Any],
    show: Callable[[Any], HttpResponse],
    delete: Callable[[Any], None],
    change: Callable[[Any, dict[str, Any]], None],
) -> HttpResponse:
    """One resource's GET, PUT, PATCH and DELETE around its ETag (`version`). GET answers 304 when
    If-None-Match names the current version; a write loads the row locked
    (`load(lock=True)`) and checks If-Match first (412 when stale); DELETE answers 204; PUT
    and PATCH hand the JSON body to `change`, then `show` the resource."""
    if request.method == "GET":
        found = load(lock=False)
        if not_modified(request, found.version):
            return scim_response(None, 304, version=found.version)
        return show(found)
    found = load(lock=True)
    check_if_match(request, found.version)
    if request.method == "DELETE":
        delete(found)
        return scim_response(None, 204)
    change(found, json_body(request))
    return show(found)


# --- Reading requests -------------------------------------------------------------------------


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; 400 invalidSyntax for anything else."""
    try:
        document = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ScimError(400, _("The request body is not valid JSON."), "invalidSyntax") from error
    if not isinstance(document, dict):
        raise ScimError(400, _("The request body must be a JSON object."), "invalidSyntax")
    if _has_nul(document):
        raise ScimError(400, _("Text may not contain NUL characters."), "invalidValue")
    return document


def page_parameters(request: HttpRequest) -> tuple[int, int]:
    """`startIndex` (1-based, at least 1) and `count` (0 to MAX_PAGE)."""

    def number(name: str, default: int) -> int:
        raw = request.GET.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError as error:
            raise ScimError(
                400, _("%(name)s must be a whole number.") % {"name": name}, "invalidValue"
            ) from error

    start = min(max(number("startIndex", 1), 1), MAX_START_INDEX)
    count = min(max(number("count", DEFAULT_PAGE), 0), MAX_PAGE)
    return start, count


def filtered(request: HttpRequest, queryset: QuerySet, fields: Mapping[str, Field]) -> QuerySet:
    """The queryset narrowed by the request's `filter`; 400 invalidFilter when it is bad."""
    text = request.GET.get("filter")
    if text is None:
        return queryset
    try:
        return queryset.filter(to_q(parse_filter(text), fields))
    except FilterError as error:
        raise ScimError(400, str(error), "invalidFilter") from error


def page_of(request: HttpRequest, queryset: QuerySet) -> tuple[list[Any], int, int]:
    """The page of an ordered queryset the request asks for: (rows, totalResults, startIndex)."""
    start, count = page_parameters(request)
    total = queryset.count()
    rows = list(queryset[start - 1 : start - 1 + count]) if count else []
    return rows, total, start


def one_by_scim_id(queryset: QuerySet[M], scim_id: str, missing: str) -> M:
    """The resource whose SCIM id is `scim_id`; 404 with `missing` when there is none."""
    parsed = uuid_or_none(scim_id)
    found = queryset.filter(scim_id=parsed).first() if parsed else None
    if found is None:
        raise ScimError(404, missing)
    return found


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> HttpResponse:
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
    )


# --- Choosing attributes (`attributes`, `excludedAttributes`) ---------------------------------


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _path_parts(path: str, extensions: Iterable[str]) -> list[str]:
    """`urn:…:User:manager.value` → [urn, "manager", "value"]; core URNs dropped."""
    lowered = path.lower()
    for urn in extensions:
        if lowered == urn.lower():
            return [urn]
        if lowered.startswith(urn.lower() + ":"):
            return [urn, *path[len(urn) + 1 :].split(".")]
    if lowered.startswith("urn:"):
        prefix, _sep, rest = path.rpartition(":")
        if "extension" not in prefix.lower():
            return rest.split(".")
        return [prefix, *rest.split(".")]
    return path.split(".")


def attribute_left_out(request: HttpRequest, name: str) -> bool:
    """Whether `attributes` or `excludedAttributes` leave the top-level attribute `name` out
    (so it need not be loaded)."""
    wanted = {part.lower() for part in _split(request.GET.get("attributes"))}
    excluded = {part.lower() for part in _split(request.GET.get("excludedAttributes"))}
    name = name.lower()
    return name in excluded or (bool(wanted) and name not in wanted)


def select_attributes(
    request: HttpRequest, resource: dict[str, Any], extensions: Iterable[str] = ()
) -> dict[str, Any]:
    """The resource trimmed to the `attributes` asked for, or without `excludedAttributes`."""
    wanted = _split(request.GET.get("attributes"))
    excluded = _split(request.GET.get("excludedAttributes"))
    extensions = list(extensions)
    if wanted:
        kept: dict[str, Any] = {key: resource[key] for key in ALWAYS_RETURNED if key in resource}
        for path in wanted:
            _copy_path(resource, kept, _path_parts(path, extensions))
        return kept
    if excluded:
        trimmed = json.loads(json.dumps(resource))
        for path in excluded:
            _drop_path(trimmed, _path_parts(path, extensions))
        return trimmed
    return resource


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    key, value = lookup(source, parts[0])
    if key is None:
        return
    if len(parts) == 1 or not isinstance(value, Mapping | list):
        target[key] = value
        return
    if isinstance(value, list):
        target[key] = [
            {k: v for k, v in item.items() if k.lower() == parts[1].lower()}
            for item in value
            if isinstance(item, Mapping)
        ]
        return
    branch = target.setdefault(key, {})
    if isinstance(branch, dict):
        _copy_path(value, branch, parts[1:])


def _drop_path(document: dict[str, Any], parts: list[str]) -> None:
    key, value = lookup(document, parts[0])
    if key is None or key in ALWAYS_RETURNED:
        return
    if len(parts) == 1:
        del document[key]
    elif isinstance(value, dict):
        _drop_path(value, parts[1:])
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                _drop_path(item, parts[1:])
