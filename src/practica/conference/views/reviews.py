"""Reviewing screens: a reviewer's own assignments, the review page of a proposal (the
proposal — speakers hidden under double-blind —, the review form, the other reviews once the
viewer's own is submitted, who reviews it for the committee, and the discussion), and the
speakers' page with the reviewers' comments once decided.

Views check the predicates and call `services.reviews`; a proposal the viewer may not see is a
404, one they see but may not review or discuss a 403 with the reason.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.conference.forms.reviews import AssignmentFilterForm, CommentForm, ReviewForm
from practica.conference.models import Proposal, ReviewStatus, SpeakerStatus
from practica.conference.permissions import (
    can_discuss_proposal,
    can_see_assignments,
    can_see_speakers,
    can_view_proposal,
    is_assigned_reviewer,
    is_committee,
    is_speaker,
)
from practica.conference.queries import reviews as review_queries
from practica.conference.services import reviews as review_services

PAGE_SIZE = 25


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def viewable_proposal(request: HttpRequest, pk: int) -> Proposal:
    """The proposal if the viewer may see it; a 404 otherwise (its existence stays hidden)."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("edition__community", "format", "track"), pk=pk
    )
    if not can_view_proposal(request.user, proposal):
        raise Http404
    return proposal


def review_url(proposal: Proposal) -> str:
    return reverse("conference:review", args=[proposal.pk])


@login_required
@require_GET
def my_assignments(request: HttpRequest) -> HttpResponse:
    """The proposals the viewer was asked to review, soonest deadline first."""
    form = AssignmentFilterForm(request.GET or None)
    state = form.cleaned_data.get("state") if form.is_valid() else None
    rows = review_queries.my_assignments(request.user, state=state or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for assignment in page.object_list:
        assignment.deadline_text = review_services.review_deadline_text(assignment.proposal.edition)
        assignment.is_open = (
            assignment.proposal.edition.review_opens_at
            <= timezone.now()
            < assignment.proposal.edition.review_closes_at
        )
    context = {
        "form": form,
        "page_obj": page,
        "counts": review_queries.my_assignment_counts(request.user),
        "state": state or "",
    }
    return render(request, "conference/reviews/my_assignments.html", context)


def _review_context(
    request: HttpRequest,
    proposal: Proposal,
    *,
    form: ReviewForm | None = None,
    comment_form: CommentForm | None = None,
) -> dict[str, Any]:
    """Everything the review page shows, each part only to whom the rules allow."""
    user = request.user
    edition = proposal.edition
    criteria = review_queries.criteria_of(edition)
    assigned = is_assigned_reviewer(user, proposal)
    own = review_queries.own_review(proposal, user) if assigned else None
    if own is not None:
        review_queries.with_score_list(own, criteria)
    blocked = ""
    if assigned:
        try:
            review_services.check_may_review(proposal=proposal, reviewer=user, now=timezone.now())
        except (ValidationError, PermissionDenied) as refused:
            blocked = refusal_text(refused)
        if form is None:
            form = ReviewForm(criteria=criteria, review=own)
    reviews = None
    reviews_hidden = review_queries.reviews_refusal(user, proposal)
    if reviews_hidden is None:
        reviews = review_queries.visible_reviews(proposal, user)
    may_discuss = can_discuss_proposal(user, proposal)
    return {
        "proposal": proposal,
        "edition": edition,
        "show_speakers": can_see_speakers(user, proposal),
        "speakers": list(
            proposal.speakers.filter(status=SpeakerStatus.ACCEPTED)
            .select_related("person")
            .order_by("position", "pk")
        ),
        "topics": list(proposal.topics.all()),
        "is_committee": is_committee(user, edition),
        "assigned": assigned,
        "own": own,
        "own_submitted": own is not None and own.status == ReviewStatus.SUBMITTED,
        "form": form,
        "blocked": blocked,
        "deadline": review_services.review_deadline_text(edition),
        "reviews": reviews,
        "reviews_hidden": reviews_hidden if assigned or may_discuss else "",
        "progress": (
            list(review_queries.review_progress(proposal))
            if can_see_assignments(user, proposal)
            else None
        ),
        "may_discuss": may_discuss,
        "comments": list(review_queries.discussion(proposal)) if may_discuss else [],
        "comment_form": comment_form or CommentForm(),
    }


def _reviewable(request: HttpRequest, pk: int) -> Proposal:
    proposal = viewable_proposal(request, pk)
    user = request.user
    if not (is_assigned_reviewer(user, proposal) or can_discuss_proposal(user, proposal)):
        raise PermissionDenied(
            _("This page is for the proposal's reviewers and the program committee.")
        )
    return proposal


def _add_refusal(form: ReviewForm, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(form.field_for(name), errors)
    else:
        form.add_error(None, refusal_text(error))


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The review page; POST saves the draft ("save") or submits ("submit")."""
    proposal = viewable_proposal(request, pk)
    if is_speaker(request.user, proposal):
        return redirect("conference:review_feedback", pk=proposal.pk)
    proposal = _reviewable(request, pk)
    if request.method == "GET":
        return render(
            request, "conference/reviews/review_page.html", _review_context(request, proposal)
        )
    criteria = review_queries.criteria_of(proposal.edition)
    form = ReviewForm(request.POST, criteria=criteria)
    submitting = "submit" in request.POST
    if form.is_valid():
        action = review_services.submit_review if submitting else review_services.save_review
        try:
            action(proposal=proposal, reviewer=request.user, **form.values())
        except (ValidationError, PermissionDenied) as refused:
            _add_refusal(form, refused)
        else:
            if submitting:
                messages.success(
                    request,
                    _("Your review is submitted. You can change it until %(when)s.")
                    % {"when": review_services.review_deadline_text(proposal.edition)},
                )
                return redirect(f"{review_url(proposal)}#reviews")
            messages.success(request, _("Your draft is saved; submit it before the deadline."))
            return redirect(f"{review_url(proposal)}#review-form")
    context = _review_context(request, proposal, form=form)
    return render(request, "conference/reviews/review_page.html", context, status=400)


@login_required
@require_POST
def post_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add to the proposal's discussion; errors show beside the field on the review page."""
    proposal = _reviewable(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            review_services.add_proposal_comment(
                proposal=proposal, author=request.user, body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as refused:
            on_field = isinstance(refused, ValidationError) and hasattr(refused, "error_dict")
            form.add_error("body" if on_field else None, refusal_text(refused))
        else:
            messages.success(request, _("Your comment is in the discussion."))
            return redirect(f"{review_url(proposal)}#discussion")
    context = _review_context(request, proposal, comment_form=form)
    return render(request, "conference/reviews/review_page.html", context, status=400)


@login_required
@require_GET
def speaker_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewers' comments to the speakers, without names, once the proposal is decided."""
    proposal = viewable_proposal(request, pk)
    if not is_speaker(request.user, proposal):
        raise PermissionDenied(_("This page is for the proposal's speakers."))
    hidden = review_queries.reviews_refusal(request.user, proposal)
    comments = (
        []
        if hidden
        else review_queries.visible_reviews(proposal, request.user).comments_to_speakers
    )
    context = {
        "proposal": proposal,
        "edition": proposal.edition,
        "hidden": hidden,
        "comments": comments,
    }
    return render(request, "conference/reviews/feedback.html", context)


routes: list = [
    path("reviews/", my_assignments, name="my_reviews"),
    path("proposals/<int:pk>/review/", review_page, name="review"),
    path("proposals/<int:pk>/discussion/", post_comment, name="review_comment"),
    path("proposals/<int:pk>/feedback/", speaker_feedback, name="review_feedback"),
]
