"""Twelve years of a large community for `practica bench dashboard`, written in bulk.

One community (and two small sister communities) inside a company of `members` people:

- an org tree of 10 divisions, 30 groups and 100 teams; every person has an affiliation from
  their hiring day (closed when they leave the company) and 5 per cent transfer once, so their
  org unit on an old day differs from today's;
- everyone joins the community at some point of the last twelve years, more and more each year
  (join times with a density growing linearly, so the membership grows about quadratically);
  8 per cent later leave the company, 12 per cent of the others leave the community; a manager,
  an executive sponsor, leaders and organizers who stay;
- questions (Threads of kind question) and their answers (Posts) at about 1 question and 1.6
  answers per 12 ledger rows, first responses ever faster over the years, 10 per cent never
  answered, an accepted answer for about half; each answer's author org unit as of its day;
- ~600 events (two conferences a year among them) with registrations, check-ins and feedback;
- pulses every six months in the last three years;
- the rest of `activities` as ledger rows of the other kinds (votes, replies, reviews, …) by
  members while they are members, more from the few very active ones.

Rows are tuples through `practica.core.bulk.insert_rows` (COPY on PostgreSQL) with ids chosen
here; draws come from one seeded NumPy generator, so a seed gives the same history.
"""

import bisect
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from practica.communities.models import Community, LeftReason, Membership, MembershipRole
from practica.core.bulk import adapters, first_id, insert_rows, reset_sequences
from practica.core.models import Activity, ActivityKind, Topic
from practica.core.tree import child_path, path_depth
from practica.discussions.models import QASettings
from practica.people.models import Affiliation, OrgUnit, OrgUnitKind, Role, User

YEARS = 12
DAY = 86400.0
CHUNK = 200_000
DIVISIONS, GROUPS_PER_DIVISION, TEAMS_PER_GROUP = 10, 3, (4, 3, 3)
TOPIC_AREAS = ("nlp", "vision", "mlops", "data", "cloud", "security")
SLUG, SISTERS = "bench-dashboard", ("bench-sister-one", "bench-sister-two")
SISTER_SHARE = 0.03  # of the people, in each sister community
LEADERS, ORGANIZERS = 10, 50
USER_COLUMNS = (
    "id",
    "email",
    "display_name",
    "password",
    "org_unit_id",
    "role",
    "career_level",
    "hired_on",
    "left_on",
    "is_active",
    "job_title",
    "location",
    "country",
    "bio",
    "preferred_language",
)
ACTIVITY_COLUMNS = (
    "kind",
    "person_id",
    "community_id",
    "occurred_at",
    "subject_type_id",
    "subject_id",
    "counterpart_id",
    "data",
)


@dataclass
class Roster:
    """The people and their stints in one community, in join order, times as epoch seconds."""

    person: np.ndarray  # index into History.people
    joined: np.ndarray
    ends: np.ndarray  # left_at, or now for the ones still in
    cumulative: np.ndarray  # member-time × activity weight, for drawing (person, moment)
    joined_list: list[float] = field(default_factory=list)


@dataclass
class History:
    community: Community
    manager: User
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)


@contextmanager
def fast_load(tables: tuple[str, ...]) -> Iterator[None]:
    """PostgreSQL: load the tables without maintaining their secondary indexes row by row
    (dropped, then built again at the end, which is several times faster) and, when the role
    may, without the foreign-key triggers (the generator writes consistent rows). Elsewhere:
    nothing to do."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role = replica")
        except DatabaseError:
            pass  # not a superuser: the foreign keys are checked as usual
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            for _name, definition in indexes:
                cursor.execute(definition)


def _day(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_chunked(model: type, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert in chunks: COPY keeps every row of a call in memory, and so does PostgreSQL's
    queue of deferred foreign-key checks."""
    return sum(insert_rows(model, columns, chunk) for chunk in _chunks(rows))


class Generator:
    def __init__(self, *, members: int, activities: int, seed: int) -> None:
        self.members, self.activities = members, activities
        self.rng = np.random.default_rng(seed)
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.now, self.now_s = now, now.timestamp()
        self.start_s = now.replace(year=now.year - YEARS, month=1, day=1, hour=0).timestamp()
        self.dt, self.js = adapters()
        self.empty = self.js({})
        self.rows = 0

    def moment(self, seconds: float) -> Any:
        return self.dt(datetime.fromtimestamp(seconds, UTC))

    # --- The company --------------------------------------------------------------------

    def org_chart(self) -> None:
        def unit(name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
            slug = name.lower().replace(" ", "-")
            path = child_path(parent.path if parent else None, slug)
            return OrgUnit(
                name=name, slug=slug, kind=kind, parent=parent, path=path, depth=path_depth(path)
            )

        divisions = OrgUnit.objects.bulk_create(
            [unit(f"Division {d}", OrgUnitKind.DIVISION, None) for d in range(DIVISIONS)]
        )
        groups = OrgUnit.objects.bulk_create(
            [
                unit(f"Group {d}-{g}", OrgUnitKind.GROUP, division)
                for d, division in enumerate(divisions)
                for g in range(GROUPS_PER_DIVISION)
            ]
        )
        teams = OrgUnit.objects.bulk_create(
            [
                unit(f"Team {group.slug[6:]}-{t}", OrgUnitKind.TEAM, group)
                for g, group in enumerate(groups)
                for t in range(TEAMS_PER_GROUP[g % GROUPS_PER_DIVISION])
            ]
        )
        self.team_ids = np.array([team.pk for team in teams])
        self.team_group = {team.pk: team.parent_id for team in teams}
        topics = []
        for area in TOPIC_AREAS:
            parent = Topic.objects.create(
                name=area.upper(),
                slug=f"bench-{area}",
                path=child_path(None, f"bench-{area}"),
                depth=0,
            )
            topics.append(parent.pk)
            for n in range(4):
                slug = f"bench-{area}-{n}"
                path = child_path(parent.path, slug)
                topics.append(
                    Topic.objects.create(
                        name=f"{area} {n}",
                        slug=slug,
                        parent=parent,
                        path=path,
                        depth=path_depth(path),
                    ).pk
                )
        self.topic_ids = topics

    def people(self) -> None:
        """Everyone, in the order they join the community: join times with a density growing
        linearly over the twelve years; the first few are the staff who never leave."""
        n, rng, now_s, start_s = self.members, self.rng, self.now_s, self.start_s
        joined = np.sort(start_s + (now_s - start_s) * np.sqrt(rng.random(n)))
        staff = 2 + LEADERS + ORGANIZERS
        joined[: min(n, staff)] = start_s + DAY * np.arange(min(n, staff))
        hired = joined - DAY * rng.exponential(3 * 365, n)
        hired = np.maximum(hired, datetime(1995, 1, 2, tzinfo=UTC).timestamp())
        leaves_company = rng.random(n) < 0.08
        leaves_community = ~leaves_company & (rng.random(n) < 0.12)
        leaves_company[:staff] = leaves_community[:staff] = False
        left = np.where(
            leaves_company | leaves_community,
            joined + (now_s - joined) * rng.random(n) * 0.98 + 3600,
            np.inf,
        )
        self.joined, self.left, self.hired = joined, left, hired
        self.left_company = leaves_company
        self.team = rng.choice(self.team_ids, n)
        transfers = rng.random(n) < 0.05
        company_end = np.where(leaves_company, left, now_s)
        self.transfer_on = np.where(transfers, hired + (company_end - hired) * rng.random(n), 0)
        self.old_team = rng.choice(self.team_ids, n)
        self.level = rng.integers(1, 11, n)
        self.weight = rng.lognormal(0.0, 1.1, n)
        self.weight[:staff] *= 4
        first = first_id(User)
        self.user_ids = np.arange(first, first + n)
        roles = [choice.value for choice in Role]
        role_of = rng.integers(0, len(roles), n)

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                pid = int(self.user_ids[i])
                gone = bool(leaves_company[i])
                yield (
                    pid,
                    f"bench{i}@dashboard.example",
                    f"Bench Person {i}",
                    "!",
                    int(self.team[i]),
                    roles[role_of[i]],
                    int(self.level[i]),
                    _day(hired[i]),
                    _day(left[i]) if gone else None,
                    not gone,
                    "",
                    "",
                    "",
                    "",
                    "",
                )

        insert_chunked(User, USER_COLUMNS, rows())
        self._affiliations(transfers, company_end)
        reset_sequences(User)
        self.manager = User.objects.get(pk=int(self.user_ids[0]))

    def _affiliations(self, transfers: np.ndarray, company_end: np.ndarray) -> None:
        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(self.members):
                pid = int(self.user_ids[i])
                start = _day(self.hired[i])
                end = _day(company_end[i]) if self.left_company[i] else None
                if transfers[i]:
                    moved = _day(self.transfer_on[i])
                    if start < moved and (end is None or moved < end):
                        yield pid, int(self.old_team[i]), "", start, moved
                        start = moved
                yield pid, int(self.team[i]), "", start, end

        self.counts_affiliations = insert_chunked(
            Affiliation, ("person_id", "org_unit_id", "job_title", "valid_from", "valid_to"), rows()
        )

    def unit_at(self, i: int, seconds: float) -> int:
        """The person's team on that moment: the old one before their transfer."""
        return int(self.old_team[i] if seconds < self.transfer_on[i] else self.team[i])

    # --- Communities and memberships ----------------------------------------------------

    def communities(self) -> None:
        founded = _day(self.start_s)
        self.community_rows = [
            Community.objects.create(
                name=slug.replace("-", " ").title(),
                slug=slug,
                founded_on=founded,
                created_at=datetime.fromtimestamp(self.start_s, UTC),
            )
            for slug in (SLUG, *SISTERS)
        ]
        QASettings.objects.bulk_create([QASettings(community=c) for c in self.community_rows])
        n, rng = self.members, self.rng
        rosters = [self._roster(np.arange(n), self.joined, np.minimum(self.left, self.now_s))]
        for _ in SISTERS:
            chosen = np.sort(rng.choice(n, max(2, int(n * SISTER_SHARE)), replace=False))
            company_end = np.where(self.left_company[chosen], self.left[chosen], self.now_s)
            joined = (
                self.joined[chosen]
                + (company_end - self.joined[chosen]) * rng.random(len(chosen)) * 0.5
            )
            order = np.argsort(joined)
            rosters.append(self._roster(chosen[order], joined[order], company_end[order]))
        self.rosters = rosters
        self._memberships()

    def _roster(self, person: np.ndarray, joined: np.ndarray, ends: np.ndarray) -> Roster:
        cumulative = np.cumsum((ends - joined) * self.weight[person])
        return Roster(person, joined, ends, cumulative, joined.tolist())

    def _memberships(self) -> None:
        membership_type = ContentType.objects.get_for_model(Membership).pk
        staff_roles = {0: MembershipRole.MANAGER, 1: MembershipRole.EXECUTIVE_SPONSOR}
        staff_roles |= dict.fromkeys(range(2, 2 + LEADERS), MembershipRole.LEADER)
        staff_roles |= dict.fromkeys(
            range(2 + LEADERS, 2 + LEADERS + ORGANIZERS), MembershipRole.ORGANIZER
        )
        first = first_id(Membership)
        stints, ledger = [], []
        sources = ("organic", "welcome_mail", "invitation")
        for c, roster in enumerate(self.rosters):
            community_id = self.community_rows[c].pk
            for k in range(len(roster.person)):
                i = int(roster.person[k])
                pid, mid = int(self.user_ids[i]), first + len(stints)
                ended = roster.ends[k] < self.now_s
                reason = (
                    ""
                    if not ended
                    else (
                        LeftReason.LEFT_COMPANY
                        if self.left_company[i]
                        else LeftReason.LEFT_COMMUNITY
                    )
                )
                role = (
                    staff_roles.get(i, MembershipRole.MEMBER) if c == 0 else MembershipRole.MEMBER
                )
                source = sources[i % 3] if i > 5 else "founder"
                joined_at = self.moment(roster.joined[k])
                left_at = self.moment(roster.ends[k]) if ended else None
                stints.append((mid, community_id, pid, role, source, joined_at, left_at, reason))
                ledger.append(
                    (
                        ActivityKind.JOINED,
                        pid,
                        community_id,
                        joined_at,
                        membership_type,
                        mid,
                        None,
                        self.js({"source": source, "role": role}),
                    )
                )
                if ended:
                    ledger.append(
                        (
                            ActivityKind.LEFT,
                            pid,
                            community_id,
                            left_at,
                            membership_type,
                            mid,
                            None,
                            self.js({"reason": reason}),
                        )
                    )
        columns = (
            "id",
            "community_id",
            "person_id",
            "role",
            "source",
            "joined_at",
            "left_at",
            "left_reason",
        )
        self.counts_memberships = insert_chunked(Membership, columns, stints)
        reset_sequences(Membership)
        self.rows += insert_chunked(Activity, ACTIVITY_COLUMNS, ledger)

    def draw(self, roster: Roster, count: int) -> tuple[np.ndarray, np.ndarray]:
        """`count` (person index, moment) pairs: member-time weighted by activity."""
        rng = self.rng
        picks = np.searchsorted(roster.cumulative, rng.random(count) * roster.cumulative[-1])
        picks = np.minimum(picks, len(roster.person) - 1)
        span = roster.ends[picks] - roster.joined[picks]
        return roster.person[picks], roster.joined[picks] + span * rng.random(count)

    def member_at(self, roster: Roster, seconds: float, exclude: int) -> int | None:
        """A member at that moment (the more active more often), not `exclude`; None if none."""
        top = bisect.bisect_right(roster.joined_list, seconds)
        if top == 0:
            return None
        for draw in self.rng.random(8):
            # Squaring favours the early joiners, who answer most in a community.
            k = int(draw * draw * top)
            i = int(roster.person[k])
            if i != exclude and roster.ends[k] > seconds:
                return i
        return None
