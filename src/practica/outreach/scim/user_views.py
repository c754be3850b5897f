"""`/Users` and `/Users/{id}`: list (filter, paging, attribute selection), create, read,
replace (PUT), PATCH, and DELETE (deprovision)."""

from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from practica.outreach.models import ProvisionedAccount
from practica.outreach.scim.discovery import ENTERPRISE_SCHEMA
from practica.outreach.scim.http import (
    filtered,
    json_body,
    list_response,
    one_by_scim_id,
    page_of,
    resource_response,
    scim_endpoint,
    select_attributes,
    serve_resource,
)
from practica.outreach.scim.patch import apply_patch
from practica.outreach.scim.services import delete_user, provision_user, replace_user
from practica.outreach.scim.users import (
    USER_FILTER_FIELDS,
    UserRendering,
    accounts_for_rendering,
    read_user_document,
    user_location,
)

EXTENSIONS = [ENTERPRISE_SCHEMA]


def account_or_404(scim_id: str, *, lock: bool = False) -> ProvisionedAccount:
    queryset = accounts_for_rendering()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return one_by_scim_id(queryset, scim_id, _("There is no user %(id)s.") % {"id": scim_id})


def _render(request: HttpRequest, account: ProvisionedAccount) -> dict[str, Any]:
    return UserRendering(request, [account]).render(account)


def _one(request: HttpRequest, account: ProvisionedAccount, status: int = 200) -> HttpResponse:
    # Read afresh: the lifecycle services updated the person and the version in the database.
    account = account_or_404(str(account.scim_id))
    return resource_response(
        select_attributes(request, _render(request, account), EXTENSIONS),
        version=account.version,
        location=user_location(request, account),
        status=status,
    )


@scim_endpoint("GET", "POST")
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        account = provision_user(document=read_user_document(json_body(request)))
        return _one(request, account, 201)
    queryset = filtered(request, accounts_for_rendering(), USER_FILTER_FIELDS)
    page, total, start = page_of(request, queryset.order_by("created_at", "pk"))
    rendering = UserRendering(request, page)
    resources = [
        select_attributes(request, rendering.render(account), EXTENSIONS) for account in page
    ]
    return list_response(resources, total=total, start=start)


def _change(request: HttpRequest, account: ProvisionedAccount, body: dict[str, Any]) -> None:
    """PUT replaces what it names (leaving out an attribute keeps it); PATCH applies its
    operations to the current document, so what they remove is cleared."""
    current = UserRendering(request, [account]).render(account, for_patch=True)
    previous = read_user_document(current)
    if request.method == "PUT":
        replace_user(
            account=account,
            document=read_user_document(body),
            previous=previous,
            clear_missing=False,
        )
    else:
        patched = apply_patch(current, body)
        replace_user(
            account=account,
            document=read_user_document(patched),
            previous=previous,
            clear_missing=True,
        )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, scim_id: str) -> HttpResponse:
    return serve_resource(
        request,
        load=partial(account_or_404, scim_id),
        show=partial(_one, request),
        delete=lambda account: delete_user(account=account),
        change=partial(_change, request),
    )
