"""Outreach screens: members invite colleagues to a community (one or several addresses,
with a result per address), see the invitations they sent and where each stands, and
withdraw one nobody has used.

Writes go through `outreach.services.invitations`; a non-member gets a 403 from the invite
page, and another member's invitation is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.outreach.forms.invitations import InviteColleaguesForm
from practica.outreach.models import Invitation
from practica.outreach.permissions import can_invite
from practica.outreach.queries.invitations import (
    STATUS_LABELS,
    communities_to_invite_to,
    invitations_left_today,
    sent_invitations,
)
from practica.outreach.services import invitations as services
from practica.outreach.views.refusals import refusal

INVITATIONS_PER_PAGE = 25
RECENT_ON_INVITE_PAGE = 5


def _invite_page(
    request: HttpRequest,
    community: Community,
    form: InviteColleaguesForm,
    *,
    results: list[services.InvitationResult] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "community": community,
        "form": form,
        "results": results,
        "invited_count": sum(1 for result in results or () if result.invited),
        "left_today": invitations_left_today(request.user),
        "recent": list(sent_invitations(request.user, community=community)[:RECENT_ON_INVITE_PAGE]),
        "status_labels": STATUS_LABELS,
    }
    return render(request, "outreach/invitations/invite.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def invite_colleagues(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    if not can_invite(request.user, community):
        raise PermissionDenied(
            _("Only members of %(name)s can invite colleagues to it.") % {"name": community.name}
        )
    if request.method == "GET":
        return _invite_page(request, community, InviteColleaguesForm())
    form = InviteColleaguesForm(request.POST)
    if not form.is_valid():
        return _invite_page(request, community, form, status=422)
    try:
        results = services.invite_colleagues(
            community=community,
            inviter=request.user,
            emails=form.cleaned_data["emails"],
            message=form.cleaned_data["message"],
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, refusal(error))
        return _invite_page(request, community, form, status=422)
    # Keep the note and the refused addresses in the form, so they can be corrected.
    refused = "\n".join(result.email for result in results if not result.invited)
    again = InviteColleaguesForm(
        initial={"emails": refused, "message": form.cleaned_data["message"] if refused else ""}
    )
    return _invite_page(request, community, again, results=results)


@login_required
@require_GET
def my_invitations(request: HttpRequest) -> HttpResponse:
    page = Paginator(sent_invitations(request.user), INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "status_labels": STATUS_LABELS,
        "communities": list(communities_to_invite_to(request.user)),
    }
    return render(request, "outreach/invitations/mine.html", context)


@login_required
@require_POST
def withdraw_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("community"), pk=pk)
    if invitation.inviter_id != request.user.pk:
        raise Http404
    try:
        services.withdraw_invitation(invitation=invitation, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn; its link no longer works.")
            % {"email": invitation.email},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("outreach:my_invitations")
    return redirect(target)


routes: list[URLPattern] = [
    path("communities/<slug:slug>/invite/", invite_colleagues, name="invite"),
    path("invitations/", my_invitations, name="my_invitations"),
    path("invitations/<int:pk>/withdraw/", withdraw_invitation, name="invitation_withdraw"),
]
