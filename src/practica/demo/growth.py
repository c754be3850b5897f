"""The machine-learning community's growth, month by month, from a 2012 email list.

The curve is the story's: word of mouth to ~800 (for 7,000) by mid-2013, a managed community
from 2014, ~N current members at the end of 2020, then a slow plateau to the present. Each month
we first let people leave (the company, or just the community), then let enough people join to
meet the curve, so joins make up for churn as they did in life.
"""

import heapq
import itertools
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import LeftReason, MembershipSource
from practica.demo.memberships import close_membership, open_membership, working_moment
from practica.demo.people import leave_company, new_person, weighted
from practica.people.models import Role

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

ML = "machine-learning"
ML_FOUNDED = date(2012, 3, 12)
FOUNDING_MEMBERS = 6
# (date, share of N current members on that date)
MILESTONES: tuple[tuple[date, float], ...] = (
    (ML_FOUNDED, 0.0),
    (date(2012, 6, 30), 0.02),
    (date(2012, 12, 31), 0.055),
    (date(2013, 6, 30), 800 / 7000),
    (date(2013, 12, 31), 0.15),
    (date(2014, 12, 31), 0.26),
    (date(2015, 12, 31), 0.38),
    (date(2016, 12, 31), 0.50),
    (date(2017, 12, 31), 0.62),
    (date(2018, 12, 31), 0.75),
    (date(2019, 12, 31), 0.875),
    (date(2020, 12, 31), 1.0),
)
GROWTH_AFTER_2020 = 0.01  # share of N a year, once the community has matured
COMPANY_TENURE_MEAN_YEARS = 20.0
COMMUNITY_STAY_MEAN_YEARS = 45.0
# Who joined, by year: researchers first, then engineers and everyone else.
ROLE_MIX_BY_YEAR: dict[int, tuple[tuple[str, int], ...]] = {
    2012: ((Role.RESEARCHER, 70), (Role.APPLIED_SCIENTIST, 12), (Role.ENGINEER, 10),
           (Role.DATA_SCIENTIST, 5), (Role.OTHER, 3)),
    2013: ((Role.RESEARCHER, 60), (Role.APPLIED_SCIENTIST, 14), (Role.ENGINEER, 15),
           (Role.DATA_SCIENTIST, 6), (Role.PRODUCT_MANAGER, 2), (Role.OTHER, 3)),
    2014: ((Role.RESEARCHER, 45), (Role.APPLIED_SCIENTIST, 15), (Role.ENGINEER, 22),
           (Role.DATA_SCIENTIST, 8), (Role.PRODUCT_MANAGER, 4), (Role.FIELD, 2), (Role.OTHER, 4)),
    2015: ((Role.RESEARCHER, 35), (Role.APPLIED_SCIENTIST, 15), (Role.ENGINEER, 28),
           (Role.DATA_SCIENTIST, 10), (Role.PRODUCT_MANAGER, 5), (Role.FIELD, 3), (Role.OTHER, 4)),
    2016: ((Role.RESEARCHER, 28), (Role.APPLIED_SCIENTIST, 14), (Role.ENGINEER, 32),
           (Role.DATA_SCIENTIST, 12), (Role.PRODUCT_MANAGER, 6), (Role.FIELD, 4), (Role.OTHER, 4)),
    2017: ((Role.RESEARCHER, 22), (Role.APPLIED_SCIENTIST, 13), (Role.ENGINEER, 34),
           (Role.DATA_SCIENTIST, 14), (Role.PRODUCT_MANAGER, 7), (Role.FIELD, 6), (Role.OTHER, 4)),
    2018: ((Role.RESEARCHER, 19), (Role.APPLIED_SCIENTIST, 12), (Role.ENGINEER, 35),
           (Role.DATA_SCIENTIST, 16), (Role.PRODUCT_MANAGER, 8), (Role.FIELD, 6), (Role.OTHER, 4)),
    2019: ((Role.RESEARCHER, 16), (Role.APPLIED_SCIENTIST, 12), (Role.ENGINEER, 36),
           (Role.DATA_SCIENTIST, 17), (Role.PRODUCT_MANAGER, 8), (Role.FIELD, 7), (Role.OTHER, 4)),
    2020: ((Role.RESEARCHER, 14), (Role.APPLIED_SCIENTIST, 12), (Role.ENGINEER, 36),
           (Role.DATA_SCIENTIST, 18), (Role.PRODUCT_MANAGER, 8), (Role.FIELD, 8), (Role.OTHER, 4)),
}  # fmt: skip


def target_size(members: int, day: date) -> float:
    """How many current members the story says the community has on `day`."""
    if day <= ML_FOUNDED:
        return 0.0
    last_day, _share = MILESTONES[-1]
    if day > last_day:
        return members * (1 + GROWTH_AFTER_2020 * (day - last_day).days / 365.25)
    for (start, low), (end, high) in itertools.pairwise(MILESTONES):
        if start < day <= end:
            return members * (low + (high - low) * (day - start).days / (end - start).days)
    return float(members)


def _source(story: "DemoStory", day: date) -> str:
    draw = story.rng.random()
    if day.year >= 2015 and draw < 0.35:
        return MembershipSource.WELCOME_MAIL
    if day.year >= 2014 and draw > 0.88:
        return MembershipSource.INVITATION
    return MembershipSource.ORGANIC


def _join(story: "DemoStory", day: date, source: str) -> datetime | None:
    """Plan one person who joins on `day`; returns when their membership ends, if it does."""
    rng = story.rng
    role = weighted(story, ROLE_MIX_BY_YEAR[min(max(day.year, 2012), 2020)])
    if source == MembershipSource.FOUNDER:
        role = Role.RESEARCHER
    if source == MembershipSource.WELCOME_MAIL:
        hired = day - timedelta(days=rng.randint(7, 60))
    else:
        hired = day - timedelta(days=30 + int(rng.expovariate(1 / (4 * 365.25))))
    division = "research" if source == MembershipSource.FOUNDER else None
    plan = new_person(story, role=role, hired_on=hired, division=division)
    joined_at = working_moment(story, plan, day)
    membership = open_membership(story, plan, ML, joined_at=joined_at, source=source)
    company_leaves = day + timedelta(
        days=1 + int(rng.expovariate(1 / (COMPANY_TENURE_MEAN_YEARS * 365.25)))
    )
    community_leaves = day + timedelta(
        days=1 + int(rng.expovariate(1 / (COMMUNITY_STAY_MEAN_YEARS * 365.25)))
    )
    if company_leaves < story.today:
        leave_company(plan, working_moment(story, plan, company_leaves))
    if community_leaves < story.today and community_leaves < company_leaves:
        close_membership(
            membership, working_moment(story, plan, community_leaves), LeftReason.LEFT_COMMUNITY
        )
    elif plan.left_at is not None:
        close_membership(membership, plan.left_at, LeftReason.LEFT_COMPANY)
    if source == MembershipSource.FOUNDER and story.ml_founder is None:
        story.ml_founder = plan
        plan.user.career_level = max(plan.user.career_level or 1, 7)
    return membership.left_at


def plan_ml_growth(story: "DemoStory") -> None:
    rng = story.rng
    leaving: list[datetime] = []
    current = founders = 0
    month = ML_FOUNDED.replace(day=1)
    last_day = story.today - timedelta(days=1)
    while month <= last_day:
        next_month = (month + timedelta(days=32)).replace(day=1)
        first, last = max(month, ML_FOUNDED), min(next_month - timedelta(days=1), last_day)
        end_of_month = datetime.combine(last, datetime.max.time()).replace(tzinfo=story.now.tzinfo)
        while leaving and leaving[0] <= end_of_month:
            heapq.heappop(leaving)
            current -= 1
        days = [
            first + timedelta(days=rng.randrange((last - first).days + 1))
            for _ in range(max(0, round(target_size(story.members, last)) - current))
        ]
        if founders == 0:
            days = [ML_FOUNDED, *days[1:]] if days else [ML_FOUNDED]
        for day in sorted(days):
            founding = (
                founders < FOUNDING_MEMBERS and day.year == ML_FOUNDED.year and day.month == 3
            )
            founders += founding
            left_at = _join(
                story, day, MembershipSource.FOUNDER if founding else _source(story, day)
            )
            current += 1
            if left_at is not None:
                heapq.heappush(leaving, left_at)
        month = next_month
