"""Forms of the chair's assignment screens: a run's settings, a pair's pin, a manual
assignment, and the conflicts list's filters. The services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.conference.models import AssignmentMode, Edition, PinKind
from practica.conference.queries.conflicts import REASON_CODES
from practica.conference.services.assignment import MAX_LOAD, MAX_PER_PROPOSAL


class RunSettingsForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Objective"),
        choices=AssignmentMode.choices,
        initial=AssignmentMode.MAX_AFFINITY,
        widget=forms.RadioSelect,
        help_text=_(
            "Fairness trades a little total affinity for a better fit of the proposals that "
            "fit worst."
        ),
    )
    reviewers_per_proposal = forms.IntegerField(
        label=_("Reviewers per proposal"), min_value=1, max_value=MAX_PER_PROPOSAL
    )
    min_load = forms.IntegerField(
        label=_("Fewest proposals per reviewer"), min_value=0, max_value=MAX_LOAD
    )
    max_load = forms.IntegerField(
        label=_("Most proposals per reviewer"),
        min_value=1,
        max_value=MAX_LOAD,
        help_text=_("A volunteer's own maximum is used when it is lower."),
    )
    cross_division = forms.BooleanField(
        label=_("At least one reviewer from another division than the speakers"),
        required=False,
        initial=True,
    )

    @classmethod
    def for_edition(cls, edition: Edition, data=None) -> "RunSettingsForm":
        return cls(
            data,
            initial={
                "reviewers_per_proposal": edition.reviewers_per_proposal,
                "min_load": edition.reviewer_min_load,
                "max_load": edition.reviewer_max_load,
                "cross_division": True,
                "mode": AssignmentMode.MAX_AFFINITY,
            },
        )


class PersonForm(forms.Form):
    person = forms.IntegerField(label=_("Reviewer"), min_value=1, widget=forms.HiddenInput)


class PinForm(PersonForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PinKind.choices)


class ManualAssignmentForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Reviewer"), coerce=int, choices=())

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Choose a reviewer")), *choices]


REASON_LABELS = {
    "own": _("Speaker"),
    "same_team": _("Same team"),
    "manages": _("Manager of a speaker"),
    "managed_by": _("Reports to a speaker"),
    "co_speaker": _("Recent co-speaker"),
    "declared": _("Declared"),
    "bid": _("Bid “conflict”"),
}


class ConflictFilterForm(forms.Form):
    q = forms.CharField(label=_("Proposal or person"), required=False, max_length=100)
    code = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Any reason")), *((code, REASON_LABELS[code]) for code in REASON_CODES)],
    )
