"""Who may do what with a program of communities; used by views, API and services alike.

- Anyone signed in sees the directory of programs and a program's communities and calendar.
- The program office (`Program.office`) and staff manage the program: its description, its
  office, which communities belong to it.
- The dashboard comparing the communities is for the office, staff, and the leadership
  (`is_in_leadership`: manager, leaders, executive sponsor) of any community in the program.
"""

from typing import Any

from practica.communities.models import Membership, Program
from practica.communities.permissions import LEADERSHIP_ROLES
from practica.people.permissions import is_signed_in


def _cached(user: Any, key: str, program: Program, compute: Any) -> bool:
    """One query per user, program and question within a request."""
    cache = user.__dict__.setdefault("_program_permissions", {})
    if (key, program.pk) not in cache:
        cache[(key, program.pk)] = bool(compute())
    return cache[(key, program.pk)]


def forget_cached_program_permissions(user: Any) -> None:
    """Drop the per-request cache after the user's office seat changes."""
    if user is not None:
        user.__dict__.pop("_program_permissions", None)


def is_in_program_office(user: Any, program: Program) -> bool:
    if not is_signed_in(user):
        return False
    return _cached(user, "office", program, lambda: program.office.filter(pk=user.pk).exists())


def can_view_program(user: Any, program: Program) -> bool:
    """The directory and the calendar are open to everyone signed in."""
    return is_signed_in(user)


def can_manage_program(user: Any, program: Program) -> bool:
    """The program office and staff edit the description, the office and the communities."""
    if not is_signed_in(user):
        return False
    return user.is_staff or is_in_program_office(user, program)


def leads_a_community_of(user: Any, program: Program) -> bool:
    """Whether the user is in the leadership of any community currently in the program."""
    if not is_signed_in(user):
        return False
    return _cached(
        user,
        "leadership",
        program,
        lambda: (
            Membership.objects.current()
            .filter(person=user, community__program=program, role__in=LEADERSHIP_ROLES)
            .exists()
        ),
    )


def can_view_program_dashboard(user: Any, program: Program) -> bool:
    """The office, staff, and the leadership of the program's communities compare them."""
    return can_manage_program(user, program) or leads_a_community_of(user, program)
