from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """App config for community budgets, expenses and grant requests."""

    name = "practica.budget"
    label = "budget"
    verbose_name = "Budget"
