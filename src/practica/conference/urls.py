"""Conference screens, mounted at /conference/ under the namespace "conference".

Each views module lists its own routes, so a stage's screens and their URLs sit together.
"""

from practica.conference.views import (
    assignment,
    decisions,
    editions,
    pool,
    program,
    proposals,
    reviews,
)

app_name = "conference"

urlpatterns = [
    *editions.routes,
    *proposals.routes,
    *pool.routes,
    *assignment.routes,
    *reviews.routes,
    *decisions.routes,
    *program.routes,
]
