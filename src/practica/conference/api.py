"""The conference over HTTP: editions, proposals, the reviewer pool and bids, assignment runs,
reviews (with the visibility rules of `conference.permissions`), decisions and the program.

Each stage's endpoints are in its `api_*` module; this router gathers them.
"""

from ninja import Router

from practica.conference.api_assignment import router as assignment_router
from practica.conference.api_decisions import router as decisions_router
from practica.conference.api_editions import router as editions_router
from practica.conference.api_pool import router as pool_router
from practica.conference.api_program import router as program_router
from practica.conference.api_proposals import router as proposals_router
from practica.conference.api_reviews import router as reviews_router

router = Router(tags=["conference"])
for stage_router in (
    editions_router,
    proposals_router,
    pool_router,
    assignment_router,
    reviews_router,
    decisions_router,
    program_router,
):
    router.add_router("", stage_router)
