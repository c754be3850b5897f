"""Keeps every answer under /api/ JSON, including the 405 that ninja renders as plain text."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            json_response = JsonResponse(
                {
                    "detail": _("%(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": allowed or _("another method")}
                },
                status=405,
            )
            if allowed:
                json_response["Allow"] = allowed
            return json_response
        return response
