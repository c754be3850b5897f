"""Forms of the edition screens: creating and editing an edition, its tracks, session formats,
rooms and review criteria, and seating committee members. They validate input; the editions
service does the writing and the cross-field rules (dates in order, loads).

Deadlines are typed on the wall clock of the edition's own time zone (the form's `time_zone`
field): "23:59 Europe/Berlin" means the same whoever types it.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community
from practica.conference.models import Edition, SessionKind
from practica.conference.services.editions import MAX_LOAD, MAX_REVIEWERS_PER_PROPOSAL
from practica.core.queries import topic_tree, topics_with_descendants
from practica.events.forms.events import WallClockField, in_zone, wall_clock
from practica.events.models import EventMode
from practica.people.forms import TIME_ZONE_CHOICES, TopicMultipleChoiceField

MOMENTS = ("cfp_opens_at", "cfp_closes_at", "review_opens_at", "review_closes_at")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EditionForm(forms.Form):
    """Create (with `creating`) or edit an edition. `cleaned_data["values"]` holds the
    service's arguments; the conference event's place and seats are asked only on creation
    (later they are edited on the event)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Spring 2027")}),
    )
    slug = forms.SlugField(
        label=_("Address"),
        required=False,
        max_length=120,
        help_text=_("Letters, digits and hyphens; made from the name when empty."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown. What the conference is about and whom the call is for."),
    )
    topics = TopicMultipleChoiceField(
        label=_("Topics"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Proposals choose among these and their sub-topics; none: any topic."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
        help_text=_("Deadlines are announced in this zone; the times below are in it."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=_date_input())
    ends_on = forms.DateField(label=_("Last day"), widget=_date_input())
    cfp_opens_at = WallClockField(label=_("Call opens"))
    cfp_closes_at = WallClockField(label=_("Proposal deadline"))
    review_opens_at = WallClockField(label=_("Reviewing opens"))
    review_closes_at = WallClockField(label=_("Review deadline"))
    decisions_due_at = WallClockField(label=_("Decisions due"))
    reviewers_per_proposal = forms.IntegerField(
        label=_("Reviewers per proposal"), min_value=1, max_value=MAX_REVIEWERS_PER_PROPOSAL
    )
    reviewer_min_load = forms.IntegerField(
        label=_("Fewest proposals per reviewer"), min_value=0, max_value=MAX_LOAD
    )
    reviewer_max_load = forms.IntegerField(
        label=_("Most proposals per reviewer"),
        min_value=1,
        max_value=MAX_LOAD,
        help_text=_("A volunteer's own maximum is used when it is lower."),
    )
    double_blind = forms.BooleanField(
        label=_("Double-blind: hide the speakers from reviewers outside the committee"),
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("How people attend"),
        choices=EventMode.choices,
        initial=EventMode.IN_PERSON,
        widget=forms.RadioSelect,
    )
    venue_city = forms.CharField(label=_("City"), required=False, max_length=120)
    venue_building = forms.CharField(label=_("Building or venue"), required=False, max_length=120)
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=_("Registration fills these, then a waiting list. Empty: no limit."),
    )
    online_url = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )

    def __init__(
        self, *args: Any, community: Community, creating: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if community.topics.exists():
            self.fields["topics"].queryset = topics_with_descendants(  # type: ignore[attr-defined]
                community.topics.all()
            ).order_by("path")
        if not creating:
            for name in ("mode", "venue_city", "venue_building", "capacity", "online_url"):
                del self.fields[name]

    @staticmethod
    def initial_for(edition: Edition) -> dict[str, Any]:
        """The form's initial data for `edition` (moments on its own wall clock)."""
        data: dict[str, Any] = {
            name: getattr(edition, name)
            for name in (
                "name",
                "slug",
                "description",
                "time_zone",
                "starts_on",
                "ends_on",
                "reviewers_per_proposal",
                "reviewer_min_load",
                "reviewer_max_load",
                "double_blind",
            )
        }
        for name in (*MOMENTS, "decisions_due_at"):
            data[name] = wall_clock(getattr(edition, name), edition.time_zone)
        data["topics"] = list(edition.topics.all())
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone_name = data.get("time_zone")
        zone = ZoneInfo(zone_name) if zone_name else None
        values: dict[str, Any] = {
            name: data.get(name)
            for name in (
                "name",
                "slug",
                "description",
                "time_zone",
                "starts_on",
                "ends_on",
                "reviewers_per_proposal",
                "reviewer_min_load",
                "reviewer_max_load",
            )
        }
        values["double_blind"] = bool(data.get("double_blind"))
        values["topics"] = list(data.get("topics") or [])
        for name in (*MOMENTS, "decisions_due_at"):
            naive = data.get(name)
            values[name] = in_zone(naive, zone) if naive is not None and zone else None
            if naive is not None and zone is not None and values[name] is None:
                self.add_error(
                    name,
                    _("%(time)s does not exist in %(zone)s: the clocks change then.")
                    % {"time": f"{naive:%Y-%m-%d %H:%M}", "zone": zone_name},
                )
        if self.creating:
            values.update(
                {
                    "mode": data.get("mode") or EventMode.IN_PERSON,
                    "venue_city": data.get("venue_city", ""),
                    "venue_building": data.get("venue_building", ""),
                    "capacity": data.get("capacity"),
                    "online_url": data.get("online_url", ""),
                }
            )
        data["values"] = values
        return data


class TrackForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)


class FormatForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    name = forms.CharField(label=_("Name"), max_length=80)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=5, max_value=480, initial=30)
    open_for_proposals = forms.BooleanField(
        label=_("Members may propose sessions of this format"), required=False, initial=True
    )


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    venue = forms.CharField(label=_("Venue"), required=False, max_length=160)
    capacity = forms.IntegerField(
        label=_("Seats"), required=False, min_value=0, max_value=1_000_000
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("What to judge"), required=False, max_length=300)
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0, max_value=99, max_digits=4, decimal_places=2, initial=1
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)


class CommitteeMemberForm(forms.Form):
    """Seat a member, found by the address they sign in with."""

    email = forms.EmailField(label=_("Member's email address"), max_length=254)
    is_chair = forms.BooleanField(label=_("Chair"), required=False)

    def clean_email(self) -> Any:
        address = self.cleaned_data["email"].strip()
        person = get_user_model().objects.filter(email__iexact=address, is_active=True).first()
        if person is None:
            raise forms.ValidationError(
                _("No active member has the address %(email)s.") % {"email": address}
            )
        self.cleaned_data["person"] = person
        return address
