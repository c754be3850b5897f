"""The ladder most communities start from: participant → presenter → reviewer → program
committee → organizer, each earned by one contribution (see `contributions.CONTRIBUTION_KINDS`)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from practica.communities.ladder.contributions import (
    ANSWERED,
    ORGANIZED_GROUP,
    PRESENTED,
    REVIEWED,
    SERVED_ON_COMMITTEE,
)


@dataclass(frozen=True)
class DefaultRung:
    name: Promise
    description: Promise
    requirements: dict[str, int]


DEFAULT_RUNGS: tuple[DefaultRung, ...] = (
    DefaultRung(
        _("Participant"),
        _("Takes part: has answered a colleague's question."),
        {ANSWERED: 1},
    ),
    DefaultRung(
        _("Presenter"),
        _("Has presented at an event or the conference."),
        {PRESENTED: 1},
    ),
    DefaultRung(
        _("Reviewer"),
        _("Has reviewed conference proposals."),
        {REVIEWED: 3},
    ),
    DefaultRung(
        _("Program committee"),
        _("Has served on a conference's program committee."),
        {SERVED_ON_COMMITTEE: 1},
    ),
    DefaultRung(
        _("Organizer"),
        _("Has founded and runs a group of the community."),
        {ORGANIZED_GROUP: 1},
    ),
)
