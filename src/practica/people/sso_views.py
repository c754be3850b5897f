"""The two screens of single sign-on, mounted at /oidc/ by mozilla-django-oidc's URLs (the
settings name these classes in OIDC_AUTHENTICATE_CLASS and OIDC_CALLBACK_CLASS).

Both answer 404 while SSO is not configured. A sign-in that fails — cancelled at the
provider, a tampered or stale state, a token the provider or Practica refuses, a provider that
does not answer, a deactivated account — lands on the sign-in page with a message saying so,
never on an error page.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from practica.people.identities import SignInRefusedError

logger = logging.getLogger(__name__)

BACKEND_PATH = "practica.people.sso.CompanyAccountBackend"


def sso_enabled() -> bool:
    """Whether signing in at the company's provider is offered (a client id and the backend)."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", "")) and (
        BACKEND_PATH in settings.AUTHENTICATION_BACKENDS
    )


def provider_name() -> str:
    """The provider's name for the sign-in button ("Contoso"), or "" when not configured."""
    return str(getattr(settings, "OIDC_PROVIDER_NAME", "") or "").strip()


def _protocol_failures() -> tuple[type[Exception], ...]:
    """What can go wrong between the provider's redirect and a session, other than a refusal
    about the person: the library's checks, HTTP to the provider, JWT parsing, answers that
    are not the JSON the protocol promises. Imported here, not at start-up: the backend has
    loaded requests and PyJWT by the time a callback fails, and URL loading stays light."""
    import requests
    from jwt import PyJWTError

    return (SuspiciousOperation, requests.RequestException, PyJWTError, ValueError, KeyError)


class ProviderSignInView(OIDCAuthenticationRequestView):
    """Start signing in: redirect to the provider with state, nonce and a PKCE challenge."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """Finish signing in where the provider redirects back with a code (or an error)."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SignInRefusedError as refusal:
            logger.info("Single sign-on refused (%s).", refusal.reason)
            return self._back_to_sign_in(str(refusal))
        except Exception as error:
            if not isinstance(error, _protocol_failures()):
                raise
            logger.warning("Single sign-on failed: %s", error)
            return self._back_to_sign_in(self._did_not_work())

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error") == "access_denied":
            if provider_name():
                message = _("Signing in at %(provider)s was cancelled or refused.") % {
                    "provider": provider_name()
                }
            else:
                message = _("Signing in at your company's provider was cancelled or refused.")
            return self._back_to_sign_in(message)
        return self._back_to_sign_in(self._did_not_work())

    def _did_not_work(self) -> str:
        if provider_name():
            return _(
                "Signing in with %(provider)s did not work. Start again, or sign in with your "
                "password."
            ) % {"provider": provider_name()}
        return _(
            "Signing in with your company account did not work. Start again, or sign in with "
            "your password."
        )

    def _back_to_sign_in(self, message: str) -> HttpResponse:
        messages.error(self.request, message)
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE))
