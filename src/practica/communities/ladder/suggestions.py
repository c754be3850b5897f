"""Promotion suggestions ("recruit for enthusiasm"): members whose engagement is rising and who
have not been asked to contribute lately, each with the reason in words.

Engagement in a window is the number of the member's ledger rows in the community (anything
they did there, except joining, leaving, role changes, profile edits and being routed a
question) plus their contributions (see `contributions`), so giving weighs twice as much as
taking part. A member is suggested when their engagement in the last RECENT_DAYS is at least
MIN_RECENT_ENGAGEMENT and at least RISE_FACTOR times that of the RECENT_DAYS before, they
were not asked in the last NOT_ASKED_DAYS, they are not already on the top rung, and they
are not in the leadership already (manager, leader, executive sponsor).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.ladder.contributions import (
    CONTRIBUTION_KINDS,
    Counts,
    contribution_counts,
)
from practica.communities.models import (
    Community,
    ContributionAsk,
    LadderRung,
    LadderStep,
    Membership,
)
from practica.communities.permissions import LEADERSHIP_ROLES
from practica.core.models import Activity, ActivityKind
from practica.people.models import User

RECENT_DAYS = 90
NOT_ASKED_DAYS = 180
MIN_RECENT_ENGAGEMENT = 6
RISE_FACTOR = 2
# Ledger rows that say something happened to a member rather than that they took part.
NOT_ENGAGEMENT = (
    ActivityKind.JOINED,
    ActivityKind.LEFT,
    ActivityKind.REQUESTED_TO_JOIN,
    ActivityKind.ROLE_CHANGED,
    ActivityKind.PROFILE_UPDATED,
    ActivityKind.ROUTED,
)


@dataclass
class PromotionSuggestion:
    """A member worth asking to contribute more, and why."""

    person: User
    current_rung: LadderRung | None
    recent_engagement: int
    previous_engagement: int
    recent_contributions: Counts
    previous_contributions: Counts
    last_asked_at: datetime | None
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def rise(self) -> int:
        return self.recent_engagement - self.previous_engagement


def _engagement(community_id: int, now: datetime) -> dict[int, tuple[int, int]]:
    """(recent, previous) ledger rows per person, one grouped query."""
    middle = now - timedelta(days=RECENT_DAYS)
    start = middle - timedelta(days=RECENT_DAYS)
    rows = (
        Activity.objects.filter(
            community_id=community_id, occurred_at__gt=start, occurred_at__lte=now
        )
        .exclude(kind__in=NOT_ENGAGEMENT)
        .values("person_id")
        .annotate(
            recent=Count("pk", filter=Q(occurred_at__gt=middle)),
            previous=Count("pk", filter=Q(occurred_at__lte=middle)),
        )
        .order_by()
    )
    return {row["person_id"]: (row["recent"], row["previous"]) for row in rows}


def _reasons(
    recent: Counts,
    previous: Counts,
    recent_engagement: int,
    previous_engagement: int,
    last_asked_at: datetime | None,
) -> list[str]:
    """The suggestion's reason, clause by clause: the contributions of the last RECENT_DAYS
    (most first, with the count before when there was one), or the plain activity when there
    were none; then when they were last asked."""
    clauses: list[str] = []
    given = sorted((key for key in CONTRIBUTION_KINDS if recent[key]), key=lambda key: -recent[key])
    for key in given:
        clause = CONTRIBUTION_KINDS[key].describe(recent[key])
        if not clauses:
            clause = _("%(what)s in the last %(days)d days") % {"what": clause, "days": RECENT_DAYS}
        if previous[key]:
            clause = _("%(what)s, up from %(previous)d") % {
                "what": clause,
                "previous": previous[key],
            }
        clauses.append(clause)
    if not clauses:
        clauses.append(
            ngettext(
                "took part %(n)d time in the last %(days)d days, up from %(previous)d",
                "took part %(n)d times in the last %(days)d days, up from %(previous)d",
                recent_engagement,
            )
            % {"n": recent_engagement, "days": RECENT_DAYS, "previous": previous_engagement}
        )
    if last_asked_at is None:
        clauses.append(_("never asked"))
    else:
        day = date_format(timezone.localtime(last_asked_at), "DATE_FORMAT")
        clauses.append(_("last asked on %(day)s") % {"day": day})
    return clauses


def promotion_suggestions(
    community: Community, *, now: datetime | None = None
) -> list[PromotionSuggestion]:
    """Members of the community to ask to contribute more (see the module's rules), the
    steepest rise first. A handful of queries whatever the community's size."""
    now = now or timezone.now()
    engagement = _engagement(community.pk, now)
    middle = now - timedelta(days=RECENT_DAYS)
    recent_counts = contribution_counts(community_id=community.pk, since=middle, until=now)
    previous_counts = contribution_counts(
        community_id=community.pk, since=middle - timedelta(days=RECENT_DAYS), until=middle
    )
    zero = dict.fromkeys(CONTRIBUTION_KINDS, 0)
    scores: dict[int, tuple[int, int]] = {}
    for person_id in set(engagement) | set(recent_counts):
        recent_rows, previous_rows = engagement.get(person_id, (0, 0))
        recent = recent_rows + sum(recent_counts.get(person_id, zero).values())
        previous = previous_rows + sum(previous_counts.get(person_id, zero).values())
        if recent >= MIN_RECENT_ENGAGEMENT and recent >= RISE_FACTOR * previous:
            scores[person_id] = (recent, previous)
    if not scores:
        return []
    members = dict(
        Membership.objects.current()
        .filter(community=community, person__is_active=True)
        .exclude(role__in=LEADERSHIP_ROLES)
        .values_list("person_id", "role")
    )
    asked = dict(
        ContributionAsk.objects.filter(community=community)
        .values("person_id")
        .annotate(last=Max("asked_at"))
        .values_list("person_id", "last")
        .order_by()
    )
    asked_since = now - timedelta(days=NOT_ASKED_DAYS)
    candidates = [
        person_id
        for person_id in scores
        if person_id in members and not (asked.get(person_id) and asked[person_id] > asked_since)
    ]
    rungs = {rung.pk: rung for rung in LadderRung.objects.filter(community=community)}
    top = max((rung.position for rung in rungs.values()), default=None)
    current: dict[int, LadderRung] = {}
    for person_id, rung_id in (
        LadderStep.objects.filter(community=community)
        .order_by("person_id", "reached_at", "pk")
        .values_list("person_id", "rung_id")
    ):
        current[person_id] = rungs[rung_id]  # the last one per person wins: their latest
    below_top = [pk for pk in candidates if pk not in current or current[pk].position != top]
    people = User.objects.select_related("org_unit").in_bulk(below_top)
    suggestions = []
    for person_id, person in people.items():
        recent, previous = scores[person_id]
        recent_given = recent_counts.get(person_id, zero)
        previous_given = previous_counts.get(person_id, zero)
        suggestions.append(
            PromotionSuggestion(
                person=person,
                current_rung=current.get(person_id),
                recent_engagement=recent,
                previous_engagement=previous,
                recent_contributions=recent_given,
                previous_contributions=previous_given,
                last_asked_at=asked.get(person_id),
                reasons=_reasons(
                    recent_given, previous_given, recent, previous, asked.get(person_id)
                ),
            )
        )
    suggestions.sort(
        key=lambda s: (-s.rise, -s.recent_engagement, s.person.display_name, s.person.pk)
    )
    return suggestions
