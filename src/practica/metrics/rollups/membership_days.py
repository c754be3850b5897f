"""Membership figures per day: members, joiners by source, leavers, new members (30 days).

Member at the end of day d (`day_end(d)`) means a stint with `joined_at <= day_end(d) <
left_at`: with day numbers, `joined day <= d < left day`, so a stint covers the half-open
stretch `[joined day, left day)` (empty when it began and ended on the same day). A person's
stints are merged, so someone counts once however many stints they have.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from practica.communities.models import LeftReason, Membership, MembershipSource
from practica.metrics.definitions.membership import NEW_MEMBER_DAYS
from practica.metrics.definitions.population import COUNTED_PERSON
from practica.metrics.rollups.calendar import OPEN_END, day_number_of, site_zone
from practica.metrics.rollups.segments import DayCounters, Person, merge

JOINED_BY_SOURCE: dict[str, str] = {
    MembershipSource.WELCOME_MAIL: "joined_welcome_mail",
    MembershipSource.INVITATION: "joined_invitation",
    MembershipSource.ORGANIC: "joined_organic",
    MembershipSource.IMPORT: "joined_other",
    MembershipSource.FOUNDER: "joined_other",
}
LEFT_BY_REASON: dict[str, str] = {
    LeftReason.LEFT_COMMUNITY: "left_community",
    LeftReason.REMOVED: "left_community",
    LeftReason.LEFT_COMPANY: "left_company",
}
MEMBERSHIP_FIGURES = (
    "members",
    "joined",
    "joined_welcome_mail",
    "joined_invitation",
    "joined_organic",
    "joined_other",
    "left_community",
    "left_company",
    "new_members_30d",
)

Stint = tuple[datetime, datetime | None, str, str, str]  # joined, left, reason, source, role


@dataclass(slots=True)
class History:
    """One counted person's stints in one community, as day numbers."""

    stints: list[Stint] = field(default_factory=list)
    member: list[tuple[int, int]] = field(default_factory=list)  # member at these day ends
    touched: list[tuple[int, int]] = field(default_factory=list)  # member at some moment, incl.
    first_joined: int = OPEN_END
    left_company_on: int | None = None  # the day they left the company, when they did
    left_on: int | None = None  # User.left_on

    @property
    def role(self) -> str:
        """The role of the latest stint: the membership role "today"."""
        return max(self.stints, key=lambda stint: stint[0])[4]


def load_histories(community_id: int) -> dict[int, History]:
    """Every counted person's stints in the community, one query."""
    day_number = day_number_of()
    zone = site_zone()
    histories: dict[int, History] = defaultdict(History)
    rows = (
        Membership.objects.filter(COUNTED_PERSON, community_id=community_id)
        .order_by("person_id", "joined_at", "pk")
        .values_list(
            "person_id", "joined_at", "left_at", "left_reason", "source", "role", "person__left_on"
        )
        .iterator(chunk_size=20000)
    )
    for person_id, joined_at, left_at, left_reason, source, role, left_on in rows:
        history = histories[person_id]
        history.stints.append((joined_at, left_at, left_reason, source, role))
        if left_on is not None:
            history.left_on = left_on.toordinal()
    for history in histories.values():
        spans = []
        touched = []
        for joined_at, left_at, _reason, _source, _role in history.stints:
            if left_at is not None and left_at <= joined_at:
                continue  # a stint closed as it opened was never open
            first = day_number(joined_at)
            if left_at is None:
                spans.append((first, OPEN_END))
                touched.append((first, OPEN_END))
                continue
            after = day_number(left_at)
            spans.append((first, after))
            # The last day they were a member at some moment: the day before when they left
            # exactly at a midnight.
            local = left_at.astimezone(zone)
            at_midnight = (local.hour, local.minute, local.second, local.microsecond) == (0,) * 4
            touched.append((first, after if at_midnight else after + 1))
        history.member = merge(spans)
        history.touched = merge(touched)
        history.first_joined = day_number(history.stints[0][0])
        latest = max(history.stints, key=lambda stint: stint[0])
        if history.left_on is not None:
            history.left_company_on = history.left_on
        elif latest[1] is not None and latest[2] == LeftReason.LEFT_COMPANY:
            history.left_company_on = day_number(latest[1])
    return dict(histories)


def count_membership_days(
    counters: DayCounters, histories: dict[int, History], people: dict[int, Person]
) -> None:
    """Add every person's membership figures to `counters` (see MEMBERSHIP_FIGURES)."""
    day_number = day_number_of()
    for person_id, history in histories.items():
        person = people[person_id]
        counters.add_all("members", person, history.member)
        joined_days: set[int] = set()
        joined_by: set[tuple[int, str]] = set()
        left_by: set[tuple[int, str]] = set()
        for joined_at, left_at, reason, source, _role in history.stints:
            day = day_number(joined_at)
            joined_days.add(day)
            joined_by.add((day, JOINED_BY_SOURCE.get(source, "joined_other")))
            if left_at is not None and reason in LEFT_BY_REASON:
                left_by.add((day_number(left_at), LEFT_BY_REASON[reason]))
        for day in joined_days:
            counters.add("joined", person, day, day + 1)
        for day, figure in joined_by | left_by:
            counters.add(figure, person, day, day + 1)
        # Joined in (day_end(d) - 30 days, day_end(d)]: the days d in [joined, joined + 30).
        fresh = merge([(day, day + NEW_MEMBER_DAYS) for day in joined_days])
        counters.add_all("new_members_30d", person, fresh)
