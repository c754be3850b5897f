"""A person's dated place in the company: the open `Affiliation` row follows their org unit,
title and manager, and closed rows keep what was true before a transfer."""

from datetime import date

from django.db import transaction

from practica.people.models import Affiliation, User


def record_affiliation(*, person: User, effective_on: date) -> Affiliation:
    """Close the person's open affiliation on `effective_on` and open one from their current
    org unit, job title and manager, valid from that day.

    When the open row starts on or after `effective_on` (a second change the same day, or a
    change back-dated before the row began) it never stood on its own: it is rewritten in
    place, starting at the earlier of the two days, instead of leaving a row that ends before
    it begins. Nothing changes when the open row already says the same. Locks the person's
    open row (`select_for_update`).
    """
    with transaction.atomic():
        current = (
            Affiliation.objects.select_for_update()
            .filter(person=person, valid_to__isnull=True)
            .first()
        )
        values = {
            "org_unit_id": person.org_unit_id,
            "job_title": person.job_title or "",
            "manager_id": person.manager_id,
        }
        if current is not None:
            if all(getattr(current, field) == value for field, value in values.items()):
                return current
            if current.valid_from >= effective_on:
                for field, value in values.items():
                    setattr(current, field, value)
                current.valid_from = effective_on
                current.save(update_fields=[*values, "valid_from"])
                return current
            current.valid_to = effective_on
            current.save(update_fields=["valid_to"])
        return Affiliation.objects.create(person=person, valid_from=effective_on, **values)


def close_affiliation(*, person: User, effective_on: date) -> Affiliation | None:
    """End the person's open affiliation on `effective_on` (never before the day it began);
    None when there is no open row. Locks the open row."""
    with transaction.atomic():
        current = (
            Affiliation.objects.select_for_update()
            .filter(person=person, valid_to__isnull=True)
            .first()
        )
        if current is None:
            return None
        current.valid_to = max(current.valid_from, effective_on)
        current.save(update_fields=["valid_to"])
        return current
