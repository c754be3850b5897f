"""The API's one error format: every error is JSON with a `detail`; 422s add field messages.

- 400, 401, 403, 404, 405, 413, 500: `{"detail": "message"}`.
- 422 (bad input, from request validation or from a service's Django `ValidationError`):
  `{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "errors": {"field": ["msg", ...]}}`
  where `field` is the input's name (dotted for nested values) and `__all__` holds messages
  that concern no single field.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("practica.api")

NON_FIELD = "__all__"
# Where request data comes from in ninja's `loc`; the rest of `loc` names the field.
LOCATIONS = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]
    errors: dict[str, list[str]]


_SCHEMAS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def error_responses(*codes: int) -> dict[int, type[Schema]]:
    """Response schemas of the given error codes, for an operation's `response=` map."""
    return {code: _SCHEMAS[code] for code in codes}


def field_name(loc: Iterable[Any], body_attribute: str | None = None) -> str:
    """The input name a validation error is about: its `loc` without the data's source and
    without the body parameter's own name (`("body", "payload", "bio")` → `bio`)."""
    parts = list(loc)
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if body_attribute is not None and parts and parts[0] == body_attribute:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or NON_FIELD


def validation_payload(items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 body from error items carrying `loc`, `msg`, `type` and `field`."""
    errors: dict[str, list[str]] = defaultdict(list)
    detail = []
    for item in items:
        field = item.get("field") or field_name(item.get("loc", ()))
        errors[field].append(str(item["msg"]))
        detail.append(
            {"loc": list(item.get("loc", ())), "msg": str(item["msg"]), "type": item["type"]}
        )
    return {"detail": detail, "errors": dict(errors)}


def django_validation_items(error: DjangoValidationError) -> list[dict[str, Any]]:
    """Error items of a service's ValidationError: one per message, under its field."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
    items = []
    for field, messages in by_field.items():
        # A service does not know where its input came from (body or query): loc is the field.
        loc = [] if field == NON_FIELD else field.split(".")
        items.extend(
            {"loc": loc, "msg": message, "type": "invalid", "field": field} for message in messages
        )
    return items


def install_error_handlers(api: "NinjaAPI") -> None:
    """Make every error the API can meet a JSON response in the documented format."""

    def respond(request: HttpRequest, body: Mapping[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, dict(body), status=status)

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, validation_payload(exc.errors), 422)

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, validation_payload(django_validation_items(exc)), 422)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You do not have permission to do this.")
        return respond(request, {"detail": message}, 403)

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, {"detail": _("Not found.")}, 404)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _(
            "Authentication required: send a session cookie or `Authorization: Bearer pat_…`."
        )
        response = respond(request, {"detail": message}, exc.status_code)
        response["WWW-Authenticate"] = 'Bearer realm="practica"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, {"detail": str(exc)}, exc.status_code)

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
        return respond(request, {"detail": _("The request body is too large.")}, 413)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return respond(request, {"detail": _("Internal server error.")}, 500)

    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Exception, on_unexpected)
