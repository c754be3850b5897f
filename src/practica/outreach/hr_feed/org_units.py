"""Finding the org unit an HR feed cell names, and planning the units it names that are new.

A cell holds a unit's slug ("ml-platform"), its name ("ML Platform") or a path of names or
slugs from the top ("Research/Vision/Robotics"). A name shared by several units is refused
(write the path or the slug). An unknown unit is not an error: the units missing from the
path are created when the import is applied (the top one as a division, then a group, then
teams), and the preview and the report list them. So a single unknown name becomes a new
division; that is said on the row, so a typo is caught in the preview.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.core.models import TREE_PATH_SEPARATOR
from practica.outreach.hr_feed.plan import NewOrgUnit, Ref
from practica.outreach.hr_feed.values import CellError
from practica.people.models import OrgUnit, OrgUnitKind

MAX_NAME_LENGTH = 160
MAX_DEPTH = 8
KINDS_BY_DEPTH = (OrgUnitKind.DIVISION, OrgUnitKind.GROUP)


@dataclass(frozen=True)
class KnownUnit:
    pk: int
    name: str
    slug: str
    parent_id: int | None
    path: str


class OrgUnitResolver:
    """Resolves cells against the org chart as it is, planning each new unit once."""

    def __init__(self) -> None:
        units = [
            KnownUnit(*values)
            for values in OrgUnit.objects.values_list("pk", "name", "slug", "parent_id", "path")
        ]
        self.by_pk = {unit.pk: unit for unit in units}
        self.by_slug = {unit.slug: unit for unit in units}
        self.by_name: dict[str, list[KnownUnit]] = defaultdict(list)
        self.children: dict[int | None, dict[str, KnownUnit]] = defaultdict(dict)
        for unit in units:
            self.by_name[unit.name.casefold()].append(unit)
            self.children[unit.parent_id][unit.name.casefold()] = unit
            self.children[unit.parent_id].setdefault(unit.slug, unit)
        self.new_units: dict[tuple[str, ...], NewOrgUnit] = {}
        self.slugs_taken = set(self.by_slug)

    def resolve(self, value: str) -> tuple[Ref, list[str]]:
        """The unit's reference and the labels of the units this cell creates (if any);
        raises CellError for an ambiguous name or an unusable path."""
        parts = [part.strip() for part in value.split("/") if part.strip()]
        if not parts:
            raise CellError(_("“%(value)s” names no org unit.") % {"value": value})
        if len(parts) == 1:
            only = parts[0]
            if only in self.by_slug:
                return ("pk", self.by_slug[only].pk), []
            named = self.by_name.get(only.casefold(), [])
            if len(named) > 1:
                raise CellError(
                    _(
                        "Several org units are called “%(name)s” (%(paths)s); write the path, "
                        "e.g. Division/Group/Team, or the unit's slug."
                    )
                    % {
                        "name": only,
                        "paths": ", ".join(str(self.label(("pk", u.pk))) for u in named),
                    }
                )
            if named:
                return ("pk", named[0].pk), []
        if len(parts) > MAX_DEPTH:
            raise CellError(_("The org unit path is deeper than %(n)s levels.") % {"n": MAX_DEPTH})
        parent: KnownUnit | None = None
        for index, part in enumerate(parts):
            level = self.children[parent.pk if parent else None]
            found = level.get(part.casefold()) or level.get(part)
            if found is None and index == 0:
                found = self._unique(part)  # a path may start below the top
            if found is None:
                return self._plan_new(parts, index, parent)
            parent = found
        assert parent is not None
        return ("pk", parent.pk), []

    def _plan_new(
        self, parts: list[str], start: int, parent: KnownUnit | None
    ) -> tuple[Ref, list[str]]:
        for part in parts[start:]:
            if len(part) > MAX_NAME_LENGTH:
                raise CellError(
                    _("An org unit's name is longer than %(n)s characters.")
                    % {"n": MAX_NAME_LENGTH}
                )
        created: list[str] = []
        parent_ref: Ref | None = ("pk", parent.pk) if parent else None
        parent_slug = parent.slug if parent else ""
        prefix = self._key_prefix(parent)
        for depth in range(start, len(parts)):
            key = (*prefix, *(part.casefold() for part in parts[start : depth + 1]))
            unit = self.new_units.get(key)
            if unit is None:
                names = (*self._names_prefix(parent), *parts[start : depth + 1])
                level = len(names) - 1
                unit = NewOrgUnit(
                    key=key,
                    names=names,
                    slug=self._free_slug(parts[depth], parent_slug),
                    kind=KINDS_BY_DEPTH[level] if level < len(KINDS_BY_DEPTH) else OrgUnitKind.TEAM,
                    parent=parent_ref,
                )
                self.new_units[key] = unit
                created.append(unit.label)
            parent_ref, parent_slug = ("new", key), unit.slug
        assert parent_ref is not None
        return parent_ref, created

    def _unique(self, part: str) -> KnownUnit | None:
        if part in self.by_slug:
            return self.by_slug[part]
        named = self.by_name.get(part.casefold(), [])
        return named[0] if len(named) == 1 else None

    def _key_prefix(self, parent: KnownUnit | None) -> tuple[str, ...]:
        return tuple(f"#{unit.pk}" for unit in self._chain(parent))[-1:]

    def _names_prefix(self, parent: KnownUnit | None) -> tuple[str, ...]:
        return tuple(unit.name for unit in self._chain(parent))

    def _chain(self, unit: KnownUnit | None) -> list[KnownUnit]:
        if unit is None:
            return []
        slugs = [part for part in unit.path.split(TREE_PATH_SEPARATOR) if part]
        return [self.by_slug[slug] for slug in slugs if slug in self.by_slug]

    def _free_slug(self, name: str, parent_slug: str) -> str:
        base = slugify(name)[:150] or "unit"
        candidates = [base]
        if parent_slug:
            candidates.append(slugify(f"{parent_slug} {base}")[:150])
        for candidate in candidates:
            if candidate not in self.slugs_taken:
                self.slugs_taken.add(candidate)
                return candidate
        number = 2
        while f"{candidates[-1]}-{number}" in self.slugs_taken:
            number += 1
        slug = f"{candidates[-1]}-{number}"
        self.slugs_taken.add(slug)
        return slug

    def label(self, ref: Ref | None) -> str | None:
        """The unit's path of names, "Research / Vision" ("… (new)" for a planned unit)."""
        if ref is None:
            return None
        kind, key = ref
        if kind == "new":
            return _("%(path)s (new)") % {"path": self.new_units[key].label}
        unit = self.by_pk.get(key)
        if unit is None:
            return str(key)
        return " / ".join(part.name for part in self._chain(unit)) or unit.name

    def planned_units(self) -> list[NewOrgUnit]:
        """The new units, parents before children."""
        return sorted(self.new_units.values(), key=lambda unit: len(unit.names))
