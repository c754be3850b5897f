"""Who is calling: a personal access token (`Authorization: Bearer pat_…`) or the web session.

Both are declared as OpenAPI security schemes. A token needs no CSRF token (a script cannot
be tricked by another site into sending it); the session cookie can, so unsafe methods on a
session must carry Django's CSRF token (`X-CSRFToken` header), as the web pages do.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from practica.people.permissions import is_signed_in
from practica.people.services import authenticate_access_token


class AccessTokenAuth(HttpBearer):
    """A personal access token, created on the profile page or through `POST /me/tokens`."""

    openapi_bearerFormat = "pat_…"  # noqa: N815 — ninja maps openapi_* names onto the schema
    openapi_description = "A personal access token: `Authorization: Bearer pat_…`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = authenticate_access_token(token.strip())
        if person is None:
            return None
        # Permission predicates and services read request.user; make it the token's owner.
        request.user = person
        return person


class SessionAuth(APIKeyCookie):
    """The signed-in web session; unsafe methods need the CSRF token as well."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The web session cookie. POST, PATCH, PUT and DELETE also need the `X-CSRFToken` header."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF is checked in authenticate, only for a signed-in session, so an anonymous
        # caller gets 401 rather than a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if not is_signed_in(user):
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user


access_token_auth = AccessTokenAuth()
session_auth = SessionAuth(csrf=True)
API_AUTH = [access_token_auth, session_auth]
