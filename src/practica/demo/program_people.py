"""Who is who for the demo's program steps (groups, budget, strategy, ladder): the generator
they draw from, the people they name, and who was a member when.

Each program step draws from a generator of its own, seeded from the demo's seed and the
step's name, so the shared generator's sequence stays what it was and one step's draws never
shift another's.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import MembershipRole
from practica.demo.logins import MANAGER_EMAIL
from practica.demo.memberships import MembershipPlan
from practica.demo.people import PersonPlan

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

NIGHTLY_CHECK = time(2, 30)  # when the beat's daily checks run (UTC)
STEWARD_ROLES = (MembershipRole.MANAGER, MembershipRole.LEADER, MembershipRole.EXECUTIVE_SPONSOR)


def program_rng(story: "DemoStory", part: str) -> random.Random:
    return random.Random(f"practica-demo-program-{part}-{story.seed}")


def manager(story: "DemoStory") -> PersonPlan:
    """The community manager of Machine Learning (a demo login)."""
    return story.logins[MANAGER_EMAIL]


def is_member_at(membership: MembershipPlan, moment: datetime) -> bool:
    return membership.joined_at <= moment and (
        membership.left_at is None or moment < membership.left_at
    )


class Roster:
    """A community's memberships (system accounts left out), oldest first, to ask who was a
    member when without going through every community's memberships each time."""

    def __init__(self, story: "DemoStory", slug: str) -> None:
        self.memberships = sorted(
            (m for m in story.memberships if m.community == slug and not m.person.user.is_system),
            key=lambda m: (m.joined_at, m.person.user.email),
        )

    def at(self, moment: datetime, roles: tuple[str, ...] = ()) -> list[MembershipPlan]:
        """The members at `moment` (in `roles` if given), oldest first."""
        return [
            m
            for m in self.memberships
            if is_member_at(m, moment) and (not roles or m.role in roles)
        ]


def members_at(
    story: "DemoStory", slug: str, moment: datetime, roles: tuple[str, ...] = ()
) -> list[MembershipPlan]:
    """The community's members at `moment` (in `roles` if given), oldest first."""
    return Roster(story, slug).at(moment, roles)


def current_community_manager(story: "DemoStory", slug: str) -> PersonPlan | None:
    managers = members_at(story, slug, story.now, (MembershipRole.MANAGER,))
    return managers[0].person if managers else None


def person_by_id(story: "DemoStory") -> dict[int, PersonPlan]:
    return {plan.user.pk: plan for plan in story.people}


def on_day(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def next_nightly_check(moment: datetime) -> datetime:
    """The first run of the daily checks after `moment`."""
    check = datetime.combine(moment.date(), NIGHTLY_CHECK, tzinfo=UTC)
    return check if check > moment else check + timedelta(days=1)
