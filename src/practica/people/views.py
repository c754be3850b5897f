"""People screens: sign-in, home, directory and expert finder, profiles, API tokens, language.

Views validate input and call services and queries, nothing more.
"""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from practica.people import queries, services
from practica.people.forms import (
    AccessTokenForm,
    DirectoryFilterForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    PlaceholderClaimForm,
    ProfileForm,
)
from practica.people.models import PersonalAccessToken, User
from practica.people.permissions import can_edit_profile, can_manage_tokens, can_view_directory
from practica.people.sections import render_home_sections, render_profile_sections


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


class SignInView(auth_views.LoginView):
    template_name = "people/sign_in.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "people/password_reset_form.html"
    success_url = reverse_lazy("people:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = request.user
    return render(
        request,
        "people/home.html",
        {
            "person": person,
            "sections": render_home_sections(request, person),
            "expertise": list(person.expertise.all()),
            "org_chain": queries.org_unit_chain(person.org_unit),
        },
    )


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not can_view_directory(request.user):
        raise PermissionDenied
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters()
    people = queries.search_directory(**filters).prefetch_related("expertise")
    page_obj = Paginator(people, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "people": page_obj.object_list,
        "filtered": any(filters.values()),
        "selected_topic": filters.get("topic"),
    }
    # htmx live filtering swaps only the results; a full request (or a boosted one) gets the page.
    template = "people/directory.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        User.objects.select_related("org_unit", "manager").filter(is_system=False), pk=pk
    )
    try:
        zone = zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "org_chain": queries.org_unit_chain(person.org_unit),
            "reports": queries.people_in_directory()
            .filter(manager=person)
            .order_by("display_name"),
            "expertise": list(person.expertise.all()),
            "sections": render_profile_sections(request, person),
            "local_time": timezone.now().astimezone(zone),
            "can_edit": can_edit_profile(request.user, person),
        },
    )


@login_required
def profile_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Edit my profile (/me/edit/), or, for staff, someone else's (/<pk>/edit/)."""
    person = request.user if pk is None else get_object_or_404(User, pk=pk)
    if not can_edit_profile(request.user, person):
        raise PermissionDenied(_("You may only edit your own profile."))
    # A fresh copy, so a failed save never leaves half-applied values on request.user.
    person = User.objects.get(pk=person.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            expertise = changes.pop("expertise")
            try:
                services.update_profile(
                    person=person, actor=request.user, expertise=expertise, **changes
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You may not edit this profile."))
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("people:profile", pk=person.pk)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(person))
    return render(request, "people/profile_edit.html", {"person": person, "form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    person = request.user
    if not can_manage_tokens(request.user, person):
        raise PermissionDenied
    new_secret = None
    if request.method == "POST":
        form = AccessTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_secret = services.create_access_token(
                    user=person, name=form.cleaned_data["name"], expires_at=form.expires_at()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # The page itself shows the new secret once; no separate message needed.
                form = AccessTokenForm()
    else:
        form = AccessTokenForm()
    return render(
        request,
        "people/tokens.html",
        {
            "form": form,
            "tokens": queries.access_tokens_of(person),
            "new_secret": new_secret,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(PersonalAccessToken, pk=pk)
    try:
        services.revoke_access_token(token=token, actor=request.user)
    except PermissionDenied:
        # Someone else's token: answer as if it did not exist.
        raise Http404 from None
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("people:tokens")


@login_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the site language and remember it on the member, then do what Django's
    set_language does (cookie and redirect back)."""
    language = request.POST.get("language", "")
    try:
        services.set_preferred_language(person=request.user, language=language)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_safe_next(request))
    return django_set_language(request)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


# --- Claiming posts of the old list (helper "archive") ---------------------------------------


@login_required
def claim_placeholder_request(request: HttpRequest) -> HttpResponse:
    """Ask to claim the posts the list archive attributed to an address: a link is mailed to it."""
    form = PlaceholderClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.request_placeholder_claim(claimant=request.user, email=email)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Open it while signed in as yourself to move "
                    "those posts to your profile; it works for %(days)d days."
                )
                % {"email": email, "days": services.PLACEHOLDER_CLAIM_MAX_AGE.days},
            )
            return redirect("people:claim")
    return render(request, "people/claim_request.html", {"form": form})


@login_required
def claim_placeholder_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation mail: shows whose posts move, and moves them on POST."""
    problem = ""
    placeholder = None
    try:
        claim = services.read_placeholder_claim_token(token=token)
    except ValidationError as error:
        problem = " ".join(error.messages)
    else:
        placeholder = User.objects.filter(pk=claim["p"], is_placeholder=True).first()
        if claim["c"] != request.user.pk:
            problem = _("This link was sent for another member's request.")
    if request.method == "POST" and not problem:
        try:
            result = services.claim_placeholder(claimant=request.user, token=token)
        except (ValidationError, PermissionDenied) as error:
            problem = " ".join(getattr(error, "messages", [str(error)]))
        else:
            messages.success(
                request,
                _("The posts of %(email)s from the old list are now on your profile.")
                % {"email": result.placeholder.email},
            )
            return redirect("people:profile", pk=request.user.pk)
    return render(
        request,
        "people/claim_confirm.html",
        {"placeholder": placeholder, "problem": problem},
        status=400 if problem else 200,
    )
