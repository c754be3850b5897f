"""List screens: a member's email delivery, the list's manage pages, and one-click unsubscribe.

Views validate input and call services and queries, nothing more. A service's refusal
(ValidationError, PermissionDenied) becomes a message on the page, never an error page.
Row actions answer htmx with the re-rendered row and a plain POST with a redirect.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community, Membership
from practica.mail import queries
from practica.mail.addresses import list_address
from practica.mail.forms import (
    DeliveryForm,
    DiscardForm,
    ListSettingsForm,
    SubscriberDeliveryForm,
    SubscriberFilterForm,
)
from practica.mail.hooks import MailRefused
from practica.mail.models import DeliveryMode, InboundMessage, InboundStatus
from practica.mail.permissions import can_manage_list, can_moderate_list, can_view_list_admin
from practica.mail.previews import HeldPreview, held_previews
from practica.mail.services.bounces import resume_mail_delivery
from practica.mail.services.inbound import approve_held_message, discard_held_message
from practica.mail.services.subscriptions import (
    read_list_unsubscribe_token,
    set_list_delivery,
    unsubscribe_by_token,
    update_list_settings,
)

SUBSCRIBERS_PER_PAGE = 25
BOUNCES_PER_PAGE = 25
HELD_PER_PAGE = 20
RECENT_LIST_MAIL = 50


def delivery_options() -> list[tuple[str, str, str]]:
    """Each delivery mode with its label and a sentence saying what the member gets."""
    help_texts = {
        DeliveryMode.EVERY: _("Each new thread and reply, as it is posted (mailing-list mode)."),
        DeliveryMode.DAILY: _("One mail a day with the new threads and unanswered questions."),
        DeliveryMode.WEEKLY: _("One mail a week with what happened."),
        DeliveryMode.NONE: _("Nothing by email; you read on the site."),
    }
    return [(mode.value, str(mode.label), str(help_texts[mode])) for mode in DeliveryMode]


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def _page(request: HttpRequest, items: Any, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# --- A member's email delivery ---------------------------------------------------------------


def _delivery_rows(person: Any) -> list[Membership]:
    rows = list(queries.list_deliveries_of(person))
    for row in rows:
        row.list_address = list_address(row.community.slug)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def deliveries(request: HttpRequest) -> HttpResponse:
    """GET: every community the member belongs to, with its delivery. POST: change one."""
    if request.method == "POST":
        return _change_my_delivery(request)
    context = {
        "rows": _delivery_rows(request.user),
        "mailbox": queries.mailbox_health_of(request.user),
        "options": delivery_options(),
    }
    return render(request, "mail/deliveries.html", context)


def _change_my_delivery(request: HttpRequest) -> HttpResponse:
    form = DeliveryForm(request.POST)
    community = None
    if form.is_valid():
        community = Community.objects.filter(slug=form.cleaned_data["community"]).first()
    if community is None:
        messages.error(request, _("Choose one of the listed deliveries."))
        if request.htmx:
            return HttpResponse(status=400)
        return redirect("mail:deliveries")
    note, error = "", ""
    try:
        set_list_delivery(
            person=request.user,
            community=community,
            mode=form.cleaned_data["mode"],
            actor=request.user,
        )
    except (ValidationError, PermissionDenied) as refusal:
        error = _refusal(refusal)
    else:
        note = _("Saved: %(name)s — %(mode)s.") % {
            "name": community.name,
            "mode": DeliveryMode(form.cleaned_data["mode"]).label,
        }
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or note)
        return redirect(f"{reverse('mail:deliveries')}#list-{community.slug}")
    row = next(
        (row for row in _delivery_rows(request.user) if row.community_id == community.pk), None
    )
    if row is None:  # no longer a member: the whole page tells it better
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    context = {"row": row, "options": delivery_options(), "note": note, "error": error}
    return HttpResponse(
        render_to_string("mail/deliveries.html#delivery-row", context, request=request)
    )


@login_required
@require_POST
def resume_delivery(request: HttpRequest) -> HttpResponse:
    """The member says their mailbox works again: list mail to them resumes. Posted from
    the Email delivery page and from the home page's warning (which sends `next`)."""
    try:
        resume_mail_delivery(person=request.user, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, _refusal(refusal))
    else:
        messages.success(
            request,
            _("Thank you: your communities' lists send mail to %(email)s again.")
            % {"email": request.user.email},
        )
    return _back(request, reverse("mail:deliveries"))


# --- The list's manage pages -----------------------------------------------------------------


def _community(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def _forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "communities/forbidden.html", context, status=403)


def _managers_only(request: HttpRequest, community: Community) -> HttpResponse | None:
    if can_manage_list(request.user, community):
        return None
    return _forbidden(
        request, community, _("Only the community's managers and leaders can manage its list.")
    )


def _moderators_only(request: HttpRequest, community: Community) -> HttpResponse | None:
    if can_moderate_list(request.user, community):
        return None
    return _forbidden(
        request,
        community,
        _("Only the community's managers, leaders and organizers can moderate its list."),
    )


def _manage_context(request: HttpRequest, community: Community, tab: str) -> dict[str, Any]:
    """What every manage tab shows: the list, its address and which tabs the viewer has."""
    return {
        "community": community,
        "tab": tab,
        "list_address": list_address(community.slug),
        "can_manage": can_manage_list(request.user, community),
        "can_moderate": can_moderate_list(request.user, community),
        "held_count": queries.held_list_messages(community).count(),
        "manage_url": request.get_full_path(),
    }


@login_required
@require_GET
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Subscribers and their deliveries, with counts per mode, search and pagination."""
    community = _community(slug)
    if not can_manage_list(request.user, community) and can_view_list_admin(
        request.user, community
    ):
        return redirect("mail:moderation", slug=community.slug)
    if refused := _managers_only(request, community):
        return refused
    form = SubscriberFilterForm(request.GET or None)
    text, mode = "", ""
    if form.is_valid():
        text, mode = form.cleaned_data["q"], form.cleaned_data["mode"]
    subscribers = queries.list_subscribers(community, mode=mode, text=text)
    context = _manage_context(request, community, "subscribers")
    counts = queries.list_subscriber_counts(community)
    context.update(
        {
            "form": form,
            "filtered": bool(text or mode),
            "page_obj": _page(request, subscribers, SUBSCRIBERS_PER_PAGE),
            "counts": counts,
            "mode_counts": [
                (value, label, counts.by_mode.get(value, 0))
                for value, label in DeliveryMode.choices
            ],
            "default_mode": queries.list_settings_for(community).get_default_mode_display(),
            "mode_choices": DeliveryMode.choices,
        }
    )
    return render(request, "mail/manage_subscribers.html", context)


@login_required
@require_POST
def subscriber_delivery(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """A manager changes one subscriber's delivery (htmx swaps the row)."""
    community = _community(slug)
    if refused := _managers_only(request, community):
        return refused
    subscriber = get_object_or_404(
        Membership.objects.current().select_related("person"),
        community=community,
        person_id=person_id,
    )
    form = SubscriberDeliveryForm(request.POST)
    note, error = "", ""
    if not form.is_valid():
        error = _("Choose every message, daily digest, weekly digest or no mail.")
    else:
        try:
            set_list_delivery(
                person=subscriber.person,
                community=community,
                mode=form.cleaned_data["mode"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as refusal:
            error = _refusal(refusal)
        else:
            note = _("%(person)s now gets %(mode)s.") % {
                "person": subscriber.person,
                "mode": DeliveryMode(form.cleaned_data["mode"]).label.lower(),
            }
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or note)
        return _back(request, reverse("mail:manage", args=[community.slug]))
    row = queries.list_subscribers(community).get(pk=subscriber.pk)
    context = {
        "community": community,
        "subscriber": row,
        "mode_choices": DeliveryMode.choices,
        "manage_url": request.POST.get("next") or "",
        "note": note,
        "error": error,
    }
    return HttpResponse(
        render_to_string("mail/manage_subscribers.html#subscriber-row", context, request=request)
    )


@login_required
@require_GET
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """Mail to the list held for moderation, oldest first, with a preview of each."""
    community = _community(slug)
    if refused := _moderators_only(request, community):
        return refused
    page_obj = _page(request, queries.held_list_messages(community), HELD_PER_PAGE)
    previews = held_previews(page_obj.object_list)
    context = _manage_context(request, community, "moderation")
    context.update({"page_obj": page_obj, "previews": previews})
    return render(request, "mail/manage_moderation.html", context)


def _held(community: Community, pk: int) -> InboundMessage:
    return get_object_or_404(
        InboundMessage.objects.defer("raw").select_related("person"), pk=pk, community=community
    )


def _decision(
    request: HttpRequest, community: Community, pk: int, *, approve: bool
) -> HttpResponse:
    message = _held(community, pk)
    note, error = "", ""
    form = DiscardForm(request.POST)
    try:
        if message.status != InboundStatus.HELD:
            raise ValidationError(_("This message was already dealt with."))
        if approve:
            approve_held_message(inbound=message, actor=request.user)
            note = _("Approved: it is posted to the list.")
        elif form.is_valid():
            discard_held_message(
                inbound=message, actor=request.user, reason=form.cleaned_data["reason"]
            )
            note = _("Discarded.")
        else:
            error = " ".join(form.errors.get("reason", []))
    except (ValidationError, PermissionDenied) as refusal:
        error = _refusal(refusal)
    except MailRefused as refusal:  # the app that posts list mail refused it (locked thread…)
        error = refusal.reason
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or note)
        return _back(request, reverse("mail:moderation", args=[community.slug]))
    message.refresh_from_db()
    context = {
        "community": community,
        "preview": HeldPreview(message=message, from_name="", text="", attachments=[]),
        "manage_url": request.POST.get("next") or "",
        "note": note,
        "error": error,
    }
    if message.status == InboundStatus.HELD:
        context["preview"] = held_previews([message])[0]
    return HttpResponse(
        render_to_string("mail/manage_moderation.html#held-row", context, request=request)
    )


@login_required
@require_POST
def approve_held(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = _community(slug)
    if refused := _moderators_only(request, community):
        return refused
    return _decision(request, community, pk, approve=True)


@login_required
@require_POST
def discard_held(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = _community(slug)
    if refused := _moderators_only(request, community):
        return refused
    return _decision(request, community, pk, approve=False)


@login_required
@require_GET
def bounces(request: HttpRequest, slug: str) -> HttpResponse:
    """Bounces of mail to the list's members, newest first, and who is suspended."""
    community = _community(slug)
    if refused := _managers_only(request, community):
        return refused
    context = _manage_context(request, community, "bounces")
    context.update(
        {
            "page_obj": _page(request, queries.list_bounces(community), BOUNCES_PER_PAGE),
            "counts": queries.list_subscriber_counts(community),
        }
    )
    return render(request, "mail/manage_bounces.html", context)


@login_required
@require_GET
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The list's outgoing mail: counts per status and the latest messages."""
    community = _community(slug)
    if refused := _managers_only(request, community):
        return refused
    context = _manage_context(request, community, "outbox")
    context.update(
        {
            "status_counts": queries.list_outbox_status_counts(community),
            "recent": list(queries.recent_list_messages(community, limit=RECENT_LIST_MAIL)),
        }
    )
    return render(request, "mail/manage_outbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def list_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The list's default delivery, whether it takes mail, and its attachment limit."""
    community = _community(slug)
    if refused := _managers_only(request, community):
        return refused
    current = queries.list_settings_for(community)
    initial = {
        "default_mode": current.default_mode,
        "accepts_mail": current.accepts_mail,
        "max_attachment_mb": ListSettingsForm.initial_from(current.max_attachment_bytes),
    }
    form = ListSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_list_settings(community=community, actor=request.user, **form.changes())
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, _refusal(refusal))
        else:
            messages.success(request, _("The list's settings are saved."))
            return redirect("mail:settings", slug=community.slug)
    context = _manage_context(request, community, "settings")
    context["form"] = form
    return render(request, "mail/manage_settings.html", context, status=400 if form.errors else 200)


# --- One-click unsubscribe (RFC 8058) --------------------------------------------------------


@csrf_exempt  # mail clients POST `List-Unsubscribe=One-Click` with no session: the token is proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link would do and a button; POST (the button, or a mail client's
    one-click request) stops the list mail and answers 200. GET never changes anything."""
    target = read_list_unsubscribe_token(token)
    community = (
        Community.objects.filter(pk=target.community_id).first() if target is not None else None
    )
    if target is None or community is None:
        return render(request, "mail/unsubscribe_invalid.html", status=404)
    context = {"community": community, "token": token, "done": False}
    if request.method == "POST":
        try:
            unsubscribe_by_token(token=token)
        except ValidationError:
            return render(request, "mail/unsubscribe_invalid.html", status=404)
        context["done"] = True
    return render(request, "mail/unsubscribe.html", context)
