"""The one NinjaAPI instance at /api/v1/; each app contributes a router from its own api.py."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.operation import Operation

from practica.api.auth import API_AUTH
from practica.api.errors import field_name, install_error_handlers
from practica.budget.api import router as budget_router
from practica.communities.api import router as communities_router
from practica.communities.group_api import router as groups_router
from practica.communities.ladder.api import router as ladder_router
from practica.communities.program.api import router as program_router
from practica.communities.strategy.api import router as strategy_router
from practica.conference.api import router as conference_router
from practica.core.api import router as topics_router
from practica.discussions.api import router as discussions_router
from practica.events.api import router as events_router
from practica.mail.api import router as mail_router
from practica.metrics.api import router as metrics_router
from practica.metrics.surveys.api import router as pulses_router
from practica.outreach.api import router as outreach_router
from practica.people.api import router as people_router

DESCRIPTION = """\
Communities of practice: people and the org chart, topics, communities and memberships;
discussions and Q&A (threads, answers, votes, search, subscriptions, notifications);
mailing lists (each member's delivery, subscribers, moderation queue, bounces, settings);
events (scheduling, registration and waiting lists, check-in, feedback, AMA questions,
materials, costs, calendar feeds).

**Authentication.** Send a personal access token as `Authorization: Bearer pat_…` (create
one on your profile page or with `POST /api/v1/me/tokens`), or call from a signed-in browser
session; with the session, POST, PATCH, PUT and DELETE need the `X-CSRFToken` header.

**Errors** are JSON. `401`, `403`, `404`: `{"detail": "message"}`. `422` (bad input):
`{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "errors": {"field": ["message"]}}`;
messages about no single field are under `__all__`. `409`: a refused event registration step,
`{"detail": "message", "code": "full"}` (the codes are listed with each endpoint).

**Lists** are paginated with `limit` (at most 100) and `offset`, and answer
`{"items": [...], "count": N}`.
"""


class PracticaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name (`list_people`, `join_community`): readable and unique.
        return operation.view_func.__name__

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        """Ninja's errors, each also naming the input field it is about (see api.errors)."""
        items = []
        for context in error_contexts:
            body_attribute = getattr(context.model, "__read_from_single_attr__", None)
            for item in super().validation_error_from_error_contexts([context]).errors:
                items.append({**item, "field": field_name(item["loc"], body_attribute)})
        return ValidationError(items)


api = PracticaAPI(
    title="Practica API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    # validatorUrl None: Swagger UI would otherwise fetch a badge from swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
install_error_handlers(api)


api.add_router("", people_router)
api.add_router("", topics_router)
api.add_router("", communities_router)
api.add_router("", discussions_router)
api.add_router("", mail_router)
api.add_router("", events_router)
api.add_router("", conference_router)
api.add_router("", outreach_router)
api.add_router("", groups_router)
api.add_router("", strategy_router)
api.add_router("", budget_router)
api.add_router("", ladder_router)
api.add_router("", program_router)
api.add_router("", metrics_router)
api.add_router("", pulses_router)


fallback_router = Router()


@fallback_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:unknown}",
    auth=None,
    include_in_schema=False,
)
def unknown_endpoint(request: HttpRequest, unknown: str) -> Any:
    """Any other path under /api/v1/ answers a JSON 404, not the site's HTML page."""
    raise Http404


# Added last so that its catch-all pattern follows every real endpoint's.
api.add_router("", fallback_router)
