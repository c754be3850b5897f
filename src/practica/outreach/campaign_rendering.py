"""A campaign's subject and Markdown body with its variables filled in, as safe HTML and text.

The manager writes Markdown with `{{ variable }}` placeholders from a fixed list (VARIABLES);
an unknown one is refused when the campaign is saved, naming it. Filling in is plain string
substitution — the manager's text never goes through Django's template engine — and each value
is escaped for Markdown first, so a name such as "[x](javascript:…)" stays text. The Markdown
is then rendered by the core's markdown module (markdown-it-py, then nh3's allowlist), like
every member's text.

`upcoming_events` and `top_questions` are Markdown lists with links, the same for every
recipient of a campaign's run, so `campaign_extras` reads them once (through the events and
discussions apps' queries) and the sender passes them to each rendering.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import Community
from practica.core.markdown import render_markdown
from practica.core.time_zones import zone_named

VARIABLES = {
    "first_name": gettext_lazy("The recipient's first name."),
    "manager": gettext_lazy("Their manager's name (empty when unknown)."),
    "community": gettext_lazy("The community's name."),
    "upcoming_events": gettext_lazy("The community's next published events, a list with links."),
    "top_questions": gettext_lazy(
        "The community's most-voted and most-answered questions of the last 30 days, a list "
        "with links."
    ),
    "join_link": gettext_lazy("The recipient's own one-click join link."),
}
# Lists: they make no sense in a subject line.
BLOCK_VARIABLES = frozenset({"upcoming_events", "top_questions"})
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
MAX_LISTED = 5
QUESTION_WINDOW = timedelta(days=30)
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 20000


def _known() -> str:
    return ", ".join(f"{{{{ {name} }}}}" for name in VARIABLES)


def text_problems(text: str, *, in_subject: bool = False) -> list[str]:
    """What is wrong with the placeholders of a subject or body: unknown variables (each
    named), lists in a subject, and a "{{" left open."""
    problems = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if name not in VARIABLES:
            shown = name if len(name) <= 60 else f"{name[:60]}…"
            problems.append(
                _("Unknown variable {{ %(name)s }}: use one of %(known)s.")
                % {"name": shown, "known": _known()}
            )
        elif in_subject and name in BLOCK_VARIABLES:
            problems.append(
                _("{{ %(name)s }} is a list and cannot go in the subject.") % {"name": name}
            )
    if "{{" in PLACEHOLDER.sub("", text):
        problems.append(_("A “{{” is not closed with “}}”."))
    return list(dict.fromkeys(problems))


def validate_campaign_texts(*, subject: Any, body: Any) -> tuple[str, str]:
    """The subject (one line) and body, checked; a ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for field, value, limit in (
        ("subject", subject, MAX_SUBJECT_LENGTH),
        ("body", body, MAX_BODY_LENGTH),
    ):
        text = "" if value is None else str(value).strip()
        if field == "subject":
            text = " ".join(text.split())
        if not text:
            errors[field] = [_("This cannot be empty.")]
        elif len(text) > limit:
            errors[field] = [_("Keep it to %(n)d characters.") % {"n": limit}]
        elif "\x00" in text:
            errors[field] = [_("The text contains a NUL character.")]
        else:
            problems = text_problems(text, in_subject=field == "subject")
            if problems:
                errors[field] = problems
        cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    return cleaned["subject"], cleaned["body"]


# --- What every recipient of a run shares ------------------------------------------------------


@dataclass(frozen=True)
class ListedLink:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class CampaignExtras:
    """The community's upcoming events and top questions, read once per run."""

    upcoming_events: tuple[ListedLink, ...] = ()
    top_questions: tuple[ListedLink, ...] = ()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def campaign_extras(community: Community, *, now: datetime | None = None) -> CampaignExtras:
    """The next published events the community hosts or co-hosts, and its most-voted (then
    most-answered) visible questions of the last 30 days; none for a closed community, whose
    questions outsiders cannot read."""
    from practica.discussions.models import ThreadKind
    from practica.discussions.queries import thread_list
    from practica.events.models import EventStatus
    from practica.events.queries.events import find_events

    now = now or timezone.now()
    events = find_events(
        viewer=AnonymousUser(),
        community=community,
        status=EventStatus.PUBLISHED,
        include_drafts=False,
        when="upcoming",
        now=now,
    ).only("id", "title", "starts_at", "time_zone")[:MAX_LISTED]
    upcoming = tuple(
        ListedLink(
            title=event.title,
            url=_absolute(reverse("events:detail", args=[event.pk])),
            note=event.starts_at.astimezone(zone_named(event.time_zone)).strftime("%Y-%m-%d %H:%M")
            + f" ({event.time_zone})",
        )
        for event in events
    )
    questions: tuple[ListedLink, ...] = ()
    if not community.is_closed:
        # Any signed-in person sees an open community's visible threads; the reader is
        # not a member yet, so read as a stand-in outsider (no roles anywhere).
        threads = (
            thread_list(user=_Outsider(), community=community, kind=ThreadKind.QUESTION)
            .filter(is_hidden=False, created_at__gte=now - QUESTION_WINDOW, created_at__lte=now)
            .order_by("-score", "-answer_count", "-created_at", "-pk")
            .select_related(None)
            .prefetch_related(None)
            .only("id", "title", "score", "answer_count")[:MAX_LISTED]
        )
        questions = tuple(
            ListedLink(
                title=thread.title,
                url=_absolute(reverse("discussions:thread", args=[thread.pk])),
            )
            for thread in threads
        )
    return CampaignExtras(upcoming_events=upcoming, top_questions=questions)


class _Outsider:
    """A signed-in person with no memberships: what an outsider of the community may read."""

    pk = 0
    is_authenticated = True
    is_active = True
    is_staff = False


# --- Filling in and rendering ----------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation character, so text stays text in Markdown."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _markdown_list(links: tuple[ListedLink, ...], empty: str) -> str:
    if not links:
        return f"*{escape_markdown(empty)}*"
    lines = []
    for link in links:
        note = f" — {escape_markdown(link.note)}" if link.note else ""
        lines.append(f"- [{escape_markdown(link.title)}](<{link.url}>){note}")
    return "\n".join(lines)


def _text_list(links: tuple[ListedLink, ...], empty: str) -> str:
    if not links:
        return empty
    return "\n".join(
        f"- {link.title}{f' ({link.note})' if link.note else ''}: {link.url}" for link in links
    )


@dataclass(frozen=True)
class CampaignValues:
    """The values of one recipient's mail."""

    first_name: str
    manager: str
    community: str
    join_link: str
    extras: CampaignExtras


def values_for(
    *, person: Any, community: Community, join_link: str, extras: CampaignExtras
) -> CampaignValues:
    """The values for `person` (their manager read from `person.manager`, select it first)."""
    manager = getattr(person, "manager", None)
    return CampaignValues(
        first_name=person.get_short_name() if hasattr(person, "get_short_name") else str(person),
        manager=(manager.display_name or manager.email) if manager is not None else "",
        community=community.name,
        join_link=join_link,
        extras=extras,
    )


def _fill(text: str, replace: Any) -> str:
    return PLACEHOLDER.sub(lambda match: replace(match.group(1).strip(), match), text)


def fill_subject(subject: str, values: CampaignValues) -> str:
    def replace(name: str, _match: re.Match[str]) -> str:
        if name in BLOCK_VARIABLES or name not in VARIABLES:
            return ""
        return str(getattr(values, name))

    return " ".join(_fill(subject, replace).split())


def fill_text(body: str, values: CampaignValues) -> str:
    """The plain-text body: values as they are, lists as "- title (when): link" lines."""
    no_events = _("No events are announced yet.")
    no_questions = _("No questions were asked in the last 30 days.")

    def replace(name: str, _match: re.Match[str]) -> str:
        if name == "upcoming_events":
            return _text_list(values.extras.upcoming_events, no_events)
        if name == "top_questions":
            return _text_list(values.extras.top_questions, no_questions)
        return str(getattr(values, name)) if name in VARIABLES else ""

    return _fill(body, replace).strip()


def fill_markdown(body: str, values: CampaignValues) -> str:
    """The Markdown body with every value escaped; the join link becomes a link of its own,
    or the address of a link the manager wrote around it (`[Join us]({{ join_link }})`)."""
    no_events = _("No events are announced yet.")
    no_questions = _("No questions were asked in the last 30 days.")

    def replace(name: str, match: re.Match[str]) -> str:
        if name == "upcoming_events":
            return _markdown_list(values.extras.upcoming_events, no_events)
        if name == "top_questions":
            return _markdown_list(values.extras.top_questions, no_questions)
        if name == "join_link":
            before = match.string[: match.start()]
            if before.endswith(("](", "](<", "<")):
                return values.join_link
            return f"<{values.join_link}>"
        return escape_markdown(str(getattr(values, name))) if name in VARIABLES else ""

    return _fill(body, replace)


@dataclass(frozen=True)
class RenderedCampaign:
    subject: str
    html: SafeString
    text: str


def render_campaign(*, subject: str, body: str, values: CampaignValues) -> RenderedCampaign:
    """The subject line, the body as sanitized HTML and as plain text, for one recipient."""
    html = render_markdown(fill_markdown(body, values))
    return RenderedCampaign(
        subject=fill_subject(subject, values),
        html=mark_safe(html),  # noqa: S308 — render_markdown's output is nh3-sanitized
        text=fill_text(body, values),
    )
