"""Provisioning screens (staff only): the SCIM tokens identity providers use — created with
the secret shown once, and revoked — and the log of every change provisioning made to a
person, filtered by kind and source.

Others get a 403 page; the token service checks the same predicate.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.outreach.forms.provisioning import PersonChangeFilterForm, ProvisioningTokenForm
from practica.outreach.models import ProvisioningToken
from practica.outreach.permissions import can_manage_provisioning
from practica.outreach.queries.provisioning import (
    describe_changes,
    person_changes,
    provisioning_summary,
    provisioning_tokens,
)
from practica.outreach.services import tokens as token_services
from practica.people.views import add_service_errors

CHANGES_PER_PAGE = 50
RECENT_CHANGES = 8


def _staff_only(request: HttpRequest) -> None:
    if not can_manage_provisioning(request.user):
        raise PermissionDenied(_("Provisioning is for the platform's staff."))


def scim_base_url(request: HttpRequest) -> str:
    """The address to give the identity provider (`…/scim/v2/`)."""
    return request.build_absolute_uri(reverse("scim:users")).removesuffix("Users")


@login_required
@require_http_methods(["GET", "POST"])
def provisioning(request: HttpRequest) -> HttpResponse:
    """The tokens, a form for a new one (its secret is on the answer page, once), the SCIM
    address, and the latest changes."""
    _staff_only(request)
    new_secret = None
    status = 200
    form = ProvisioningTokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, new_secret = token_services.create_provisioning_token(
                    name=form.cleaned_data["name"], actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                form = ProvisioningTokenForm()
        if form.is_bound and form.errors:
            status = 422
    recent = describe_changes(person_changes()[:RECENT_CHANGES])
    context = {
        "form": form,
        "new_secret": new_secret,
        "tokens": provisioning_tokens(),
        "summary": provisioning_summary(),
        "recent": recent,
        "scim_url": scim_base_url(request),
    }
    return render(request, "outreach/provisioning/provisioning.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    token = get_object_or_404(ProvisioningToken, pk=pk)
    token_services.revoke_provisioning_token(token=token, actor=request.user)
    messages.success(
        request,
        _("Token “%(name)s” revoked: the identity provider can no longer use it.")
        % {"name": token.name},
    )
    return redirect("outreach:provisioning")


@login_required
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """The change log, newest first, filtered by kind and source; 50 to a page."""
    _staff_only(request)
    form = PersonChangeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = person_changes(kind=filters.get("kind", ""), source=filters.get("source", ""))
    page_obj = Paginator(rows, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = describe_changes(page_obj.object_list)
    context = {
        "form": form,
        "page_obj": page_obj,
        "filtered": any(filters.values()),
    }
    return render(request, "outreach/provisioning/changes.html", context)


routes: list[URLPattern] = [
    path("provisioning/", provisioning, name="provisioning"),
    path("provisioning/tokens/<int:pk>/revoke/", token_revoke, name="provisioning_token_revoke"),
    path("provisioning/changes/", changes, name="person_changes"),
]
