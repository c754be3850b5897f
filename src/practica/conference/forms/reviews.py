"""Forms of the reviewing screens: the review form (built from the edition's criteria), the
discussion comment and the filter of "my assignments". They read input; the reviews service
checks it (completeness on submit, ranges, the deadline) and its messages land on the fields.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.conference.models import Recommendation, Review, ReviewCriterion
from practica.conference.queries.reviews import NOT_STARTED
from practica.conference.services.reviews import (
    MAX_COMMENTS_LENGTH,
    MAX_DISCUSSION_LENGTH,
    MAX_SCORE,
    MIN_SCORE,
)

SCORE_CHOICES = [(str(n), str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)]
CONFIDENCE_CHOICES = [
    ("1", _("1 — a guess")),
    ("2", _("2 — some familiarity")),
    ("3", _("3 — fairly confident")),
    ("4", _("4 — confident")),
    ("5", _("5 — expert in the subject")),
]
# Strong accept first: the way people read a scale from good to bad.
RECOMMENDATION_CHOICES = [(str(value), label) for value, label in reversed(Recommendation.choices)]


def score_field_name(criterion_id: int) -> str:
    return f"score_{criterion_id}"


class ReviewForm(forms.Form):
    """The review: a 1–5 radio row per criterion, the recommendation, the confidence and two
    comments. Nothing is required here: a draft may be partial, and on submit the service
    names every missing answer."""

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=RECOMMENDATION_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    confidence = forms.ChoiceField(
        label=_("Your confidence"),
        choices=CONFIDENCE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    comments_to_speakers = forms.CharField(
        label=_("Comments to the speakers"),
        required=False,
        max_length=MAX_COMMENTS_LENGTH,
        help_text=_(
            "Sent to the speakers with the decision, without your name. Be specific and kind."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    comments_to_committee = forms.CharField(
        label=_("Comments to the committee"),
        required=False,
        max_length=MAX_COMMENTS_LENGTH,
        help_text=_("Only the committee and the proposal's other reviewers read these."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[ReviewCriterion],
        review: Review | None = None,
        **kwargs: Any,
    ) -> None:
        if review is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(review)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        score_fields = {}
        for criterion in criteria:
            score_fields[score_field_name(criterion.pk)] = forms.ChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "score-scale"}),
                required=False,
            )
        # The scores come first, in the form's order.
        self.fields = {**score_fields, **self.fields}

    @staticmethod
    def initial_from(review: Review) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "recommendation": "" if review.recommendation is None else str(review.recommendation),
            "confidence": "" if review.confidence is None else str(review.confidence),
            "comments_to_speakers": review.comments_to_speakers,
            "comments_to_committee": review.comments_to_committee,
        }
        for score in review.scores.all():
            initial[score_field_name(score.criterion_id)] = str(score.score)
        return initial

    def score_fields(self) -> list[forms.BoundField]:
        return [self[score_field_name(criterion.pk)] for criterion in self.criteria]

    def values(self) -> dict[str, Any]:
        """The cleaned values as the reviews service takes them."""
        data = self.cleaned_data
        return {
            "scores": {
                criterion.pk: data.get(score_field_name(criterion.pk)) or None
                for criterion in self.criteria
            },
            "recommendation": data.get("recommendation") or None,
            "confidence": data.get("confidence") or None,
            "comments_to_speakers": data.get("comments_to_speakers", ""),
            "comments_to_committee": data.get("comments_to_committee", ""),
        }

    def field_for(self, service_field: str) -> str | None:
        """The form field a service error key (`scores.<id>`, `confidence`, …) belongs to."""
        if service_field.startswith("scores."):
            name = score_field_name(int(service_field.split(".", 1)[1]))
            return name if name in self.fields else None
        return service_field if service_field in self.fields else None


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Add to the discussion"),
        max_length=MAX_DISCUSSION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposal's reviewers and the committee read this; the speakers never do."),
        error_messages={"required": _("Write something before posting.")},
    )


STATE_FILTER_CHOICES = [
    ("", _("All")),
    (NOT_STARTED, _("Not started")),
    ("draft", _("Draft saved")),
    ("submitted", _("Submitted")),
]


class AssignmentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATE_FILTER_CHOICES, required=False)
