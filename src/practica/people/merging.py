"""Moving everything that points at one member to another, across every installed app.

People sits below every app that refers to members, so it cannot name their models. It finds
them the generic way instead: every relation to the user model in the app registry (foreign
keys, one-to-one fields, the hidden through tables of many-to-many fields) is repointed with
one UPDATE per field. A row that would then break a unique constraint — both members voted on
the same post, both have a preferences row — is a duplicate of one the target already has,
and is deleted instead (the target's own row wins). Conditional unique constraints are checked
under their condition; constraints on expressions are left to the database.

Used by `people.services.claim_placeholder`, inside its transaction.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q

from practica.people.models import User


@dataclass
class MergeReport:
    """Rows repointed and duplicate rows deleted, by "app_label.Model.field"."""

    moved: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total_moved(self) -> int:
        return sum(self.moved.values())


def _relations_to_user() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, field) for every concrete foreign key or one-to-one field to the user model,
    including many-to-many through tables; proxies and unmanaged models are left out."""
    found = []
    for relation in User._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        fk = getattr(relation, "field", None)
        if model is None or isinstance(model, str) or model._meta.proxy or not model._meta.managed:
            continue
        if not isinstance(fk, models.ForeignKey):
            continue
        found.append((model, fk))
    return found


def _unique_sets(model: type[models.Model], fk: models.ForeignKey) -> list[tuple[list[str], Q]]:
    """The unique field sets of `model` that include `fk`, each with its condition (Q())."""
    sets: list[tuple[list[str], Q]] = []
    if fk.unique:  # one-to-one, or unique=True
        sets.append(([fk.name], Q()))
    for together in model._meta.unique_together:
        if fk.name in together or fk.attname in together:
            sets.append((list(together), Q()))
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        if fk.name in constraint.fields or fk.attname in constraint.fields:
            sets.append((list(constraint.fields), constraint.condition or Q()))
    return sets


def _attname(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "attname", name))


def repoint_person_rows(*, source: User, target: User) -> MergeReport:
    """Make every row that points at `source` point at `target`; delete the rows that would
    duplicate one of `target`'s under a unique constraint. Call inside a transaction."""
    report = MergeReport()
    for model, fk in _relations_to_user():
        label = f"{model._meta.label}.{fk.name}"
        manager = model._base_manager
        rows = manager.filter(**{fk.attname: source.pk})
        for fields, condition in _unique_sets(model, fk):
            others = [_attname(model, name) for name in fields if name not in (fk.name, fk.attname)]
            clash = manager.filter(condition, **{fk.attname: target.pk})
            clash = clash.filter(**{name: OuterRef(name) for name in others})
            duplicates = rows.filter(condition).filter(Exists(clash))
            pks = list(duplicates.values_list("pk", flat=True))
            if pks:
                deleted, _by_model = manager.filter(pk__in=pks).delete()
                report.deleted[label] = report.deleted.get(label, 0) + deleted
        moved = rows.update(**{fk.attname: target.pk})
        if moved:
            report.moved[label] = moved
    return report
