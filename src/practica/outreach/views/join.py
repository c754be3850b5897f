"""Outreach screens: the signed one-click join link, and opting out of outreach.

`join/<token>/` — GET records the click (first time only) and shows the community with one
"Join" button (POST). Signed-out visitors are asked to sign in and come back to the same page.
A tampered link is a 400 page, an expired (or dead) one a 410, both saying what happened and
where to find the community. `opt-out/<token>/` — GET asks to confirm, POST records the
opt-out; mail clients' one-click `List-Unsubscribe=One-Click` POST works too (the signed
token is the proof, so no CSRF token is needed).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from practica.communities.models import Community, Membership, MembershipRequest, RequestStatus
from practica.outreach.join_links import (
    BadJoinLink,
    JoinTicket,
    read_join_token,
    read_opt_out_token,
)
from practica.outreach.services.joining import (
    JoinTarget,
    is_opted_out,
    join_from_link,
    join_target,
    opt_out_of_outreach,
    record_join_click,
)
from practica.people.permissions import is_signed_in


def _community_of(ticket: JoinTicket | None) -> Community | None:
    if ticket is None:
        return None
    target = join_target(ticket)
    return target.community if target is not None else None


def _bad_link(request: HttpRequest, bad: BadJoinLink, *, opt_out: bool = False) -> HttpResponse:
    status = 400 if bad.reason == "tampered" else 410
    context = {
        "reason": bad.reason,
        "community": _community_of(bad.ticket),
        "opt_out": opt_out,
    }
    return render(request, "outreach/join/bad_link.html", context, status=status)


def _sign_in_url(request: HttpRequest) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"


def _join_page(
    request: HttpRequest, target: JoinTarget, *, error: str = "", status: int = 200
) -> HttpResponse:
    community = target.community
    user = request.user
    membership = join_request = None
    if is_signed_in(user):
        membership = Membership.objects.current().filter(community=community, person=user).first()
        join_request = MembershipRequest.objects.filter(
            community=community, person=user, status=RequestStatus.PENDING
        ).first()
    addressee = target.recipient.person if target.recipient is not None else None
    # Deactivated accounts cannot sign in: tell their addressee so instead of a sign-in button.
    deactivated = (user.is_authenticated and not user.is_active) or (
        not user.is_authenticated and addressee is not None and not addressee.is_active
    )
    context = {
        "community": community,
        "member_count": Membership.objects.current().filter(community=community).count(),
        "membership": membership,
        "join_request": join_request,
        "deactivated": deactivated,
        "signed_in": is_signed_in(user),
        "sign_in_url": _sign_in_url(request),
        "error": error,
        "is_addressee": is_signed_in(user) and target.is_addressee(user),
        "sent_to_someone_else": (
            is_signed_in(user)
            and target.ticket.kind != "community"
            and not target.is_addressee(user)
        ),
    }
    return render(request, "outreach/join/join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ticket = read_join_token(token)
    except BadJoinLink as bad:
        return _bad_link(request, bad)
    target = join_target(ticket)
    if target is None:
        return _bad_link(request, BadJoinLink("gone"))
    if request.method == "GET":
        record_join_click(ticket=ticket)
        return _join_page(request, target)
    if not request.user.is_authenticated:
        return redirect(_sign_in_url(request))
    try:
        result = join_from_link(ticket=ticket, person=request.user)
    except PermissionDenied as refusal:
        return _join_page(request, target, error=str(refusal), status=403)
    except ValidationError as refusal:
        return _join_page(request, target, error=" ".join(refusal.messages), status=422)
    community = target.community
    if isinstance(result, MembershipRequest):
        messages.info(
            request,
            _("%(name)s is closed: your request to join went to its managers.")
            % {"name": community.name},
        )
    else:
        messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
    return redirect(reverse("communities:detail", args=[community.slug]))


@csrf_exempt  # mail clients POST `List-Unsubscribe=One-Click` with no session: the token is proof
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = read_opt_out_token(token)
    except BadJoinLink as bad:
        return _bad_link(request, bad, opt_out=True)
    if request.method == "POST":
        person = request.user if is_signed_in(request.user) else None
        if person is not None and person.email.lower() != email:
            person = None
        opt_out_of_outreach(email=email, person=person)
        return render(request, "outreach/join/opted_out.html", {"email": email})
    context = {"email": email, "already": is_opted_out(email)}
    return render(request, "outreach/join/opt_out.html", context)


routes = [
    path("join/<str:token>/", join, name="join"),
    path("opt-out/<str:token>/", opt_out, name="opt_out"),
]
