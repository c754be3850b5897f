"""What the budget screens share: finding the community, budget or grant the viewer may
see (404 or 403 otherwise), and showing a service's refusal on a form or as a message."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from practica.budget.models import Budget, Expense, Grant
from practica.budget.permissions import can_edit_budgets, can_see_budgets, can_see_grant
from practica.budget.queries.grants import grant_with_relations
from practica.communities.models import Community


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def add_refusal(
    form: Any, error: ValidationError | PermissionDenied, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on `form`: beside each field the form has (service field
    names renamed by `field_map`), the rest above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = (field_map or {}).get(name, name)
            form.add_error(field if field in form.fields else None, errors)
        return
    form.add_error(None, refusal(error))


def community_named(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def require_budget_viewer(request: HttpRequest, community: Community) -> None:
    if not can_see_budgets(request.user, community):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees its budgets.") % {"name": community.name}
        )


def require_budget_editor(request: HttpRequest, community: Community) -> None:
    if not can_edit_budgets(request.user, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s keeps its budgets.")
            % {"name": community.name}
        )


def viewable_budget(request: HttpRequest, pk: int) -> Budget:
    """The budget, for its community's leadership; 403 for anyone else."""
    budget = get_object_or_404(Budget.objects.select_related("community__program"), pk=pk)
    require_budget_viewer(request, budget.community)
    return budget


def editable_expense(request: HttpRequest, pk: int) -> Expense:
    expense = get_object_or_404(Expense.objects.select_related("budget__community", "event"), pk=pk)
    require_budget_editor(request, expense.budget.community)
    return expense


def viewable_grant(request: HttpRequest, pk: int) -> Grant:
    """The grant, for its applicant and the community's leadership; a 404 for anyone else
    (a member's application is theirs)."""
    grant = grant_with_relations(pk)
    if grant is None or not can_see_grant(request.user, grant):
        raise Http404
    return grant


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
