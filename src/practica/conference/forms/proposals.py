"""Forms of the proposal screens: a proposal (with co-speakers' addresses when it is new), a
co-speaker invitation, and the committee's filters of an edition's proposals. They read and
shape the input; the proposals service checks the call's rules (deadline, formats, tracks,
topics) and does the writing."""

import re
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from practica.conference.models import (
    AudienceLevel,
    Edition,
    Proposal,
    ProposalState,
    SessionFormat,
    Track,
)
from practica.conference.services.proposals import (
    MAX_ABSTRACT,
    MAX_EXPECTED_AUDIENCE,
    MAX_LINKS,
    MAX_SPEAKERS,
    MAX_TITLE,
)
from practica.core.queries import topic_tree, topics_with_descendants
from practica.people.forms import TopicMultipleChoiceField

_SEPARATORS = re.compile(r"[\s,;]+")


class ProposalForm(forms.Form):
    """A new proposal (`creating`: with co-speakers) or changes to one.
    `cleaned_data["values"]` holds the service's arguments."""

    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. What we learned evaluating LLMs")}),
    )
    format = forms.ModelChoiceField(
        label=_("Format"),
        queryset=SessionFormat.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of this edition's formats.")},
    )
    track = forms.ModelChoiceField(
        label=_("Track"),
        queryset=Track.objects.none(),
        required=False,
        empty_label=_("Choose a track"),
        help_text=_("Needed to submit, not to save a draft."),
        error_messages={"invalid_choice": _("Choose one of this edition's tracks.")},
    )
    abstract = forms.CharField(
        label=_("Abstract"),
        required=False,
        max_length=MAX_ABSTRACT,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What the audience will learn, and why it matters. Reviewers decide from this; "
            "needed to submit, not to save a draft."
        ),
    )
    topics = TopicMultipleChoiceField(
        label=_("Topics"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One to five: they bring your proposal to reviewers who know the field."),
    )
    audience_level = forms.ChoiceField(
        label=_("Audience level"),
        choices=AudienceLevel.choices,
        initial=AudienceLevel.INTERMEDIATE,
        widget=forms.RadioSelect,
    )
    expected_audience = forms.IntegerField(
        label=_("Expected audience"),
        required=False,
        min_value=1,
        max_value=MAX_EXPECTED_AUDIENCE,
        help_text=_("How many people you think will come; it helps choose the room."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=MAX_LINKS * 510,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: slides, a paper, code (at most five)."),
    )
    co_speakers = forms.CharField(
        label=_("Co-speakers"),
        required=False,
        max_length=MAX_SPEAKERS * 260,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_(
            "Their email addresses, one per line. Each gets an invitation to accept; "
            "they must be members."
        ),
    )

    def __init__(
        self, *args: Any, edition: Edition, proposal: Proposal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.edition = edition
        formats = SessionFormat.objects.filter(edition=edition)
        open_formats = Q(open_for_proposals=True)
        if proposal is not None:
            open_formats |= Q(pk=proposal.format_id)
        self.fields["format"].queryset = formats.filter(open_formats)  # type: ignore[attr-defined]
        tracks = Track.objects.filter(edition=edition)
        self.fields["track"].queryset = tracks  # type: ignore[attr-defined]
        self.has_tracks = tracks.exists()
        if not self.has_tracks:
            del self.fields["track"]
        chosen = list(edition.topics.all()) or list(edition.community.topics.all())
        if chosen:
            self.fields["topics"].queryset = topics_with_descendants(chosen).order_by("path")  # type: ignore[attr-defined]
        else:
            # The whole taxonomy: a list box, not hundreds of checkboxes.
            field = self.fields["topics"]
            field.widget = forms.SelectMultiple(attrs={"size": 10})
            field.widget.choices = field.choices  # type: ignore[attr-defined]
        if proposal is not None:
            del self.fields["co_speakers"]

    @staticmethod
    def initial_for(proposal: Proposal) -> dict[str, Any]:
        return {
            "title": proposal.title,
            "format": proposal.format_id,
            "track": proposal.track_id,
            "abstract": proposal.abstract,
            "topics": list(proposal.topics.all()),
            "audience_level": proposal.audience_level,
            "expected_audience": proposal.expected_audience,
            "links": "\n".join(proposal.links or []),
        }

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("links", "").splitlines()]
        return [line for line in lines if line]

    def clean_co_speakers(self) -> list[str]:
        addresses = [a for a in _SEPARATORS.split(self.cleaned_data.get("co_speakers", "")) if a]
        if len(addresses) > MAX_SPEAKERS - 1:
            raise forms.ValidationError(
                _("Invite at most %(max)s co-speakers.") % {"max": MAX_SPEAKERS - 1}
            )
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                wrong.append(address)
        if wrong:
            raise forms.ValidationError(
                _("These are not email addresses: %(list)s") % {"list": ", ".join(wrong)}
            )
        return addresses

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {
            "title": data.get("title", ""),
            "abstract": data.get("abstract", ""),
            "format": data.get("format"),
            "track": data.get("track"),
            "topics": list(data.get("topics") or []),
            "audience_level": data.get("audience_level") or AudienceLevel.INTERMEDIATE,
            "links": data.get("links") or [],
            "expected_audience": data.get("expected_audience"),
        }
        if "co_speakers" in self.fields:
            values["co_speakers"] = data.get("co_speakers") or []
        data["values"] = values
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Co-speaker's email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ProposalFilterForm(forms.Form):
    """The committee's filters (GET); invalid values are reported and ignored, never fatal."""

    q = forms.CharField(label=_("Words in the title or abstract"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), required=False)
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), required=False, empty_label=_("Any track")
    )
    format = forms.ModelChoiceField(
        label=_("Format"),
        queryset=SessionFormat.objects.none(),
        required=False,
        empty_label=_("Any format"),
    )

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Submitted and decided")), *ProposalState.choices]  # type: ignore[attr-defined]
        self.fields["track"].queryset = Track.objects.filter(edition=edition)  # type: ignore[attr-defined]
        self.fields["format"].queryset = SessionFormat.objects.filter(edition=edition)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
