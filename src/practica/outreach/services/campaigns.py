"""Every write about a community's welcome campaigns: create, change, (de)activate, delete.

Only the community's managers (`can_manage_outreach`) may. The subject and body are checked
by `campaign_rendering.validate_campaign_texts` (an unknown `{{ variable }}` is refused, named);
the segment must be the community's own. Each function is one transaction; a change locks the
campaign row, the same lock the sender takes, so a change never lands in the middle of a batch.

Sending lives in `services.campaign_sending` (re-exported here): the beat's
`send_due_campaign_mails`, `send_campaign_now`, `send_test_campaign_mail` and
`preview_campaign_mail`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.services import record_audit
from practica.outreach.campaign_rendering import text_problems, validate_campaign_texts
from practica.outreach.models import Campaign, CampaignSchedule, Segment
from practica.outreach.permissions import require_outreach_manager
from practica.outreach.services.campaign_sending import (
    SendReport,
    preview_campaign_mail,
    send_campaign_now,
    send_due_campaign_mails,
    send_test_campaign_mail,
)
from practica.outreach.services.unique_names import create_named, save_changes
from practica.people.models import User

__all__ = [
    "SendReport",
    "activate_campaign",
    "create_campaign",
    "deactivate_campaign",
    "delete_campaign",
    "preview_campaign_mail",
    "send_campaign_now",
    "send_due_campaign_mails",
    "send_test_campaign_mail",
    "update_campaign",
]

MAX_NAME_LENGTH = 160
MAX_WEEK_OF_MONTH = 4
EDITABLE = (
    "name",
    "segment",
    "subject",
    "body",
    "schedule",
    "weekday",
    "week_of_month",
    "local_hour",
)


def _int_in(value: Any, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(message)
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(message) from error
    if not low <= number <= high:
        raise ValidationError(message)
    return number


def _clean(community: Community, values: dict[str, Any]) -> dict[str, Any]:
    """The given fields, checked; one ValidationError names every bad one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    def check(field: str, clean: Any) -> None:
        if field not in values:
            return
        try:
            cleaned[field] = clean(values[field])
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    def name(value: Any) -> str:
        text = " ".join(str(value or "").split())
        if not text:
            raise ValidationError(_("Give the campaign a name."))
        if len(text) > MAX_NAME_LENGTH or "\x00" in text:
            raise ValidationError(_("Keep the name to %(n)d characters.") % {"n": MAX_NAME_LENGTH})
        return text

    def segment(value: Any) -> Segment:
        if not isinstance(value, Segment) or value.community_id != community.pk:
            raise ValidationError(_("Choose one of this community's segments."))
        return value

    def schedule(value: Any) -> str:
        if value not in CampaignSchedule.values:
            raise ValidationError(_("Choose monthly or by hand."))
        return str(value)

    check("name", name)
    check("segment", segment)
    check("schedule", schedule)
    check("weekday", lambda v: _int_in(v, 0, 6, _("Choose a weekday (0 Monday to 6 Sunday).")))
    check(
        "week_of_month",
        lambda v: _int_in(
            v, 1, MAX_WEEK_OF_MONTH, _("Choose the first to the fourth such weekday (1–4).")
        ),
    )
    check("local_hour", lambda v: _int_in(v, 0, 23, _("Choose an hour from 0 to 23.")))
    if "subject" in values or "body" in values:
        try:
            subject, body = validate_campaign_texts(
                subject=values.get("subject", "-"), body=values.get("body", "-")
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in values:
                    errors.setdefault(field, []).extend(messages)
        else:
            if "subject" in values:
                cleaned["subject"] = subject
            if "body" in values:
                cleaned["body"] = body
    if errors:
        raise ValidationError(errors)
    return cleaned


def _taken(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("This community already has a campaign called “%(name)s”.") % {"name": name}}
    )


def create_campaign(
    *,
    community: Community,
    actor: User,
    name: str,
    segment: Segment,
    subject: str,
    body: str,
    schedule: str = CampaignSchedule.MONTHLY,
    weekday: int = 0,
    week_of_month: int = 1,
    local_hour: int = 9,
    is_active: bool = True,
) -> Campaign:
    """A new campaign of `community` to one of its segments (managers only). A monthly one
    starts going out at its next due moment if active."""
    require_outreach_manager(actor, community)
    cleaned = _clean(
        community,
        {
            "name": name,
            "segment": segment,
            "subject": subject,
            "body": body,
            "schedule": schedule,
            "weekday": weekday,
            "week_of_month": week_of_month,
            "local_hour": local_hour,
        },
    )
    with transaction.atomic():
        campaign = create_named(
            Campaign,
            community=community,
            taken=_taken,
            created_by=actor,
            is_active=bool(is_active),
            **cleaned,
        )
        record_audit(
            actor_id=actor.pk,
            action="outreach.campaign_created",
            target=campaign,
            community_id=community.pk,
            data={"name": campaign.name, "segment": campaign.segment_id},
        )
    return campaign


def update_campaign(*, campaign: Campaign, actor: User, **changes: Any) -> Campaign:
    """Change the given fields (of EDITABLE). People already mailed are never mailed again,
    whatever changes. Locks the campaign row."""
    community = campaign.community
    require_outreach_manager(actor, community)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(
            _("These cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    cleaned = _clean(community, {key: value for key, value in changes.items() if value is not None})
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        changed = save_changes(locked, cleaned, taken=_taken)
        if changed:
            record_audit(
                actor_id=actor.pk,
                action="outreach.campaign_changed",
                target=locked,
                community_id=community.pk,
                data={"changed": sorted(changed)},
            )
    locked.community = community
    return locked


def _set_active(*, campaign: Campaign, actor: User, active: bool) -> Campaign:
    community = campaign.community
    require_outreach_manager(actor, community)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if active:
            # A text saved before a variable was retired must not start going out broken.
            problems = text_problems(locked.subject, in_subject=True) + text_problems(locked.body)
            if problems:
                raise ValidationError(problems)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
            record_audit(
                actor_id=actor.pk,
                action="outreach.campaign_activated" if active else "outreach.campaign_deactivated",
                target=locked,
                community_id=community.pk,
            )
    locked.community = community
    return locked


def activate_campaign(*, campaign: Campaign, actor: User) -> Campaign:
    """Let the campaign send (a monthly one from its next due moment). Idempotent."""
    return _set_active(campaign=campaign, actor=actor, active=True)


def deactivate_campaign(*, campaign: Campaign, actor: User) -> Campaign:
    """Stop the campaign; its runs and recipients stay for the funnel. Idempotent."""
    return _set_active(campaign=campaign, actor=actor, active=False)


def delete_campaign(*, campaign: Campaign, actor: User) -> None:
    """Delete a campaign that never mailed anyone; one that did keeps its history for the
    funnel and can only be deactivated."""
    community = campaign.community
    require_outreach_manager(actor, community)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if locked is None:
            return
        if locked.recipients.exists():
            raise ValidationError(
                _("This campaign has mailed people: deactivate it instead, so its figures stay.")
            )
        record_audit(
            actor_id=actor.pk,
            action="outreach.campaign_deleted",
            target=None,
            community_id=community.pk,
            data={"campaign": locked.pk, "name": locked.name},
        )
        locked.delete()
