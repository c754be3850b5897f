"""Machine Learning's contributor ladder, everyone's steps up it, and the opportunities board.

The manager set up the default ladder (`communities.ladder.defaults`: participant →
presenter → reviewer → program committee → organizer) the week the first strategy was
approved. Every step since is what the placement service would have recorded had it run
after each contribution: the ledger is read in time order (contributions as
`ladder.contributions` counts them), and a person steps up when their counts first earn a
rung above every rung they stood on; what they had earned before the ladder existed is one
step on its first day. Organizers got their rung from the manager the day they became
organizers. So the history holds, among others, a 2014 presenter who became a reviewer and
then sat on a program committee; the manager had asked them to review before they did.
Running the placement service today adds nothing.

The board: open calls (reviewers for the edition under review, speakers for the monthly
talk, organizers for a new study group, which the member login volunteered for) and closed
ones with accepted volunteers (their VOLUNTEERED ledger rows), plus the manager's recent asks
to members whose engagement is rising.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from practica.communities.ladder.contributions import (
    ANSWERED,
    CONTRIBUTION_KINDS,
    PRESENTED,
)
from practica.communities.ladder.defaults import DEFAULT_RUNGS
from practica.communities.models import (
    ContributionAsk,
    LadderRung,
    LadderStep,
    LadderStepSource,
    MembershipRole,
    Opportunity,
)
from practica.core.bulk import adapters, insert_rows
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.demo.growth import ML
from practica.demo.program_ladder_board import save_board
from practica.demo.program_people import manager, members_at, program_rng

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

LADDER_STARTED = datetime.fromisoformat("2014-03-17T16:00:00+00:00")
ORGANIZER_NOTE = "Organizes the community's events and groups."
STORY_ASK_NOTE = (
    "Your talk was one of the best of the year: would you review proposals for the next "
    "conference? I'll pair you with an experienced reviewer."
)
RISING_ASK_NOTE = (
    "You've been answering a lot lately, thank you! Would you present what you know at ML Monthly?"
)


@dataclass
class Step:
    person_id: int
    position: int
    reached_at: datetime
    source: str = LadderStepSource.EARNED
    note: str = ""


def _nth_moments(story: "DemoStory", key: str, counts: set[int]) -> dict[int, dict[int, datetime]]:
    """For each count in `counts`: when each person made their count-th contribution of
    `key` (as `ladder.contributions` counts them), as {count: {person id: moment}}. A first
    contribution is one grouped query; a later one reads that kind's rows in order."""
    kind = CONTRIBUTION_KINDS[key]
    who = "counterpart_id" if kind.credited_to_counterpart else "person_id"
    dt, _js = adapters()
    table = connection.ops.quote_name(Activity._meta.db_table)
    marks = ", ".join(["%s"] * len(kind.activity_kinds))
    where = f"community_id = %s AND kind IN ({marks}) AND occurred_at <= %s"
    if kind.credited_to_counterpart:
        where += " AND counterpart_id IS NOT NULL AND counterpart_id <> person_id"
    params = [story.communities[ML].pk, *kind.activity_kinds, dt(story.now)]
    found: dict[int, dict[int, datetime]] = {count: {} for count in counts}
    with connection.cursor() as cursor:
        if counts == {1}:
            cursor.execute(
                f"SELECT {who}, min(occurred_at) FROM {table} WHERE {where} GROUP BY {who}",  # noqa: S608
                params,
            )
            found[1] = {person: _as_datetime(at) for person, at in cursor.fetchall()}
            return found
        cursor.execute(
            f"SELECT {who}, occurred_at FROM {table} WHERE {where} ORDER BY occurred_at, id",  # noqa: S608
            params,
        )
        seen: dict[int, int] = defaultdict(int)
        for person, at in cursor.fetchall():
            seen[person] += 1
            if seen[person] in counts:
                found[seen[person]][person] = _as_datetime(at)
    return found


def _as_datetime(value: datetime | str) -> datetime:
    """An aware UTC date-time from what the cursor gave (naive UTC or text on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _organizer_steps(story: "DemoStory") -> list[tuple[datetime, int]]:
    """The day each organizer became one (their role change), or the ladder's first day."""
    found = {}
    for plan in story.activities:
        if (
            plan.community == ML
            and plan.kind == ActivityKind.ROLE_CHANGED
            and plan.data.get("role") == MembershipRole.ORGANIZER
        ):
            found[plan.person.user.pk] = max(plan.occurred_at, LADDER_STARTED)
    return sorted((at, person_id) for person_id, at in found.items())


def _earned_moments(story: "DemoStory", rungs: list[LadderRung]) -> dict[int, list]:
    """person id → [(when they met a rung's requirements, its position)]: a rung is met once
    the last of its required counts is reached (counts only grow)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for rung in rungs:
        for key, count in rung.requirements.items():
            wanted[key].add(count)
    nth = {key: _nth_moments(story, key, counts) for key, counts in wanted.items()}
    met: dict[int, list] = defaultdict(list)
    for rung in rungs:
        if not rung.requirements:
            continue
        reached = [nth[key][count] for key, count in rung.requirements.items()]
        for person in set.intersection(*(set(moments) for moments in reached)):
            met[person].append((max(moments[person] for moments in reached), rung.position))
    return met


def _plan_steps(story: "DemoStory", rungs: list[LadderRung]) -> list[Step]:
    """Each person's steps as the placement service makes them, had it run after every
    contribution: a step when the highest rung they meet stands above all they stood on.
    Organizers were set on the top rung by the manager when they became organizers."""
    organizer = max(rung.position for rung in rungs)
    timeline = _earned_moments(story, rungs)
    for at, person in _organizer_steps(story):
        timeline[person].append((at, organizer, LadderStepSource.MANAGER))
    steps: list[Step] = []
    for person, moments in timeline.items():
        highest = 0
        for at, position, *manual in sorted(moments):
            if manual:
                steps.append(Step(person, position, at, LadderStepSource.MANAGER, ORGANIZER_NOTE))
                highest = max(highest, position)
            elif position > highest:
                steps.append(Step(person, position, max(at, LADDER_STARTED)))
                highest = position
    # What someone earned before the ladder existed is one step, on its first day.
    first_day: dict[int, Step] = {}
    later = []
    for step in steps:
        if step.reached_at == LADDER_STARTED and step.source == LadderStepSource.EARNED:
            first_day[step.person_id] = step
        else:
            later.append(step)
    return sorted([*first_day.values(), *later], key=lambda s: (s.reached_at, s.person_id))


def _story_person(steps: list[Step], positions: dict[str, int]) -> tuple[Step, Step] | None:
    """A 2014 presenter who later reached reviewer, then program committee: their presenter
    and reviewer steps (one who became a reviewer after 2014 if there is one)."""
    earned: dict[int, dict[int, Step]] = defaultdict(dict)
    for step in steps:
        if step.source == LadderStepSource.EARNED:
            earned[step.person_id][step.position] = step
    wanted = (positions["presenter"], positions["reviewer"], positions["pc"])
    found = [
        (path[wanted[0]], path[wanted[1]])
        for _person, path in sorted(earned.items())
        if all(p in path for p in wanted) and path[wanted[0]].reached_at.year == 2014
    ]
    later = [pair for pair in found if pair[1].reached_at.year > 2014]
    return (later or found)[0] if found else None


def _asks(
    story: "DemoStory",
    rng: random.Random,
    steps: list[Step],
    positions: dict[str, int],
    speakers_call: Opportunity | None,
) -> list[ContributionAsk]:
    """The manager's asks: the story's presenter before their first review; a few members
    whose answers picked up lately, none of them on the top rungs."""
    ml, by = story.communities[ML].pk, manager(story).user.pk
    asks = []
    found = _story_person(steps, positions)
    if found is not None:
        presented, reviewed = found
        asked = max(
            presented.reached_at + timedelta(days=1),
            reviewed.reached_at - timedelta(days=rng.uniform(60, 120)),
        )
        asks.append(ContributionAsk(community_id=ml, person_id=presented.person_id,
                                    asked_by_id=by, asked_at=asked,
                                    note=STORY_ASK_NOTE))  # fmt: skip
    current = {s.person_id: s.position for s in steps}
    recent = Activity.objects.filter(
        community_id=ml, kind=ActivityKind.ANSWERED,
        occurred_at__gte=story.now - timedelta(days=90),
    ).values_list("person_id", flat=True)  # fmt: skip
    members = {m.person.user.pk for m in members_at(story, ML, story.now)}
    rising = sorted(
        {p for p in recent if p in members and p != by and current.get(p, 0) < positions["pc"]}
    )
    for n, person_id in enumerate(rng.sample(rising, min(4, len(rising)))):
        call = speakers_call if n % 2 == 0 else None
        asked = story.now - timedelta(days=rng.uniform(1, 10) if call else rng.uniform(15, 80))
        asks.append(
            ContributionAsk(
                community_id=ml,
                person_id=person_id,
                asked_by_id=by,
                asked_at=asked,
                opportunity=call,
                note=RISING_ASK_NOTE,
            )
        )
    return asks


def save_ladder(story: "DemoStory") -> None:
    """Step: the ladder, its history, the board and the asks (see the module's docstring)."""
    rng = program_rng(story, "ladder")
    ml = story.communities[ML]
    by = manager(story).user.pk
    rungs = LadderRung.objects.bulk_create(
        LadderRung(community=ml, position=n, name=str(rung.name),
                   description=str(rung.description), requirements=dict(rung.requirements))
        for n, rung in enumerate(DEFAULT_RUNGS, start=1)
    )  # fmt: skip
    by_position = {rung.position: rung for rung in rungs}
    positions = {
        "presenter": next(r.position for r in rungs if PRESENTED in r.requirements),
        "reviewer": next(r.position for r in rungs if "reviewed" in r.requirements),
        "pc": next(r.position for r in rungs if "served_on_committee" in r.requirements),
        "participant": next(r.position for r in rungs if ANSWERED in r.requirements),
    }
    steps = _plan_steps(story, rungs)
    dt, _js = adapters()
    insert_rows(
        LadderStep,
        ("community_id", "person_id", "rung_id", "reached_at", "source", "recorded_by_id",
         "note"),
        (
            (ml.pk, s.person_id, by_position[s.position].pk, dt(s.reached_at), s.source,
             by if s.source == LadderStepSource.MANAGER else None, s.note)
            for s in steps
        ),
    )  # fmt: skip
    board = save_board(story, rng)
    asks = ContributionAsk.objects.bulk_create(
        _asks(story, rng, steps, positions, board.get("speakers"))
    )
    ask_type = ContentType.objects.get_for_model(ContributionAsk)
    AuditLogEntry.objects.bulk_create(
        [
            AuditLogEntry(actor_id=by, action="ladder.default_created", community=ml,
                          created_at=LADDER_STARTED, data={"rungs": len(rungs)}),
            *(
                AuditLogEntry(actor_id=by, action="ladder.asked_to_contribute",
                              target_type=ask_type, target_id=ask.pk, community=ml,
                              created_at=ask.asked_at,
                              data={"person": ask.person_id,
                                    "opportunity": ask.opportunity_id})
                for ask in asks
            ),
        ]
    )  # fmt: skip
    story.counts["ladder_steps"] = len(steps)
    story.counts["opportunities"] = len(board)
