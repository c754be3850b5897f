"""Managers in an HR file: finding each row's manager, refusing loops, and the order to apply.

A manager is named by employee number or email and is looked for first among the file's rows
(a joiner can manage another joiner), then in the database; otherwise the row is refused.
The chain is checked as it would be after the import — the file's managers over the
database's — so a loop through people the file does not list is caught too. Applying goes
from the top of the chain down (`depth`), so each manager exists, with their final manager,
before anyone who reports to them is written.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from practica.outreach.hr_feed.plan import Ref
from practica.people.models import User

if TYPE_CHECKING:
    from practica.outreach.hr_feed.mapping import ColumnMapping
    from practica.outreach.hr_feed.planning import PeopleIndex, RowState

MAX_CHAIN = 10_000


class ManagerGraph:
    """Who manages whom once the import is applied, with labels for the report."""

    def __init__(self, edges: dict[Ref, Ref]) -> None:
        self.edges = edges
        self.labels: dict[Ref, str] = {}
        self._depths: dict[Ref, int] = {}

    @classmethod
    def load(cls, states: "Iterable[RowState]") -> "ManagerGraph":
        edges: dict[Ref, Ref] = {
            ("pk", person): ("pk", manager)
            for person, manager in User.objects.filter(manager__isnull=False).values_list(
                "pk", "manager_id"
            )
        }
        graph = cls(edges)
        for state in states:
            node = state.planned.node
            if node is not None and node[0] == "new":
                name = state.planned.name or state.values.get("email", "")
                graph.labels[node] = f"{name} ({node[1]})"
        return graph

    def preload(self, refs: Iterable[Ref | None]) -> None:
        """Fetch the names of the database people among `refs`, in one query."""
        wanted = {ref[1] for ref in refs if ref and ref[0] == "pk" and ref not in self.labels}
        wanted.discard(None)
        for pk, name, email, number in User.objects.filter(pk__in=wanted).values_list(
            "pk", "display_name", "email", "employee_number"
        ):
            self.labels[("pk", pk)] = f"{name or email} ({number})" if number else name or email

    def label(self, ref: Ref | None) -> str | None:
        if ref is None:
            return None
        if ref not in self.labels:
            self.preload([ref])
        return self.labels.get(ref, str(ref[1]))

    def depth(self, node: Ref | None) -> int:
        """How many managers are above `node` (0 at the top; loops stop the count)."""
        if node is None:
            return 0
        chain: list[Ref] = []
        seen: set[Ref] = set()
        current: Ref | None = node
        base = 0
        while current is not None and current not in seen and len(chain) < MAX_CHAIN:
            if current in self._depths:
                base = self._depths[current] + 1
                break
            seen.add(current)
            chain.append(current)
            current = self.edges.get(current)
        for offset, member in enumerate(reversed(chain)):
            self._depths[member] = base + offset
        return self._depths[node]

    def loop_through(self, node: Ref) -> list[Ref] | None:
        """The chain from `node` back to itself if its managers loop back to it, else None."""
        chain = [node]
        seen = {node}
        current = self.edges.get(node)
        while current is not None and len(chain) < MAX_CHAIN:
            if current == node:
                return [*chain, node]
            if current in seen:
                return None  # a loop above, not through this person
            seen.add(current)
            chain.append(current)
            current = self.edges.get(current)
        return None


def resolve_managers(
    states: "list[RowState]", graph: ManagerGraph, people: "PeopleIndex", mapping: "ColumnMapping"
) -> None:
    """Set each row's manager reference, refusing unknown managers, self-management and loops,
    and write the file's managers over the database's in `graph`."""
    by_number: dict[str, RowState] = {}
    by_email: dict[str, RowState] = {}
    for state in states:
        if state.planned.node is None:
            continue
        by_number.setdefault(state.values.get("employee_number", ""), state)
        by_email.setdefault(state.values.get("email", ""), state)
    refused: set[int] = set()
    for index, state in enumerate(states):
        if not state.manager_given:
            continue
        if state.manager_number:
            column = mapping.column_of("manager_employee_number")
            field_name, value = "manager_employee_number", state.manager_number
            target, person = by_number.get(value), people.by_number.get(value)
            unknown = _(
                "The manager with employee number %(value)s is neither in the file nor in the "
                "database."
            )
        elif state.manager_email:
            column = mapping.column_of("manager_email")
            field_name, value = "manager_email", state.manager_email
            target, person = by_email.get(value), people.by_email.get(value)
            unknown = _("The manager %(value)s is neither in the file nor in the database.")
        else:
            continue  # a blank manager: the top of the chain
        if target is not None:
            state.manager = target.planned.node
        elif person is not None:
            state.manager = ("pk", person.pk)
        else:
            state.planned.refuse(unknown % {"value": value}, column=column, field_name=field_name)
            refused.add(index)
            continue
        if state.manager == state.planned.node:
            state.planned.refuse(
                _("A person cannot be their own manager."), column=column, field_name=field_name
            )
            refused.add(index)
            continue
        if target is not None and target.leaving is not None:
            state.planned.notes.append(
                _("The manager %(name)s leaves in this file.")
                % {"name": target.planned.name or value}
            )
        elif target is None and person is not None and not person.is_active:
            state.planned.notes.append(
                _("The manager %(name)s has left the company.") % {"name": person.display_name}
            )
    for index, state in enumerate(states):
        node = state.planned.node
        if node is None or not state.manager_given or index in refused:
            continue
        if state.manager is None:
            graph.edges.pop(node, None)
        else:
            graph.edges[node] = state.manager
    _refuse_loops(states, graph, mapping, refused)
    graph.preload(
        [state.manager for state in states]
        + [("pk", state.person.manager_id) for state in states if state.person is not None]
    )


def _refuse_loops(
    states: "list[RowState]", graph: ManagerGraph, mapping: "ColumnMapping", refused: set[int]
) -> None:
    loops: dict[int, list[Ref]] = {}
    for index, state in enumerate(states):
        node = state.planned.node
        if node is None or state.manager is None or index in refused:
            continue
        loop = graph.loop_through(node)
        if loop is not None:
            loops[index] = loop
    if not loops:
        return
    graph.preload(ref for loop in loops.values() for ref in loop)
    for index, loop in loops.items():
        state = states[index]
        column = mapping.column_of(
            "manager_employee_number" if state.manager_number else "manager_email"
        )
        chain = " → ".join(str(graph.label(ref)) for ref in loop)
        state.planned.refuse(
            _("The manager chain loops: %(chain)s.") % {"chain": chain},
            column=column,
            field_name="manager",
        )
