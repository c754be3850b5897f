"""Conference screens: proposing (the form, a proposal's page, editing, submitting,
withdrawing, confirming an accepted one), co-speakers (inviting, removing, the invitation's
accept/decline page), the member's own proposals, and the committee's list of an edition's
proposals.

A proposal the viewer may not see is a 404 (drafts are their speakers' business); the
speakers' names are shown only where `can_see_speakers` allows (double-blind review).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.conference.forms.proposals import InviteForm, ProposalFilterForm, ProposalForm
from practica.conference.models import (
    Proposal,
    ProposalSpeaker,
    ProposalState,
)
from practica.conference.permissions import (
    can_edit_proposal,
    can_propose,
    can_review,
    can_see_comments_to_speakers,
    can_see_speakers,
    can_view_proposal,
    is_chair,
    is_committee,
    is_reviewer,
    is_speaker,
)
from practica.conference.queries.editions import call_status
from practica.conference.queries.proposals import (
    edition_proposals,
    my_invitations,
    my_proposals,
    proposal_with_relations,
    speakers_of,
    state_counts,
)
from practica.conference.services import proposals as services
from practica.conference.services.proposals import EDITABLE_STATES
from practica.conference.views.editions import add_errors, edition_or_404, refusal

PROPOSALS_PER_PAGE = 25


def proposal_or_404(request: HttpRequest, pk: int) -> Proposal:
    """The proposal, if the viewer may see it; a 404 otherwise."""
    proposal = proposal_with_relations(pk)
    if proposal is None or not can_view_proposal(request.user, proposal):
        raise Http404
    return proposal


def proposal_url(proposal: Proposal) -> str:
    return reverse("conference:proposal_detail", args=[proposal.pk])


# --- Proposing --------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: ProposalForm, *, proposal: Proposal | None, status: int = 200
) -> HttpResponse:
    edition = form.edition
    context = {
        "form": form,
        "edition": edition,
        "community": edition.community,
        "proposal": proposal,
        "status": call_status(edition),
    }
    return render(request, "conference/proposals/proposal_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    if not can_propose(request.user, edition):
        raise PermissionDenied(_("This edition does not take proposals from you."))
    if request.method == "GET":
        if not edition.call_is_open():
            messages.info(request, call_status(edition).countdown)
        return _form_page(request, ProposalForm(edition=edition), proposal=None)
    form = ProposalForm(request.POST, edition=edition)
    if form.is_valid():
        submit = "submit" in request.POST
        try:
            proposal = services.create_proposal(
                edition=edition, actor=request.user, submit=submit, **form.cleaned_data["values"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Your proposal is submitted. A confirmation is on its way by email.")
                if submit
                else _("Your draft is saved. Submit it before the deadline."),
            )
            return redirect(proposal_url(proposal))
    return _form_page(request, form, proposal=None, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    if not can_edit_proposal(request.user, proposal):
        raise PermissionDenied(_("Only the proposal's speakers can edit it."))
    edition = proposal.edition
    if request.method == "GET":
        form = ProposalForm(
            edition=edition, proposal=proposal, initial=ProposalForm.initial_for(proposal)
        )
        return _form_page(request, form, proposal=proposal)
    form = ProposalForm(request.POST, edition=edition, proposal=proposal)
    if form.is_valid():
        try:
            services.update_proposal(
                proposal=proposal, actor=request.user, **form.cleaned_data["values"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your proposal is saved."))
            return redirect(proposal_url(proposal))
    return _form_page(request, form, proposal=proposal, status=422)


# --- A proposal's page ------------------------------------------------------------------------


def _detail_context(request: HttpRequest, proposal: Proposal, **extra: Any) -> dict[str, Any]:
    user = request.user
    edition = proposal.edition
    speaking = is_speaker(user, proposal)
    status = call_status(edition)
    editable = speaking and proposal.state in EDITABLE_STATES and status.is_open
    return {
        "proposal": proposal,
        "edition": edition,
        "community": edition.community,
        "status": status,
        "topics": list(proposal.topics.all()),
        "speakers": speakers_of(proposal) if can_see_speakers(user, proposal) else None,
        "is_speaker": speaking,
        "is_committee": is_committee(user, edition),
        "is_chair": is_chair(user, edition),
        "is_reviewer": is_reviewer(user, edition),
        "may_review": can_review(user, proposal),
        "may_read_feedback": can_see_comments_to_speakers(user, proposal),
        "editable": editable,
        "can_withdraw": speaking and proposal.state in services.WITHDRAWABLE_STATES,
        "can_confirm": speaking and proposal.state == ProposalState.ACCEPTED,
        "invite_form": extra.pop("invite_form", None) or InviteForm(),
        **extra,
    }


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    return render(
        request, "conference/proposals/proposal_detail.html", _detail_context(request, proposal)
    )


def _act(request: HttpRequest, proposal: Proposal, action: Any, note: str) -> HttpResponse:
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, note)
    return redirect(proposal_url(proposal))


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    return _act(
        request,
        proposal,
        lambda: services.submit_proposal(proposal=proposal, actor=request.user),
        _("Your proposal is submitted. A confirmation is on its way by email."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST withdraws."""
    proposal = proposal_or_404(request, pk)
    if not is_speaker(request.user, proposal):
        raise PermissionDenied(_("Only the proposal's speakers can withdraw it."))
    if request.method == "POST":
        return _act(
            request,
            proposal,
            lambda: services.withdraw_proposal(proposal=proposal, actor=request.user),
            _("Your proposal is withdrawn."),
        )
    context = {"proposal": proposal, "edition": proposal.edition}
    context["community"] = proposal.edition.community
    return render(request, "conference/proposals/proposal_withdraw.html", context)


@login_required
@require_POST
def proposal_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    confirm = request.POST.get("confirm") == "1"
    return _act(
        request,
        proposal,
        lambda: services.confirm_proposal(proposal=proposal, actor=request.user, confirm=confirm),
        _("Thank you: you will present it. The program will show it soon.")
        if confirm
        else _("You declined; the committee is told by the proposal's state."),
    )


# --- Co-speakers ------------------------------------------------------------------------------


@login_required
@require_POST
def speaker_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            speaker = services.invite_co_speaker(
                proposal=proposal, actor=request.user, email=form.cleaned_data["email"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(email)s is invited; they accept by the link in their mail.")
                % {"email": speaker.email}
                if getattr(speaker, "was_created", True)
                else _("%(email)s was invited already.") % {"email": speaker.email},
            )
            return redirect(f"{proposal_url(proposal)}#speakers")
    context = _detail_context(request, proposal, invite_form=form)
    return render(request, "conference/proposals/proposal_detail.html", context, status=422)


@login_required
@require_POST
def speaker_remove(request: HttpRequest, pk: int, speaker: int) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    row = get_object_or_404(ProposalSpeaker, pk=speaker, proposal=proposal)
    leaving = row.person_id == request.user.pk
    try:
        services.remove_co_speaker(speaker=row, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect(f"{proposal_url(proposal)}#speakers")
    if leaving:
        messages.success(request, _("You are no longer a speaker of this proposal."))
        return redirect(reverse("conference:my_proposals"))
    messages.success(request, _("%(email)s is off the proposal.") % {"email": row.email})
    return redirect(f"{proposal_url(proposal)}#speakers")


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation's link opens: accept or decline, signed in as the address."""
    row = (
        ProposalSpeaker.objects.select_related(
            "proposal", "proposal__edition", "proposal__edition__community", "proposal__created_by"
        )
        .filter(token=token[:64])
        .first()
    )
    if row is None:
        raise Http404
    user = request.user
    is_invitee = row.person_id == user.pk or row.email.lower() == user.email.lower()
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            services.respond_to_invitation(speaker=row, actor=user, accept=accept)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal(error))
            return redirect(reverse("conference:invitation", args=[row.token]))
        if accept:
            messages.success(request, _("You are a speaker of this proposal now."))
            return redirect(proposal_url(row.proposal))
        messages.success(request, _("You declined the invitation."))
        return redirect(reverse("conference:my_proposals"))
    context = {
        "speaker": row,
        "proposal": row.proposal,
        "edition": row.proposal.edition,
        "community": row.proposal.edition.community,
        "is_invitee": is_invitee,
        "alive": row.proposal.state not in (ProposalState.WITHDRAWN, ProposalState.REJECTED),
    }
    return render(request, "conference/proposals/invitation.html", context)


# --- Lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = my_proposals(request.user)
    page_obj = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "invitations": list(my_invitations(request.user)[:50]),
    }
    return render(request, "conference/proposals/my_proposals.html", context)


@login_required
@require_GET
def edition_proposal_list(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    if not is_committee(request.user, edition):
        raise PermissionDenied(_("Only the program committee sees all the proposals."))
    form = ProposalFilterForm(request.GET or None, edition=edition)
    filters = form.filters()
    proposals = edition_proposals(
        edition,
        state=filters.get("state", ""),
        track=filters.get("track"),
        session_format=filters.get("format"),
        text=filters.get("q", ""),
    )
    page_obj = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "edition": edition,
        "community": edition.community,
        "form": form,
        "page_obj": page_obj,
        "counts": state_counts(edition),
        "filtered": bool(filters),
    }
    template = "conference/proposals/edition_proposals.html"
    if request.htmx and not request.htmx.boosted:
        template = f"{template}#results"
    return render(request, template, context)


routes = [
    path("editions/<int:pk>/proposals/", edition_proposal_list, name="edition_proposals"),
    path("editions/<int:pk>/proposals/new/", proposal_create, name="proposal_create"),
    path("proposals/mine/", my_proposal_list, name="my_proposals"),
    path("proposals/<int:pk>/", proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/confirm/", proposal_confirm, name="proposal_confirm"),
    path("proposals/<int:pk>/speakers/invite/", speaker_invite, name="speaker_invite"),
    path(
        "proposals/<int:pk>/speakers/<int:speaker>/remove/", speaker_remove, name="speaker_remove"
    ),
    path("invitations/<str:token>/", invitation, name="invitation"),
]
