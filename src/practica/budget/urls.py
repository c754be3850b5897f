"""Budget and grant screens, mounted at /budget/ under the namespace "budget".

Each views module lists its own routes, so an area's screens and their URLs sit together.
"""

from practica.budget.views import budgets, expenses, grants

app_name = "budget"

urlpatterns = [*budgets.routes, *expenses.routes, *grants.routes]
