"""Cross-org answers: how often help crosses the org chart.

An answer is a visible post, not the opening one, in a visible question thread of the
community, by someone other than the asker (a self-answer is no answer), counted people on
both sides. Each side's org unit is read from `people.Affiliation` history: the answerer's on
the day of the answer, the asker's on the day of the question, so a transfer after the fact
moves nothing; where no affiliation (with an org unit) covers that day, the org unit the post
recorded when it was written stands in. The two are compared at the community's
`QASettings.cross_org_depth` (0 divisions, 1 groups, 2 teams; a unit shallower than that
compares as itself). Answers where either side's org unit is unknown are left out of the share.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery

from practica.core.models import TREE_PATH_SEPARATOR
from practica.discussions.models import Post, QASettings, ThreadKind
from practica.metrics.definitions.figures import share_value
from practica.metrics.definitions.population import counted
from practica.metrics.definitions.windows import company_date, trailing_start
from practica.people.models import Affiliation, OrgUnit

ANSWER_DAYS = 90
DEFAULT_CROSS_ORG_DEPTH = 1  # QASettings' default, for a community that has no settings row


@dataclass(frozen=True)
class CrossOrgAnswers:
    answers: int
    compared: int  # both sides' org units known
    cross_org: int

    @property
    def share(self) -> Decimal | None:
        return share_value(self.cross_org, self.compared)


class AffiliationHistory:
    """The org units of a set of people over time, read once."""

    def __init__(self, person_ids: set[int]) -> None:
        self._stretches: dict[int, list[tuple[date, date | None, int | None]]] = defaultdict(list)
        rows = Affiliation.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "valid_from", "valid_to", "org_unit_id"
        )
        for person_id, valid_from, valid_to, org_unit_id in rows:
            self._stretches[person_id].append((valid_from, valid_to, org_unit_id))

    def org_unit_on(self, person_id: int, day: date) -> int | None:
        """The org unit of the affiliation covering `day` (`valid_from <= day < valid_to`: the
        day a row closes is the next row's first day), None when none does or it names none."""
        for valid_from, valid_to, org_unit_id in self._stretches.get(person_id, ()):
            if valid_from <= day and (valid_to is None or day < valid_to):
                return org_unit_id
        return None


def _unit_at_depth(path: str, depth: int) -> str | None:
    slugs = [part for part in path.split(TREE_PATH_SEPARATOR) if part]
    return slugs[min(depth, len(slugs) - 1)] if slugs else None


def cross_org_figures(community_id: int, as_of: datetime) -> CrossOrgAnswers:
    """The answers of `(as_of - 90 days, as_of]` and how many crossed the org tree (see the
    module's docstring)."""
    opening_post_unit = Post.objects.filter(
        thread_id=OuterRef("thread_id"), is_opening=True
    ).values("author_org_unit_id")[:1]
    answers = list(
        Post.objects.filter(
            counted("author"),
            counted("thread__author"),
            thread__community_id=community_id,
            thread__kind=ThreadKind.QUESTION,
            thread__is_hidden=False,
            is_opening=False,
            is_hidden=False,
            created_at__gt=trailing_start(as_of, days=ANSWER_DAYS),
            created_at__lte=as_of,
        )
        .exclude(author_id=F("thread__author_id"))
        .annotate(asker_post_unit=Subquery(opening_post_unit))
        .values_list(
            "author_id",
            "created_at",
            "author_org_unit_id",
            "thread__author_id",
            "thread__created_at",
            "asker_post_unit",
        )
    )
    if not answers:
        return CrossOrgAnswers(answers=0, compared=0, cross_org=0)
    history = AffiliationHistory({row[0] for row in answers} | {row[3] for row in answers})
    pairs = [
        (
            history.org_unit_on(answerer_id, company_date(answered_at)) or answerer_post_unit,
            history.org_unit_on(asker_id, company_date(asked_at)) or asker_post_unit,
        )
        for answerer_id, answered_at, answerer_post_unit, asker_id, asked_at, asker_post_unit in (
            answers
        )
    ]
    return count_cross_org(community_id, pairs)


def count_cross_org(
    community_id: int, pairs: Sequence[tuple[int | None, int | None]]
) -> CrossOrgAnswers:
    """Of the answers given as (answerer's org unit, asker's org unit) pairs, how many have
    both units known and how many of those differ at the community's `cross_org_depth`."""
    depth = (
        QASettings.objects.filter(community_id=community_id)
        .values_list("cross_org_depth", flat=True)
        .first()
    )
    depth = DEFAULT_CROSS_ORG_DEPTH if depth is None else depth
    unit_ids = {unit for pair in pairs for unit in pair if unit is not None}
    at_depth = {
        pk: _unit_at_depth(path, depth)
        for pk, path in OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path")
    }
    compared = cross = 0
    for answerer_unit, asker_unit in pairs:
        mine = at_depth.get(answerer_unit) if answerer_unit is not None else None
        theirs = at_depth.get(asker_unit) if asker_unit is not None else None
        if mine is None or theirs is None:
            continue
        compared += 1
        cross += mine != theirs
    return CrossOrgAnswers(answers=len(pairs), compared=compared, cross_org=cross)


def cross_org_answer_share(community_id: int, as_of: datetime) -> Decimal | None:
    """Of the trailing 90 days' answers with both org units known, the share where the
    answerer's org unit (as of the answer) differs from the asker's (as of the question);
    None when there are none."""
    return cross_org_figures(community_id, as_of).share
