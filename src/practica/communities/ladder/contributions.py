"""The contribution ledger: what members gave to a community, read from the activity ledger.

A contribution is an `Activity` row of one of the kinds below. Most are the person's own rows
(they answered, presented, reviewed…); an accepted answer is the asker's `ACCEPTED` row whose
`counterpart` is the person whose answer was accepted (a self-accepted answer gives no
credit). The keys of `CONTRIBUTION_KINDS` are what a ladder rung's `requirements` count.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practica.core.models import Activity, ActivityKind
from practica.people.models import User


@dataclass(frozen=True)
class ContributionKind:
    """One kind of contribution: its key, label and the ledger rows that count as one.

    `credited_to_counterpart`: the row is the other person's (the asker accepting an answer),
    so it counts for its `counterpart`, not for its `person`.
    """

    key: str
    label: Promise
    activity_kinds: tuple[str, ...]
    credited_to_counterpart: bool = False

    def describe(self, count: int) -> str:
        """`count` of this kind as a phrase, e.g. "answered 9 questions"."""
        return _PHRASES[self.key](count)


ANSWERED = "answered"
ANSWER_ACCEPTED = "answer_accepted"
PRESENTED = "presented"
HOSTED = "hosted"
REVIEWED = "reviewed"
SERVED_ON_COMMITTEE = "served_on_committee"
ORGANIZED_GROUP = "organized_group"
RAN_GRANT_ACTIVITY = "ran_grant_activity"

CONTRIBUTION_KINDS: dict[str, ContributionKind] = {
    kind.key: kind
    for kind in (
        ContributionKind(ANSWERED, _("Answered questions"), (ActivityKind.ANSWERED,)),
        ContributionKind(
            ANSWER_ACCEPTED,
            _("Answers accepted"),
            (ActivityKind.ACCEPTED,),
            credited_to_counterpart=True,
        ),
        ContributionKind(
            PRESENTED, _("Presented"), (ActivityKind.PRESENTED, ActivityKind.KEYNOTED)
        ),
        ContributionKind(HOSTED, _("Hosted events"), (ActivityKind.HOSTED,)),
        ContributionKind(REVIEWED, _("Reviewed proposals"), (ActivityKind.REVIEWED,)),
        ContributionKind(
            SERVED_ON_COMMITTEE,
            _("Served on a program committee"),
            (ActivityKind.SERVED_ON_COMMITTEE,),
        ),
        ContributionKind(ORGANIZED_GROUP, _("Organized a group"), (ActivityKind.ORGANIZED_GROUP,)),
        ContributionKind(
            RAN_GRANT_ACTIVITY,
            _("Ran a grant-funded activity"),
            (ActivityKind.RAN_GRANT_ACTIVITY,),
        ),
    )
}

_PHRASES = {
    ANSWERED: lambda n: (
        ngettext("answered %(n)d question", "answered %(n)d questions", n) % {"n": n}
    ),
    ANSWER_ACCEPTED: lambda n: (
        ngettext("had %(n)d answer accepted", "had %(n)d answers accepted", n) % {"n": n}
    ),
    PRESENTED: lambda n: ngettext("presented %(n)d time", "presented %(n)d times", n) % {"n": n},
    HOSTED: lambda n: ngettext("hosted %(n)d event", "hosted %(n)d events", n) % {"n": n},
    REVIEWED: lambda n: (
        ngettext("reviewed %(n)d proposal", "reviewed %(n)d proposals", n) % {"n": n}
    ),
    SERVED_ON_COMMITTEE: lambda n: (
        ngettext("served on %(n)d program committee", "served on %(n)d program committees", n)
        % {"n": n}
    ),
    ORGANIZED_GROUP: lambda n: (
        ngettext("organized %(n)d group", "organized %(n)d groups", n) % {"n": n}
    ),
    RAN_GRANT_ACTIVITY: lambda n: (
        ngettext("ran %(n)d grant-funded activity", "ran %(n)d grant-funded activities", n)
        % {"n": n}
    ),
}

# Every activity kind that is some contribution, for filtering the ledger in one go.
CONTRIBUTION_ACTIVITY_KINDS: frozenset[str] = frozenset(
    activity_kind for kind in CONTRIBUTION_KINDS.values() for activity_kind in kind.activity_kinds
)
_OWN_KINDS = [kind for kind in CONTRIBUTION_KINDS.values() if not kind.credited_to_counterpart]
_COUNTERPART_KINDS = [kind for kind in CONTRIBUTION_KINDS.values() if kind.credited_to_counterpart]

Counts = dict[str, int]


def contribution_kind_choices() -> list[tuple[str, Promise]]:
    """(key, label) of every contribution kind, in ledger order."""
    return [(kind.key, kind.label) for kind in CONTRIBUTION_KINDS.values()]


def _in_period(
    rows: QuerySet[Activity], since: datetime | None, until: datetime | None
) -> QuerySet[Activity]:
    if since is not None:
        rows = rows.filter(occurred_at__gt=since)
    if until is not None:
        rows = rows.filter(occurred_at__lte=until)
    return rows


def _add_grouped(
    result: dict[int, Counts],
    rows: QuerySet[Activity],
    person_field: str,
    counters: dict[str, Any],
) -> None:
    """Add the `counters` of `rows` grouped by `person_field` into `result`."""
    keys = list(counters)
    grouped = rows.values(person_field).annotate(**counters).order_by()
    for person_id, *values in grouped.values_list(person_field, *keys):
        counts = result[person_id]
        for key, value in zip(keys, values, strict=True):
            counts[key] += value


def contribution_counts(
    *,
    community_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    person_ids: list[int] | None = None,
) -> dict[int, Counts]:
    """Contributions per person per kind in the community, over `(since, until]` (open ends
    when None), for `person_ids` or everyone. People with none are left out; a person's
    counts have every key of `CONTRIBUTION_KINDS` (zeros included). Two grouped queries."""
    base = _in_period(Activity.objects.filter(community_id=community_id), since, until)
    result: dict[int, Counts] = defaultdict(lambda: dict.fromkeys(CONTRIBUTION_KINDS, 0))
    own = base.filter(kind__in=[k for kind in _OWN_KINDS for k in kind.activity_kinds])
    if person_ids is not None:
        own = own.filter(person_id__in=person_ids)
    own_counts: dict[str, Any] = {
        kind.key: Count("pk", filter=Q(kind__in=kind.activity_kinds)) for kind in _OWN_KINDS
    }
    _add_grouped(result, own, "person_id", own_counts)
    credited = base.filter(
        kind__in=[k for kind in _COUNTERPART_KINDS for k in kind.activity_kinds],
        counterpart_id__isnull=False,
    ).exclude(counterpart_id=F("person_id"))
    if person_ids is not None:
        credited = credited.filter(counterpart_id__in=person_ids)
    credited_counts: dict[str, Any] = {
        kind.key: Count("pk", filter=Q(kind__in=kind.activity_kinds)) for kind in _COUNTERPART_KINDS
    }
    _add_grouped(result, credited, "counterpart_id", credited_counts)
    return {person_id: counts for person_id, counts in result.items() if any(counts.values())}


def contributions_of(
    *,
    community_id: int,
    person_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Counts:
    """One person's contributions per kind in the community over `(since, until]`: every key
    of `CONTRIBUTION_KINDS`, zeros included."""
    counts = contribution_counts(
        community_id=community_id, since=since, until=until, person_ids=[person_id]
    )
    return counts.get(person_id, dict.fromkeys(CONTRIBUTION_KINDS, 0))


def contribution_ledger(
    *, community_id: int, since: datetime | None, until: datetime
) -> list[dict[str, Any]]:
    """The ledger for the period: per person (with their name) the counts per kind and the
    total, the most contributions first, then by name. People with none are left out."""
    counts = contribution_counts(community_id=community_id, since=since, until=until)
    people = User.objects.only("id", "display_name", "job_title").in_bulk(list(counts))
    rows: list[dict[str, Any]] = [
        {"person": people[person_id], "total": sum(kinds.values()), "counts": kinds}
        for person_id, kinds in counts.items()
        if person_id in people
    ]
    rows.sort(key=lambda row: (-row["total"], row["person"].display_name, row["person"].pk))
    return rows


def contribution_rows(*, community_id: int, person_id: int) -> QuerySet[Activity]:
    """The ledger rows that are the person's contributions in the community, newest first:
    their own rows of a contribution kind and the accepted answers credited to them."""
    own_kinds = [k for kind in _OWN_KINDS for k in kind.activity_kinds]
    credited_kinds = [k for kind in _COUNTERPART_KINDS for k in kind.activity_kinds]
    return (
        Activity.objects.filter(community_id=community_id)
        .filter(
            Q(person_id=person_id, kind__in=own_kinds)
            | (Q(counterpart_id=person_id, kind__in=credited_kinds) & ~Q(person_id=person_id))
        )
        .order_by("-occurred_at", "-pk")
    )


def contribution_key_of(activity: Activity) -> str | None:
    """Which contribution kind a ledger row is (None when it is none)."""
    for kind in CONTRIBUTION_KINDS.values():
        if activity.kind in kind.activity_kinds:
            return kind.key
    return None


def meets(requirements: dict[str, int], counts: Counts) -> bool:
    """Whether the counts meet every requirement; no requirement at all is never met (such
    a rung is reached only by a manager's say-so)."""
    if not requirements:
        return False
    return all(counts.get(key, 0) >= needed for key, needed in requirements.items())


def describe_requirements(requirements: dict[str, int]) -> list[str]:
    """A rung's requirements as phrases ("answered 3 questions"), unknown keys left out."""
    return [
        CONTRIBUTION_KINDS[key].describe(count)
        for key, count in requirements.items()
        if key in CONTRIBUTION_KINDS and isinstance(count, int)
    ]
