"""Members' invitations over HTTP: invite colleagues to a community (a result per address),
list the invitations the caller sent, and withdraw one.

Inviting answers 201 when at least one address was invited; when none was, 400 if every
address was malformed and 409 otherwise (already a member, already invited, opted out,
deactivated, the daily allowance) — the body always carries every address's result. A
non-member is a 403; another member's invitation is a 404; withdrawing one somebody joined
with is a 409 `joined`. Writes go through `outreach.services.invitations`, as on the pages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community
from practica.outreach.models import Invitation
from practica.outreach.permissions import can_invite
from practica.outreach.queries.invitations import sent_invitations, with_status
from practica.outreach.schemas_invitations import (
    InvitationBatchOut,
    InvitationOut,
    InvitationResultOut,
    InviteIn,
    RefusalOut,
)
from practica.outreach.services import invitations as services

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 404, 422)


def _result(result: services.InvitationResult) -> InvitationResultOut:
    return InvitationResultOut(
        email=result.email,
        invited=result.invited,
        invitation_id=result.invitation.pk if result.invitation is not None else None,
        code=result.code,
        message=result.message,
    )


def _batch_status(results: list[services.InvitationResult]) -> int:
    if any(result.invited for result in results):
        return 201
    if all(result.code == services.INVALID_ADDRESS for result in results):
        return 400
    return 409


@router.post(
    "/outreach/communities/{slug}/invitations",
    response={201: InvitationBatchOut, 400: InvitationBatchOut, 409: InvitationBatchOut, **ERRORS},
)
def invite_colleagues(request: HttpRequest, slug: Slug, payload: InviteIn) -> Any:
    """Invite colleagues by email to the community (its members only): each address gets a
    mail with a signed one-click join link, or a refusal with its `code` and `message`."""
    community = get_object_or_404(Community, slug=slug)
    if not can_invite(request.auth, community):
        raise PermissionDenied(
            _("Only members of %(name)s can invite colleagues to it.") % {"name": community.name}
        )
    results = services.invite_colleagues(
        community=community, inviter=request.auth, emails=payload.emails, message=payload.message
    )
    invited = sum(1 for result in results if result.invited)
    detail = ngettext(
        "%(invited)s of %(total)s address invited.",
        "%(invited)s of %(total)s addresses invited.",
        len(results),
    ) % {"invited": invited, "total": len(results)}
    return Status(
        _batch_status(results),
        InvitationBatchOut(
            detail=detail,
            invited=invited,
            refused=len(results) - invited,
            results=[_result(result) for result in results],
        ),
    )


@router.get("/outreach/invitations/mine", response={200: list[InvitationOut], **ERRORS})
@paginate(Page)
def list_invitations_i_sent(request: HttpRequest) -> QuerySet[Invitation]:
    """The invitations the caller sent, newest first, each with its `status`."""
    return sent_invitations(request.auth)


@router.post(
    "/outreach/invitations/{invitation_id}/withdraw",
    response={200: InvitationOut, 409: RefusalOut, **ERRORS},
)
def withdraw_invitation(request: HttpRequest, invitation_id: Id) -> Any:
    """Withdraw an invitation the caller sent that nobody has joined with: its link stops
    working. The answer is the invitation as it was."""
    invitation = (
        with_status(Invitation.objects.select_related("community", "invitee"))
        .filter(pk=invitation_id, inviter=request.auth)
        .first()
    )
    if invitation is None:
        raise Http404
    withdrawn = InvitationOut.from_orm(invitation)
    try:
        services.withdraw_invitation(invitation=invitation, actor=request.auth)
    except services.InvitationRefused as refusal:
        return Status(409, {"detail": refusal.message_text, "code": refusal.code})
    return withdrawn
