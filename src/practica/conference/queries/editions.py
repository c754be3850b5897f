"""Reads about editions: a community's editions as a viewer may see them, the call's status
and countdown, and moments written on the edition's own clock.

Every moment is stored in UTC; the call's deadline is announced in the edition's time zone,
so messages and mails name that zone ("Fri, May 1, 2027 · 23:59 (Europe/Berlin)").
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community
from practica.conference.models import (
    IN_REVIEW_STATES,
    CommitteeMember,
    Edition,
    EditionPhase,
)
from practica.events.templatetags.event_times import zone_named
from practica.people.permissions import is_signed_in


def edition_zone(edition: Edition) -> ZoneInfo:
    """The edition's zone (UTC if the stored name is unknown to this machine)."""
    return zone_named(edition.time_zone)


def moment_in_zone(moment: datetime, zone: ZoneInfo) -> str:
    """`Fri, May 1, 2027 · 23:59 (Europe/Berlin)` in the active language."""
    local = timezone.localtime(moment, zone)
    day = f"{formats.date_format(local, 'D')}, {formats.date_format(local, 'DATE_FORMAT')}"
    return f"{day} · {local:%H:%M} ({zone.key})"


def edition_moment(edition: Edition, moment: datetime) -> str:
    """A moment of the edition on its own clock, zone named."""
    return moment_in_zone(moment, edition_zone(edition))


def editions_of(community: Community, viewer: Any) -> QuerySet[Edition]:
    """The community's editions the viewer may see, latest first: announced ones for members,
    and unannounced ones too for the community's managers and the edition's committee."""
    editions = Edition.objects.filter(community=community)
    if not is_signed_in(viewer):
        return editions.none()
    if can_manage_community(viewer, community):
        return editions.order_by("-starts_on", "-pk")
    seats = CommitteeMember.objects.filter(person=viewer).values("edition_id")
    return editions.filter(Q(is_published=True) | Q(pk__in=seats)).order_by("-starts_on", "-pk")


def with_counts(editions: QuerySet[Edition]) -> QuerySet[Edition]:
    """Annotate `proposal_count` (in review or decided) and `reviewer_count` (active)."""
    return editions.annotate(
        proposal_count=Count(
            "proposals", filter=Q(proposals__state__in=IN_REVIEW_STATES), distinct=True
        ),
        reviewer_count=Count("reviewers", filter=Q(reviewers__is_active=True), distinct=True),
    )


@dataclass(frozen=True)
class CallStatus:
    """Where the call stands at `now`: its phase, whether proposals are taken, the next
    deadline and a countdown sentence ("3 days left"), each for the screens."""

    phase: str
    phase_label: str
    is_open: bool
    opens_at: datetime
    closes_at: datetime
    deadline_text: str
    countdown: str


def _remaining(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days >= 2:
        return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}
    if days == 1 or hours >= 1:
        total = days * 24 + hours
        return ngettext("%(count)s hour left", "%(count)s hours left", total) % {"count": total}
    minutes = max(rest // 60, 1)
    return ngettext("%(count)s minute left", "%(count)s minutes left", minutes) % {"count": minutes}


def call_status(edition: Edition, now: datetime | None = None) -> CallStatus:
    """The call's status at `now` (default: this moment)."""
    now = now or timezone.now()
    phase = edition.phase(now)
    is_open = edition.call_is_open(now)
    if is_open:
        countdown = _remaining(edition.cfp_closes_at - now)
    elif now < edition.cfp_opens_at:
        countdown = _("Opens %(when)s") % {"when": edition_moment(edition, edition.cfp_opens_at)}
    else:
        countdown = _("The call is closed.")
    return CallStatus(
        phase=phase,
        phase_label=str(EditionPhase(phase).label),
        is_open=is_open,
        opens_at=edition.cfp_opens_at,
        closes_at=edition.cfp_closes_at,
        deadline_text=edition_moment(edition, edition.cfp_closes_at),
        countdown=countdown,
    )
