"""Provisioning over HTTP: the log of changes SCIM, the HR feed and single sign-on made to
people (staff only; others get 403). The SCIM endpoints themselves are at /scim/v2/."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.pagination import Page
from practica.outreach.permissions import can_manage_provisioning
from practica.outreach.queries.provisioning import person_changes
from practica.outreach.schemas_provisioning import PersonChangeFilters, PersonChangeOut

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 422)


@router.get("/outreach/person-changes", response={200: list[PersonChangeOut], **ERRORS})
@paginate(Page)
def list_person_changes(request: HttpRequest, filters: Query[PersonChangeFilters]) -> Any:
    """Changes to people's accounts, newest first: joiners, leavers, transfers, updates and
    comebacks, with each field before and after (staff only)."""
    if not can_manage_provisioning(request.auth):
        raise PermissionDenied(_("The provisioning log is for the platform's staff."))
    return person_changes(
        kind=filters.kind or "",
        source=filters.source or "",
        person_id=filters.person,
        hr_import_id=filters.hr_import,
        effective_from=filters.effective_from,
        effective_to=filters.effective_to,
    )
