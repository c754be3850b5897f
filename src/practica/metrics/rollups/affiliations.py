"""People's org units over time, read once per build for a set of people given as a query.

`unit_on(person, day)` is `definitions.collaboration.AffiliationHistory.org_unit_on` with
day numbers: the org unit of the affiliation covering the day (`valid_from <= day <
valid_to`, the earliest-starting row first), None when none covers it or it names none.
"""

from collections import defaultdict

from django.db.models import QuerySet

from practica.core.models import TREE_PATH_SEPARATOR
from practica.metrics.rollups.calendar import OPEN_END
from practica.people.models import Affiliation, OrgUnit


class UnitHistory:
    def __init__(self, person_ids: QuerySet | None = None) -> None:
        """`person_ids`: a values("…id") query, used as a subquery (no id list is sent);
        None reads everyone's history, once for a whole rebuild."""
        self._rows: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
        affiliations = Affiliation.objects.all()
        if person_ids is not None:
            affiliations = affiliations.filter(person_id__in=person_ids)
        rows = (
            affiliations.order_by("person_id", "valid_from", "pk")
            .values_list("person_id", "valid_from", "valid_to", "org_unit_id")
            .iterator(chunk_size=20000)
        )
        for person_id, valid_from, valid_to, org_unit_id in rows:
            after = valid_to.toordinal() if valid_to is not None else OPEN_END
            self._rows[person_id].append((valid_from.toordinal(), after, org_unit_id))

    def rows_of(self, person_id: int) -> list[tuple[int, int, int | None]]:
        """The person's affiliations as (first day, day after the last, org unit), by start."""
        return self._rows.get(person_id, [])

    def unit_on(self, person_id: int, day: int) -> int | None:
        for first, after, org_unit_id in self._rows.get(person_id, ()):
            if first <= day < after:
                return org_unit_id
        return None


def division_ids() -> dict[int, int]:
    """Every org unit's id → the id of its division (its depth-0 ancestor)."""
    units = list(OrgUnit.objects.values_list("pk", "slug", "path", "depth"))
    top = {slug: pk for pk, slug, _path, depth in units if depth == 0}
    divisions: dict[int, int] = {}
    for pk, _slug, path, _depth in units:
        slugs = [part for part in path.split(TREE_PATH_SEPARATOR) if part]
        division = top.get(slugs[0]) if slugs else None
        if division is not None:
            divisions[pk] = division
    return divisions
