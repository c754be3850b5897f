"""Forms of the committee's screens: the dashboard's filters, a decision, a decision mail's
text, the preview's choice and the bulk send's confirmation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from practica.conference.models import (
    DecisionOutcome,
    Edition,
    ProposalState,
    SessionFormat,
    Track,
)
from practica.conference.queries.dashboard import DECIDED, SORTS, UNDECIDED, DashboardFilters
from practica.conference.services.decisions import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from practica.core.models import Topic

STATE_CHOICES = [
    ("", _("All")),
    (UNDECIDED, _("Not decided")),
    (DECIDED, _("Decided")),
    (ProposalState.ACCEPTED, _("Accepted")),
    (ProposalState.WAITLISTED, _("Waitlisted")),
    (ProposalState.REJECTED, _("Rejected")),
    (ProposalState.CONFIRMED, _("Confirmed")),
]
SORT_CHOICES = [(sort, sort) for sort in SORTS]
UNDECIDE = "undecide"


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, from the query string; each is optional."""

    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), required=False, empty_label=_("All")
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("All")
    )
    format = forms.ModelChoiceField(
        label=_("Format"),
        queryset=SessionFormat.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    state = forms.ChoiceField(
        label=pgettext_lazy("conference", "Decision"), choices=STATE_CHOICES, required=False
    )
    min_score = forms.DecimalField(
        label=_("Mean score at least"),
        required=False,
        min_value=1,
        max_value=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    disagreement = forms.BooleanField(label=_("Only disagreements"), required=False)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(edition=edition)  # type: ignore[attr-defined]
        self.fields["format"].queryset = SessionFormat.objects.filter(edition=edition)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = (
            Topic.objects.filter(  # type: ignore[attr-defined]
                proposals__edition=edition
            )
            .distinct()
            .order_by("name")
        )

    def filters(self) -> DashboardFilters:
        """The clean filters; an invalid form filters nothing but keeps the valid fields."""
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = getattr(self, "cleaned_data", {})
        track = data.get("track")
        topic = data.get("topic")
        session_format = data.get("format")
        min_score = data.get("min_score")
        return DashboardFilters(
            track=track.pk if track else None,
            topic=topic.pk if topic else None,
            format=session_format.pk if session_format else None,
            state=data.get("state") or None,
            min_score=float(min_score) if min_score is not None else None,
            disagreement_only=bool(data.get("disagreement")),
            sort=data.get("sort") or "-score",
        )


DECISION_CHOICES = [*DecisionOutcome.choices, (UNDECIDE, _("Not decided"))]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("conference", "Decision"),
        choices=DECISION_CHOICES,
        error_messages={"required": _("Choose accept, reject or waitlist.")},
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class DecisionTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "{{ speaker }} is the speaker's name, {{ proposal }} the title, {{ edition }} the "
            "edition. Below your text the mail adds the reviewers' comments to the speakers "
            "(without names) and the link to the proposal page."
        ),
    )


class PreviewForm(forms.Form):
    proposal = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    outcome = forms.ChoiceField(choices=[("", "—"), *DecisionOutcome.choices], required=False)


class SendDecisionMailsForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, send the decision mails now"),
        error_messages={"required": _("Tick the box to confirm the sending.")},
    )
    expected = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
