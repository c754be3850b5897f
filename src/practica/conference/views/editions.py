"""Conference screens: a community's editions, an edition's page, and for its chairs the
edition's form, its settings (tracks, session formats, rooms, review criteria) and committee.

Views validate input and call `services.editions` and the queries; a refusal of a service is
shown beside the field it names, or as a message.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community
from practica.conference.forms.editions import (
    CommitteeMemberForm,
    CriterionForm,
    EditionForm,
    FormatForm,
    RoomForm,
    TrackForm,
)
from practica.conference.models import (
    CommitteeMember,
    Edition,
    ReviewCriterion,
    Room,
    SessionFormat,
    Track,
)
from practica.conference.permissions import (
    can_propose,
    can_view_edition,
    can_view_program,
    can_volunteer_to_review,
    is_chair,
    is_committee,
)
from practica.conference.queries.editions import (
    call_status,
    edition_moment,
    editions_of,
    moment_in_zone,
    with_counts,
)
from practica.conference.queries.pool import volunteer_of
from practica.conference.queries.proposals import my_proposals
from practica.conference.services import committee as committee_services
from practica.conference.services import edition_parts as parts
from practica.conference.services import editions as services
from practica.core.markdown import render_markdown


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def add_errors(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: beside the field it names when the form has it."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return
    form.add_error(None, refusal(error))


def edition_or_404(request: HttpRequest, pk: int) -> Edition:
    """The edition, if the viewer may see it; a 404 otherwise (unannounced ones stay hidden)."""
    edition = get_object_or_404(Edition.objects.select_related("community", "event"), pk=pk)
    if not can_view_edition(request.user, edition):
        raise Http404
    return edition


def chaired_edition(request: HttpRequest, pk: int) -> Edition:
    edition = edition_or_404(request, pk)
    if not is_chair(request.user, edition):
        raise PermissionDenied(_("Only the edition's chairs can change it."))
    return edition


def edition_url(edition: Edition) -> str:
    return reverse("conference:edition_detail", args=[edition.pk])


def settings_url(edition: Edition, anchor: str = "") -> str:
    url = reverse("conference:edition_settings", args=[edition.pk])
    return f"{url}#{anchor}" if anchor else url


# --- A community's editions ------------------------------------------------------------------


@login_required
@require_GET
def edition_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    editions = list(with_counts(editions_of(community, request.user)))
    now = timezone.now()
    for edition in editions:
        edition.status = call_status(edition, now)
    context = {
        "community": community,
        "editions": editions,
        "can_create": can_manage_community(request.user, community),
    }
    return render(request, "conference/editions/edition_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edition_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    if not can_manage_community(request.user, community):
        raise PermissionDenied(_("Only the community's managers and leaders create editions."))
    if request.method == "GET":
        form = EditionForm(
            community=community,
            creating=True,
            initial={
                "time_zone": request.user.time_zone or "UTC",
                "reviewers_per_proposal": 3,
                "reviewer_min_load": 0,
                "reviewer_max_load": 8,
            },
        )
        return _form_page(request, form, community=community, edition=None)
    form = EditionForm(request.POST, community=community, creating=True)
    if form.is_valid():
        try:
            edition = services.create_edition(
                community=community,
                actor=request.user,
                publish="publish" in request.POST,
                **form.cleaned_data["values"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The edition is announced: members can propose and volunteer to review.")
                if edition.is_published
                else _("The edition is saved. Members see it once you announce it."),
            )
            return redirect(edition_url(edition))
    return _form_page(request, form, community=community, edition=None, status=422)


def _form_page(
    request: HttpRequest,
    form: EditionForm,
    *,
    community: Community,
    edition: Edition | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "community": community, "edition": edition}
    return render(request, "conference/editions/edition_form.html", context, status=status)


# --- An edition's page -----------------------------------------------------------------------


def key_dates(edition: Edition) -> list[dict[str, Any]]:
    """The edition's moments in the viewer's zone, each with the edition's clock noted."""
    viewer_zone = timezone.get_current_timezone()
    rows = []
    for label, moment in (
        (_("Call opens"), edition.cfp_opens_at),
        (_("Proposal deadline"), edition.cfp_closes_at),
        (_("Reviewing opens"), edition.review_opens_at),
        (_("Review deadline"), edition.review_closes_at),
        (_("Decisions due"), edition.decisions_due_at),
    ):
        mine = moment_in_zone(moment, viewer_zone)  # type: ignore[arg-type]
        theirs = edition_moment(edition, moment)
        rows.append(
            {
                "label": label,
                "moment": moment,
                "mine": mine,
                "edition": theirs if theirs != mine else "",
            }
        )
    return rows


@login_required
@require_GET
def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    user = request.user
    now = timezone.now()
    volunteer = volunteer_of(edition, user)
    status = call_status(edition, now)
    context = {
        "edition": edition,
        "community": edition.community,
        "status": status,
        "dates": key_dates(edition),
        "description_html": mark_safe(render_markdown(edition.description))  # noqa: S308 — sanitized
        if edition.description
        else "",
        "tracks": list(edition.tracks.all()),
        "formats": list(edition.formats.all()),
        "topics": list(edition.topics.order_by("name")),
        "committee": list(edition.committee.select_related("person")),
        "is_chair": is_chair(user, edition),
        "is_committee": is_committee(user, edition),
        "may_view_program": can_view_program(user, edition),
        "may_propose": status.is_open and can_propose(user, edition),
        "volunteer": volunteer,
        "may_volunteer": volunteer is None
        and now < edition.review_closes_at
        and can_volunteer_to_review(user, edition),
        "my_proposals": list(my_proposals(user, edition=edition)),
        "event": edition.event,
        "event_visible": edition.event is not None and edition.event.status != "draft",
    }
    return render(request, "conference/editions/edition_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    community = edition.community
    if request.method == "GET":
        form = EditionForm(community=community, initial=EditionForm.initial_for(edition))
        return _form_page(request, form, community=community, edition=edition)
    form = EditionForm(request.POST, community=community)
    if form.is_valid():
        try:
            services.update_edition(
                edition=edition, actor=request.user, **form.cleaned_data["values"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The edition is saved."))
            return redirect(edition_url(edition))
    return _form_page(request, form, community=community, edition=edition, status=422)


@login_required
@require_POST
def edition_announce(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    try:
        edition = services.announce_edition(edition=edition, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        event = edition.event
        if event is not None and event.status == "draft":
            messages.success(
                request,
                _(
                    "The edition is announced. Registration opens when one of the community's "
                    "organizers publishes the conference event."
                ),
            )
        else:
            messages.success(request, _("The edition is announced: members see it now."))
    return redirect(edition_url(edition))


@login_required
@require_POST
def edition_delete(request: HttpRequest, pk: int) -> HttpResponse:
    edition = edition_or_404(request, pk)
    try:
        services.delete_edition(edition=edition, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect(edition_url(edition))
    messages.success(request, _("The edition is deleted and its conference event cancelled."))
    return redirect(reverse("conference:editions", args=[edition.community.slug]))


# --- Settings: tracks, formats, rooms, criteria ----------------------------------------------


@dataclass(frozen=True)
class Part:
    """One kind of an edition's parts, as the settings screens handle it generically."""

    key: str
    title: Any
    noun: Any
    model: Any
    form: Any
    add: Any
    change: Any
    remove: Any
    argument: str
    fields: tuple[str, ...]
    intro: Any = ""


PARTS = {
    part.key: part
    for part in (
        Part(
            key="tracks",
            title=gettext_lazy("Tracks"),
            noun=gettext_lazy("track"),
            model=Track,
            form=TrackForm,
            add=parts.add_track,
            change=parts.update_track,
            remove=parts.remove_track,
            argument="track",
            fields=("name", "description", "position"),
            intro=gettext_lazy("Themes of the program; every proposal chooses one."),
        ),
        Part(
            key="formats",
            title=gettext_lazy("Session formats"),
            noun=gettext_lazy("format"),
            model=SessionFormat,
            form=FormatForm,
            add=parts.add_format,
            change=parts.update_format,
            remove=parts.remove_format,
            argument="session_format",
            fields=("kind", "name", "minutes", "open_for_proposals"),
            intro=gettext_lazy("Kinds of sessions and their length; keynotes are by invitation."),
        ),
        Part(
            key="rooms",
            title=gettext_lazy("Rooms"),
            noun=gettext_lazy("room"),
            model=Room,
            form=RoomForm,
            add=parts.add_room,
            change=parts.update_room,
            remove=parts.remove_room,
            argument="room",
            fields=("name", "venue", "capacity", "position"),
            intro=gettext_lazy("Where sessions take place, with their seats."),
        ),
        Part(
            key="criteria",
            title=gettext_lazy("Review criteria"),
            noun=gettext_lazy("criterion"),
            model=ReviewCriterion,
            form=CriterionForm,
            add=parts.add_criterion,
            change=parts.update_criterion,
            remove=parts.remove_criterion,
            argument="criterion",
            fields=("name", "description", "weight", "position"),
            intro=gettext_lazy("Reviewers score each from 1 to 5; the weights make the mean."),
        ),
    )
}


def _part(key: str) -> Part:
    part = PARTS.get(key)
    if part is None:
        raise Http404
    return part


def _settings_page(
    request: HttpRequest,
    edition: Edition,
    *,
    forms: dict[str, Any] | None = None,
    committee_form: CommitteeMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    sections = [
        {
            "part": part,
            "items": list(part.model.objects.filter(edition=edition)),
            "form": forms.get(part.key) or part.form(prefix=part.key),
        }
        for part in PARTS.values()
    ]
    context = {
        "edition": edition,
        "community": edition.community,
        "sections": sections,
        "committee": list(edition.committee.select_related("person")),
        "committee_form": committee_form or CommitteeMemberForm(prefix="committee"),
        "can_delete": can_manage_community(request.user, edition.community)
        and not edition.proposals.exists(),
    }
    return render(request, "conference/editions/edition_settings.html", context, status=status)


@login_required
@require_GET
def edition_settings(request: HttpRequest, pk: int) -> HttpResponse:
    return _settings_page(request, chaired_edition(request, pk))


@login_required
@require_POST
def part_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    edition = chaired_edition(request, pk)
    kind = _part(part)
    form = kind.form(request.POST, prefix=kind.key)
    if form.is_valid():
        try:
            kind.add(edition=edition, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Added: %(name)s.") % {"name": form.cleaned_data["name"]})
            return redirect(settings_url(edition, kind.key))
    return _settings_page(request, edition, forms={kind.key: form}, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, pk: int, part: str, item: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    kind = _part(part)
    row = get_object_or_404(kind.model, pk=item, edition=edition)
    if request.method == "GET":
        form = kind.form(initial={name: getattr(row, name) for name in kind.fields})
    else:
        form = kind.form(request.POST)
        if form.is_valid():
            try:
                kind.change(**{kind.argument: row}, actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": row.name})
                return redirect(settings_url(edition, kind.key))
    context = {"edition": edition, "community": edition.community, "part": kind, "row": row}
    context["form"] = form
    status = 422 if form.errors else 200
    return render(request, "conference/editions/part_form.html", context, status=status)


@login_required
@require_POST
def part_remove(request: HttpRequest, pk: int, part: str, item: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    kind = _part(part)
    row = get_object_or_404(kind.model, pk=item, edition=edition)
    name = row.name
    try:
        kind.remove(**{kind.argument: row}, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("Removed: %(name)s.") % {"name": name})
    return redirect(settings_url(edition, kind.key))


# --- The committee ---------------------------------------------------------------------------


@login_required
@require_POST
def committee_add(request: HttpRequest, pk: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    form = CommitteeMemberForm(request.POST, prefix="committee")
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            committee_services.add_committee_member(
                edition=edition,
                actor=request.user,
                person=person,
                is_chair=form.cleaned_data["is_chair"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is on the program committee.")
                % {"name": person.display_name or person.email},
            )
            return redirect(settings_url(edition, "committee"))
    return _settings_page(request, edition, committee_form=form, status=422)


def _seat(edition: Edition, seat: int) -> CommitteeMember:
    return get_object_or_404(
        CommitteeMember.objects.select_related("person"), pk=seat, edition=edition
    )


@login_required
@require_POST
def committee_chair(request: HttpRequest, pk: int, seat: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    row = _seat(edition, seat)
    make_chair = request.POST.get("is_chair") == "1"
    try:
        committee_services.set_committee_chair(seat=row, actor=request.user, is_chair=make_chair)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        name = row.person.display_name or row.person.email
        messages.success(
            request,
            _("%(name)s chairs the edition.") % {"name": name}
            if make_chair
            else _("%(name)s is no longer a chair.") % {"name": name},
        )
    if not is_chair(request.user, edition):
        return redirect(edition_url(edition))
    return redirect(settings_url(edition, "committee"))


@login_required
@require_POST
def committee_remove(request: HttpRequest, pk: int, seat: int) -> HttpResponse:
    edition = chaired_edition(request, pk)
    row = _seat(edition, seat)
    try:
        committee_services.remove_committee_member(seat=row, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request,
            _("%(name)s is off the committee.")
            % {"name": row.person.display_name or row.person.email},
        )
    if not is_chair(request.user, edition):
        return redirect(edition_url(edition))
    return redirect(settings_url(edition, "committee"))


routes = [
    path("communities/<slug:slug>/", edition_list, name="editions"),
    path("communities/<slug:slug>/new/", edition_create, name="edition_create"),
    path("editions/<int:pk>/", edition_detail, name="edition_detail"),
    path("editions/<int:pk>/edit/", edition_edit, name="edition_edit"),
    path("editions/<int:pk>/announce/", edition_announce, name="edition_announce"),
    path("editions/<int:pk>/delete/", edition_delete, name="edition_delete"),
    path("editions/<int:pk>/settings/", edition_settings, name="edition_settings"),
    path("editions/<int:pk>/settings/<slug:part>/add/", part_add, name="edition_part_add"),
    path("editions/<int:pk>/settings/<slug:part>/<int:item>/", part_edit, name="edition_part_edit"),
    path(
        "editions/<int:pk>/settings/<slug:part>/<int:item>/remove/",
        part_remove,
        name="edition_part_remove",
    ),
    path("editions/<int:pk>/committee/add/", committee_add, name="committee_add"),
    path("editions/<int:pk>/committee/<int:seat>/chair/", committee_chair, name="committee_chair"),
    path(
        "editions/<int:pk>/committee/<int:seat>/remove/",
        committee_remove,
        name="committee_remove",
    ),
]
