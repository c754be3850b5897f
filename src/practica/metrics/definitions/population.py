"""Who counts: people behind a figure, and the members of a community at a moment.

Service and bot accounts (`is_system`) and placeholders made for unknown authors of imported
list mail (`is_placeholder`) are left out of every figure; everyone else counts, staff included
(a community manager with admin rights is still a member).
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from practica.communities.models import Membership

COUNTED_PERSON = Q(person__is_system=False, person__is_placeholder=False)


def counted(field: str) -> Q:
    """`COUNTED_PERSON` for a person reached through `field` (e.g. "author", "thread__author")."""
    return Q(**{f"{field}__is_system": False, f"{field}__is_placeholder": False})


def memberships_as_of(community_id: int, as_of: datetime) -> QuerySet[Membership]:
    """The counted people's stints in the community that were open at `as_of`
    (`joined_at <= as_of` and not left by then)."""
    return Membership.objects.as_of(as_of).filter(COUNTED_PERSON, community_id=community_id)


def is_member_at(community_id: int, as_of: datetime, person_field: str = "person") -> Exists:
    """An `Exists` for querysets with a person column: that person was a member at `as_of`."""
    return Exists(
        Membership.objects.as_of(as_of).filter(
            community_id=community_id, person_id=OuterRef(person_field)
        )
    )
