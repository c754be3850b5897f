"""Forms of the Q&A screens: they validate input; services do the writing."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, Membership
from practica.communities.permissions import MODERATING_ROLES
from practica.core.models import Topic
from practica.core.queries import topic_tree, topics_with_descendants
from practica.discussions.models import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    EmailMode,
    FlagReason,
    ThreadKind,
    ThreadState,
)
from practica.discussions.templatetags.discussions_ui import minutes_words
from practica.people.forms import OrgUnitChoiceField, TopicChoiceField, TopicMultipleChoiceField
from practica.people.models import OrgUnit

MAX_SEARCH_LENGTH = 200
MAX_REASON_LENGTH = 500
MAX_TOPICS = 5

SORT_ACTIVITY = "activity"
SORT_NEWEST = "newest"
SORT_VOTES = "votes"
SORT_CHOICES = [
    (SORT_ACTIVITY, _("Recent activity")),
    (SORT_NEWEST, _("Newest")),
    (SORT_VOTES, _("Most votes")),
]


def _topic_filter(label: Any = None) -> TopicChoiceField:
    return TopicChoiceField(
        label=label or _("Topic"),
        queryset=topic_tree(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any topic"),
        error_messages={"invalid_choice": _("There is no such topic.")},
    )


def _community_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All my communities"),
        error_messages={"invalid_choice": _("There is no such community.")},
    )


def _body_field(label: Any, placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_POST_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": placeholder}),
        help_text=_("Markdown: **bold**, `code`, ```fenced blocks```, lists, tables, links."),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("Keep it under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class FilterForm(forms.Form):
    """A base for GET filter forms: invalid fields are reported and dropped, never fatal."""

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ThreadFilterForm(FilterForm):
    """Filter and sort a list of threads (GET)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    topic = _topic_filter()
    unanswered = forms.BooleanField(label=_("Unanswered"), required=False)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, community: Community | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *ThreadKind.choices]
        self.fields["state"].choices = [("", _("Any state")), *ThreadState.choices]
        if community is None:
            self.fields["community"] = _community_filter()
            self.order_fields(["community"])
        elif community.topics.exists():
            self.fields["topic"].queryset = topics_with_descendants(
                community.topics.all()
            ).order_by("path")


class UnansweredFilterForm(FilterForm):
    community = _community_filter()
    topic = _topic_filter()


class SearchForm(FilterForm):
    q = forms.CharField(
        label=_("Search questions and answers"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "search-input",
                "placeholder": _("e.g. gradient checkpointing out of memory"),
                "autocomplete": "off",
            }
        ),
    )
    community = _community_filter()
    topic = _topic_filter()
    answered = forms.ChoiceField(
        label=_("Answered"),
        required=False,
        choices=[("", _("Answered or not")), ("yes", _("Answered")), ("no", _("Unanswered"))],
    )
    org_unit = OrgUnitChoiceField(
        label=_("Author's org unit"),
        queryset=OrgUnit.objects.order_by("path"),
        to_field_name="slug",
        required=False,
        empty_label=_("Anywhere in the company"),
        error_messages={"invalid_choice": _("There is no such org unit.")},
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


class AskForm(forms.Form):
    """A new question or discussion in a community."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (ThreadKind.QUESTION, _("A question — I need an answer")),
            (ThreadKind.DISCUSSION, _("A discussion — I want to share or talk")),
        ],
        initial=ThreadKind.QUESTION,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE_LENGTH,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. How do I shard a 70B model across 4 GPUs?"),
                "autocomplete": "off",
            }
        ),
        help_text=_("One sentence that says what you need to know."),
        error_messages={"required": _("Give your question a title.")},
    )
    body = _body_field(
        _("Details"), _("What are you trying to do? What have you tried? What happened?")
    )
    topics = TopicMultipleChoiceField(
        label=_("Topics"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Experts in these topics are asked to answer."),
    )
    is_urgent = forms.BooleanField(label=_("Urgent: a customer is waiting"), required=False)

    def __init__(self, *args: Any, community: Community, target_minutes: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if community.topics.exists():
            self.fields["topics"].queryset = topics_with_descendants(
                community.topics.all()
            ).order_by("path")
        self.fields["is_urgent"].help_text = _(
            "%(community)s aims to answer urgent questions within %(target)s. "
            "Use it only when someone is waiting for the answer."
        ) % {"community": community.name, "target": minutes_words(target_minutes)}

    def clean_topics(self) -> list[Topic]:
        topics = list(self.cleaned_data["topics"])
        if len(topics) > MAX_TOPICS:
            raise forms.ValidationError(_("Choose at most five topics."))
        return topics

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_urgent") and data.get("kind") == ThreadKind.DISCUSSION:
            self.add_error("is_urgent", _("Only questions can be marked urgent."))
        return data


class PostForm(forms.Form):
    body = _body_field(_("Your answer"), _("Share what you know. Code, links and steps help."))

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label


class EditPostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH, required=False)
    body = _body_field(_("Text"), "")

    def __init__(self, *args: Any, with_title: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=MAX_POST_LENGTH, strip=False)


class SimilarForm(forms.Form):
    title = forms.CharField(required=False, max_length=MAX_TITLE_LENGTH * 2)
    body = forms.CharField(required=False, max_length=MAX_POST_LENGTH)

    def text(self) -> str:
        if not self.is_valid():
            return ""
        return f"{self.cleaned_data['title']} {self.cleaned_data['body'][:2000]}".strip()


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=[("1", "+1"), ("-1", "-1"), ("0", "0")],
        coerce=int,
        error_messages={"invalid_choice": _("A vote is up, down or withdrawn.")},
    )


class WatchForm(forms.Form):
    level = forms.ChoiceField(
        choices=[("watching", _("Watching")), ("muted", _("Muted")), ("none", _("Not watching"))]
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=FlagReason.choices)
    note = forms.CharField(
        label=_("Note for the moderators"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=MAX_REASON_LENGTH)


class DismissFlagsForm(forms.Form):
    """Dismiss one open flag of a post (`flag`), or all of them (no `flag`)."""

    flag = forms.IntegerField(label=_("Flag"), required=False, min_value=1)


_THREAD_NUMBER = re.compile(r"(?:questions/)?#?(\d+)/?\s*$")


class ThreadReferenceForm(forms.Form):
    """Another thread, given by its number or its address (…/questions/123/)."""

    thread = forms.CharField(
        label=_("Other thread"),
        max_length=300,
        help_text=_("Its number or its address, e.g. 1234 or …/questions/1234/."),
    )

    def clean_thread(self) -> int:
        match = _THREAD_NUMBER.search(self.cleaned_data["thread"].strip())
        if not match:
            raise forms.ValidationError(_("Give the other thread's number or address."))
        return int(match.group(1))


class MoveForm(forms.Form):
    to_community = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Community.objects.order_by("name"),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("There is no such community.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_staff:
            moderated = Membership.objects.current().filter(person=user, role__in=MODERATING_ROLES)
            self.fields["to_community"].queryset = Community.objects.filter(
                pk__in=moderated.values("community_id")
            ).order_by("name")


class MarkReadForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])

    def clean_ids(self) -> list[int]:
        return [int(value) for value in self.data.getlist("ids") if str(value).isdigit()]


class PreferencesForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("Notification mail"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("In-app notifications always arrive; this is about mail."),
    )
    routing_opt_out = forms.BooleanField(
        label=_("Don't route questions to me"),
        required=False,
        help_text=_("You will still see questions in your communities and topics."),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In your own time zone. No routed questions reach you in these hours."),
    )
    max_open_routed = forms.IntegerField(
        label=_("At most this many routed questions open at once"),
        min_value=0,
        max_value=20,
        help_text=_("0 works like opting out."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("quiet_hours_start")) != bool(data.get("quiet_hours_end")):
            self.add_error("quiet_hours_end", _("Give both ends of your quiet hours, or neither."))
        return data
