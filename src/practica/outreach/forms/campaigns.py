"""Forms of campaigns: the campaign itself (segment, texts, schedule), the confirmation of
"send now", and the recipients' month filter. `services.campaigns` checks the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community
from practica.outreach.campaign_rendering import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from practica.outreach.models import CampaignSchedule, Segment
from practica.outreach.services.campaigns import MAX_NAME_LENGTH

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEKS = [(1, _("First")), (2, _("Second")), (3, _("Third")), (4, _("Fourth"))]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME_LENGTH)
    segment = forms.ModelChoiceField(
        label=_("Audience"),
        queryset=Segment.objects.none(),
        empty_label=_("Choose a segment…"),
        help_text=_("Each person is mailed by this campaign at most once, ever."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    body = forms.CharField(
        label=_("Mail (Markdown)"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Variables in {{ }} are filled in for each person; see the list beside."),
    )
    schedule = forms.TypedChoiceField(
        label=_("Sending"),
        choices=CampaignSchedule.choices,
        initial=CampaignSchedule.MONTHLY,
        widget=forms.RadioSelect,
    )
    week_of_month = forms.TypedChoiceField(label=_("Week"), choices=WEEKS, coerce=int, initial=1)
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int, initial=0)
    local_hour = forms.TypedChoiceField(
        label=_("Hour, in each person's time zone"), choices=HOURS, coerce=int, initial=9
    )

    is_active = forms.BooleanField(
        label=_("Active: send on schedule"),
        required=False,
        help_text=_("Leave it off until you have previewed the mail and sent yourself a test."),
    )

    def __init__(
        self, *args: Any, community: Community, creating: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            # A saved campaign is paused and resumed with its own buttons.
            del self.fields["is_active"]
        self.fields["segment"].queryset = Segment.objects.filter(  # type: ignore[attr-defined]
            community=community
        ).order_by("name")


class SendNowForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, mail everyone in the audience who has not had this campaign yet."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RecipientFilterForm(forms.Form):
    period = forms.DateField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
