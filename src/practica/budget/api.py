"""The budget and grants API, added to /api/v1/ by practica.api.api.

Budgets and expenses are in `api_budgets`, grants in `api_grants`; this router gathers them.
"""

from ninja import Router

from practica.budget.api_budgets import router as budgets_router
from practica.budget.api_grants import router as grants_router

router = Router(tags=["budget"])
router.add_router("", budgets_router)
router.add_router("", grants_router)
