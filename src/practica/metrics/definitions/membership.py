"""Membership figures: members at a moment, new members, and 6-month retention.

Read from `Membership` stints (never deleted: leaving closes a row, rejoining opens another),
so a figure as of a past moment is what was true then.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from practica.communities.models import LeftReason, Membership
from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.definitions.population import COUNTED_PERSON, memberships_as_of
from practica.metrics.definitions.windows import company_date, months_before, trailing_start

NEW_MEMBER_DAYS = 30
RETENTION_MONTHS = 6


def members(community_id: int, as_of: datetime) -> Decimal:
    """Distinct counted people with a stint in the community open at `as_of`."""
    count = memberships_as_of(community_id, as_of).values("person_id").distinct().count()
    return count_value(count)


def new_members_30_days(community_id: int, as_of: datetime) -> Decimal:
    """Distinct counted people whose stint began in the trailing 30 days
    (`as_of - 30 days < joined_at <= as_of`), whether or not they are still members; someone
    who left and came back in the window joined, and counts once."""
    count = (
        Membership.objects.filter(
            COUNTED_PERSON,
            community_id=community_id,
            joined_at__gt=trailing_start(as_of, days=NEW_MEMBER_DAYS),
            joined_at__lte=as_of,
        )
        .values("person_id")
        .distinct()
        .count()
    )
    return count_value(count)


@dataclass(frozen=True)
class Retention:
    """The 6-month cohort at `as_of`: who joined, who is still a member, who left the company
    (censored: neither retained nor churned)."""

    cohort: int
    retained: int
    censored: int

    @property
    def measured(self) -> int:
        return self.cohort - self.censored

    @property
    def share(self) -> Decimal | None:
        return share_value(self.retained, self.measured)


def retention_figures(community_id: int, as_of: datetime) -> Retention:
    """The cohort = distinct counted people whose stint began in
    `[as_of - 7 months, as_of - 6 months)`; retained = of those, members at `as_of` (by any
    stint); censored = not retained, and their latest stint here ended because they left the
    company: closed with the reason "left the company", or on or after their leaving day."""
    cohort = set(
        Membership.objects.filter(
            COUNTED_PERSON,
            community_id=community_id,
            joined_at__gte=months_before(as_of, RETENTION_MONTHS + 1),
            joined_at__lt=months_before(as_of, RETENTION_MONTHS),
        ).values_list("person_id", flat=True)
    )
    if not cohort:
        return Retention(cohort=0, retained=0, censored=0)
    retained = set(
        memberships_as_of(community_id, as_of)
        .filter(person_id__in=cohort)
        .values_list("person_id", flat=True)
    )
    censored = {
        person_id
        for person_id, stint in _latest_stints(community_id, as_of, cohort - retained).items()
        if _left_with_the_company(stint)
    }
    return Retention(cohort=len(cohort), retained=len(retained), censored=len(censored))


def _latest_stints(
    community_id: int, as_of: datetime, people: set[int]
) -> dict[int, tuple[datetime, str, date | None]]:
    """Each person's latest stint here begun by `as_of`: (left_at, left_reason, left_on)."""
    latest: dict[int, tuple[datetime, str, date | None]] = {}
    rows = (
        Membership.objects.filter(
            community_id=community_id,
            person_id__in=people,
            joined_at__lte=as_of,
            left_at__isnull=False,
        )
        .order_by("joined_at", "pk")
        .values_list("person_id", "left_at", "left_reason", "person__left_on")
    )
    for person_id, left_at, left_reason, left_on in rows:
        if left_at is not None:  # always, by the filter; said again for the type checker
            latest[person_id] = (left_at, left_reason, left_on)
    return latest


def _left_with_the_company(stint: tuple[datetime, str, date | None]) -> bool:
    left_at, left_reason, left_on = stint
    if left_reason == LeftReason.LEFT_COMPANY:
        return True
    return left_on is not None and left_on <= company_date(left_at)


def retention_6_months(community_id: int, as_of: datetime) -> Decimal | None:
    """Share of the 6-month cohort still members at `as_of`, leavers of the company left out
    of both sides; None for an empty (or wholly censored) cohort."""
    return retention_figures(community_id, as_of).share
