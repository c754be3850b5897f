"""An event's cost lines and totals, for its organizers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from practica.events.forms.attendance import CostForm
from practica.events.models import EventCost
from practica.events.queries.attendance import cost_lines, cost_totals
from practica.events.services import costs
from practica.events.views.attendance import add_refusal, managed_event, refusal


@login_required
@require_http_methods(["GET", "POST"])
def cost_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    form = CostForm()
    status = 200
    if request.method == "POST":
        form = CostForm(request.POST)
        if form.is_valid():
            try:
                costs.add_cost(event=event, actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, _("The cost line is added."))
                return redirect(reverse("events:costs", args=[event.pk]))
        status = 400
    context = {
        "event": event,
        "lines": cost_lines(event),
        "totals": cost_totals(event),
        "form": form,
    }
    return render(request, "events/costs_list.html", context, status=status)


def _line(request: HttpRequest, pk: int) -> EventCost:
    line = get_object_or_404(EventCost.objects.select_related("event"), pk=pk)
    managed_event(request, line.event_id)
    return line


@login_required
@require_http_methods(["GET", "POST"])
def cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    event = line.event
    status = 200
    if request.method == "POST":
        form = CostForm(request.POST)
        if form.is_valid():
            try:
                costs.update_cost(cost=line, actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, _("The cost line is updated."))
                return redirect(reverse("events:costs", args=[event.pk]))
        status = 400
    else:
        form = CostForm(
            initial={
                "category": line.category,
                "description": line.description,
                "amount": line.amount,
                "currency": line.currency,
                "incurred_on": line.incurred_on,
            }
        )
    context = {"event": event, "line": line, "form": form}
    return render(request, "events/costs_edit.html", context, status=status)


@login_required
@require_POST
def cost_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    try:
        costs.remove_cost(cost=line, actor=request.user)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, refusal(refused))
    else:
        messages.success(request, _("The cost line is removed."))
    return redirect(reverse("events:costs", args=[line.event_id]))
