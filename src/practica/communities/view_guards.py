"""What the community screens (groups, ladder and board, strategy, program) share: finding
the community, the friendly 403 page, and turning a service's refusal into words on the page
or errors on a form."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from practica.communities.models import Community


def community_or_404(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def attach_refusal(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message under its field when the
    form has it, above the form otherwise."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, messages in by_field.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "communities/forbidden.html", context, status=403)


def safe_next(request: HttpRequest) -> str:
    """The `next` address the request carried when it stays on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the safe `next` the form carried, or to `default`."""
    return redirect(safe_next(request) or default)
