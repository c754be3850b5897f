"""Forms of the reviewer pool: volunteering (expertise, most load, a statement), a bid, and
the chair's filter of the pool. The pool service checks the rules and does the writing."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.conference.models import BidLevel, Edition
from practica.conference.services.pool import MAX_LOAD, MAX_STATEMENT
from practica.core.queries import topic_tree, topics_with_descendants
from practica.people.forms import TopicMultipleChoiceField


class VolunteerForm(forms.Form):
    topics = TopicMultipleChoiceField(
        label=_("Your expertise"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The bidding page shows you the proposals on these topics first."),
    )
    max_load = forms.IntegerField(
        label=_("Most proposals you can review"), min_value=1, max_value=MAX_LOAD, initial=5
    )
    statement = forms.CharField(
        label=_("What you know about"),
        required=False,
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines on your work and interests; it helps match you to proposals."),
    )

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = list(edition.topics.all()) or list(edition.community.topics.all())
        if chosen:
            self.fields["topics"].queryset = topics_with_descendants(chosen).order_by("path")  # type: ignore[attr-defined]
        else:
            # The whole taxonomy: a list box, not hundreds of checkboxes.
            field = self.fields["topics"]
            field.widget = forms.SelectMultiple(attrs={"size": 10})
            field.widget.choices = field.choices  # type: ignore[attr-defined]
        limit = min(MAX_LOAD, edition.reviewer_max_load or MAX_LOAD)
        # The edition's own maximum bounds the field (the service says the same).
        self.fields["max_load"] = forms.IntegerField(
            label=_("Most proposals you can review"),
            min_value=1,
            max_value=limit,
            initial=min(5, limit),
            help_text=_("At most %(max)s for this edition.") % {"max": limit},
        )


class BidForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Bid"),
        choices=[("", _("No bid")), *BidLevel.choices],
        required=False,
        error_messages={"invalid_choice": _("Bid eager, willing, not willing or conflict.")},
    )


class PoolFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everyone")), ("active", _("In the pool")), ("aside", _("Set aside"))],
    )
