"""Predicates about people, used by views, API and services alike."""

from typing import Any


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_view_directory(user: Any) -> bool:
    return is_signed_in(user)


def can_edit_profile(user: Any, person: Any) -> bool:
    return is_signed_in(user) and (user.pk == person.pk or user.is_staff)


def can_manage_tokens(user: Any, person: Any) -> bool:
    return is_signed_in(user) and user.pk == person.pk
