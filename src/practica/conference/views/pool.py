"""Conference screens: volunteering to review (and leaving), bidding on proposals, and the
chair's view of the reviewer pool.

The bidding page lists the proposals on the reviewer's expertise (all of them on request),
paginated; each row's buttons post with htmx and get the row back re-rendered, and a plain
POST gets a message and a redirect, so bidding works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.conference.forms.pool import BidForm, PoolFilterForm, VolunteerForm
from practica.conference.models import (
    Edition,
    Proposal,
    ProposalSpeaker,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.conference.permissions import (
    can_view_proposal,
    can_volunteer_to_review,
    is_chair,
    is_committee,
)
from practica.conference.queries.editions import edition_moment
from practica.conference.queries.pool import (
    biddable_proposals,
    pool_for_chair,
    pool_summary,
    volunteer_of,
)
from practica.conference.services import pool as services
from practica.conference.views.editions import add_errors, edition_or_404, edition_url, refusal

PROPOSALS_PER_PAGE = 20
VOLUNTEERS_PER_PAGE = 50


def bids_url(edition: Edition) -> str:
    return reverse("conference:bids", args=[edition.pk])


# --- Volunteering -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    """Join the pool, or change one's expertise and load (and leave, from the same page)."""
    edition = edition_or_404(request, pk)
    seat = volunteer_of(edition, request.user)
    if seat is None and not can_volunteer_to_review(request.user, edition):
        raise PermissionDenied(_("This edition does not take reviewers from you."))
    if request.method == "GET":
        initial = {}
        if seat is not None:
            initial = {
                "topics": list(seat.topics.all()),
                "max_load": seat.max_load,
                "statement": seat.statement,
            }
        form = VolunteerForm(edition=edition, initial=initial)
        return _volunteer_page(request, edition, seat, form)
    form = VolunteerForm(request.POST, edition=edition)
    if form.is_valid():
        values = form.cleaned_data
        try:
            if seat is None:
                services.volunteer_to_review(
                    edition=edition,
                    person=request.user,
                    topics=values["topics"],
                    max_load=values["max_load"],
                    statement=values["statement"],
                )
            else:
                services.update_volunteer(
                    volunteer=seat,
                    actor=request.user,
                    topics=values["topics"],
                    max_load=values["max_load"],
                    statement=values["statement"],
                )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you: you are in the reviewer pool. Bid on the proposals you'd like.")
                if seat is None
                else _("Your reviewer profile is saved."),
            )
            return redirect(bids_url(edition))
    return _volunteer_page(request, edition, seat, form, status=422)


def _volunteer_page(
    request: HttpRequest,
    edition: Edition,
    seat: ReviewerVolunteer | None,
    form: VolunteerForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "edition": edition,
        "community": edition.community,
        "seat": seat,
        "form": form,
        "review_closes": edition_moment(edition, edition.review_closes_at),
        "reviewing_over": timezone.now() >= edition.review_closes_at,
    }
    return render(request, "conference/pool/volunteer.html", context, status=status)


@login_required
@require_POST
def volunteer_leave(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    seat = volunteer_of(edition, request.user)
    if seat is None:
        messages.info(request, _("You are not in the reviewer pool."))
        return redirect(edition_url(edition))
    try:
        services.leave_pool(volunteer=seat, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect(reverse("conference:volunteer", args=[edition.pk]))
    messages.success(request, _("You left the reviewer pool."))
    return redirect(edition_url(edition))


# --- Bidding ----------------------------------------------------------------------------------


def _active_seat(request: HttpRequest, edition: Edition) -> ReviewerVolunteer | None:
    seat = volunteer_of(edition, request.user)
    return seat if seat is not None and seat.is_active else None


def _with_speakers(proposals: list[Proposal]) -> None:
    """Load the accepted speakers of each row as `shown_speakers` in one query."""
    speakers = ProposalSpeaker.objects.filter(
        proposal__in=proposals, status=SpeakerStatus.ACCEPTED
    ).select_related("person")
    by_proposal: dict[int, list[ProposalSpeaker]] = {}
    for speaker in speakers.order_by("position", "pk"):
        by_proposal.setdefault(speaker.proposal_id, []).append(speaker)
    for proposal in proposals:
        proposal.shown_speakers = by_proposal.get(proposal.pk, [])


def _show_speakers(request: HttpRequest, edition: Edition) -> bool:
    # Bidders are active reviewers of this edition: `can_see_speakers` reduces to this.
    return not edition.double_blind or is_committee(request.user, edition)


@login_required
@require_GET
def bids(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    seat = _active_seat(request, edition)
    if seat is None:
        messages.info(request, _("Volunteer to review first; then you can bid on proposals."))
        return redirect(reverse("conference:volunteer", args=[edition.pk]))
    show_all = request.GET.get("all") == "1"
    proposals = biddable_proposals(seat, show_all=show_all)
    page_obj = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    show_speakers = _show_speakers(request, edition)
    if show_speakers:
        _with_speakers(page_obj.object_list)
    context = {
        "edition": edition,
        "community": edition.community,
        "seat": seat,
        "page_obj": page_obj,
        "show_all": show_all,
        "has_topics": seat.topics.exists(),
        "show_speakers": show_speakers,
        "levels": BidForm.base_fields["level"].choices[1:],  # type: ignore[attr-defined]
        "review_closes": edition_moment(edition, edition.review_closes_at),
    }
    template = "conference/pool/bids.html"
    if request.htmx and not request.htmx.boosted:
        template = f"{template}#results"
    return render(request, template, context)


@login_required
@require_POST
def bid(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    seat = volunteer_of(edition, request.user)
    if seat is None:
        raise PermissionDenied(_("Volunteer to review first; then you can bid on proposals."))
    row = get_object_or_404(
        Proposal.objects.select_related("edition", "format", "track").prefetch_related(
            Prefetch("topics")
        ),
        pk=proposal,
        edition=edition,
    )
    if not can_view_proposal(request.user, row):
        raise Http404
    form = BidForm(request.POST)
    error = note = ""
    if not form.is_valid():
        error = " ".join(form.errors["level"])
    else:
        level = form.cleaned_data["level"]
        try:
            if level:
                services.set_bid(volunteer=seat, proposal=row, level=level, actor=request.user)
                note = _("Bid saved.")
            else:
                services.clear_bid(volunteer=seat, proposal=row, actor=request.user)
                note = _("Bid taken back.")
        except (ValidationError, PermissionDenied) as refused:
            error = refusal(refused)
    if request.htmx:
        current = seat.bids.filter(proposal=row).values_list("level", flat=True).first()
        row.my_bid = current
        row.topic_matches = 0
        show_speakers = _show_speakers(request, edition)
        if show_speakers:
            _with_speakers([row])
        context = {
            "edition": edition,
            "proposal": row,
            "show_speakers": show_speakers,
            "levels": BidForm.base_fields["level"].choices[1:],  # type: ignore[attr-defined]
            "note": note,
            "error": error,
            # Where a plain POST from the swapped row returns: the page it sits on.
            "next_url": request.htmx.current_url_abs_path or bids_url(edition),
        }
        return render(
            request, "conference/pool/bid_row.html", context, status=422 if error else 200
        )
    (messages.error if error else messages.success)(request, error or note)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = bids_url(edition)
    return redirect(back or bids_url(edition))


# --- The chair's pool -------------------------------------------------------------------------


def _chaired(request: HttpRequest, pk: int) -> Edition:
    edition = edition_or_404(request, pk)
    if not is_chair(request.user, edition):
        raise PermissionDenied(_("Only the edition's chairs manage the reviewer pool."))
    return edition


@login_required
@require_GET
def pool(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _chaired(request, pk)
    form = PoolFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    active = {"active": True, "aside": False}.get(status or "")
    volunteers = pool_for_chair(edition, active=active)
    page_obj = Paginator(volunteers, VOLUNTEERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "edition": edition,
        "community": edition.community,
        "form": form,
        "page_obj": page_obj,
        "summary": pool_summary(edition),
        "filtered": bool(status),
    }
    return render(request, "conference/pool/pool.html", context)


@login_required
@require_POST
def pool_set_active(request: HttpRequest, pk: int, volunteer: int) -> HttpResponse:
    edition = _chaired(request, pk)
    seat = get_object_or_404(
        ReviewerVolunteer.objects.select_related("person", "edition"), pk=volunteer, edition=edition
    )
    active = request.POST.get("active") == "1"
    try:
        services.set_volunteer_active(volunteer=seat, actor=request.user, active=active)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        name = seat.person.display_name or seat.person.email
        messages.success(
            request,
            _("%(name)s is back in the pool.") % {"name": name}
            if active
            else _("%(name)s is set aside: the assignment leaves them out.") % {"name": name},
        )
    return redirect(reverse("conference:pool", args=[edition.pk]))


routes = [
    path("editions/<int:pk>/reviewing/volunteer/", volunteer, name="volunteer"),
    path("editions/<int:pk>/reviewing/leave/", volunteer_leave, name="volunteer_leave"),
    path("editions/<int:pk>/bids/", bids, name="bids"),
    path("editions/<int:pk>/bids/<int:proposal>/", bid, name="bid"),
    path("editions/<int:pk>/pool/", pool, name="pool"),
    path("editions/<int:pk>/pool/<int:volunteer>/active/", pool_set_active, name="pool_active"),
]
