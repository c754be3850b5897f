"""`/Users` and `/Users/{id}`: list (filter, paging, attribute selection), create, read,
replace (PUT), PATCH, and DELETE (deprovision)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from practica.outreach.models import ProvisionedAccount
from practica.outreach.scim.discovery import ENTERPRISE_SCHEMA
from practica.outreach.scim.filters import FilterError, parse_filter, to_q
from practica.outreach.scim.http import (
    ScimError,
    check_if_match,
    json_body,
    list_response,
    not_modified,
    page_parameters,
    scim_endpoint,
    scim_response,
    select_attributes,
)
from practica.outreach.scim.patch import apply_patch
from practica.outreach.scim.services import delete_user, provision_user, replace_user
from practica.outreach.scim.users import (
    USER_FILTER_FIELDS,
    UserRendering,
    accounts_for_rendering,
    read_user_document,
    user_location,
    uuid_or_none,
)

EXTENSIONS = [ENTERPRISE_SCHEMA]


def filtered(request: HttpRequest, queryset: Any, fields: Any) -> Any:
    """The queryset narrowed by the request's `filter`; 400 invalidFilter when it is bad."""
    text = request.GET.get("filter")
    if text is None:
        return queryset
    try:
        return queryset.filter(to_q(parse_filter(text), fields))
    except FilterError as error:
        raise ScimError(400, str(error), "invalidFilter") from error


def account_or_404(scim_id: str, *, lock: bool = False) -> ProvisionedAccount:
    queryset = accounts_for_rendering()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    parsed = uuid_or_none(scim_id)
    account = queryset.filter(scim_id=parsed).first() if parsed else None
    if account is None:
        raise ScimError(404, _("There is no user %(id)s.") % {"id": scim_id})
    return account


def _render(request: HttpRequest, account: ProvisionedAccount) -> dict[str, Any]:
    return UserRendering(request, [account]).render(account)


def _one(request: HttpRequest, account: ProvisionedAccount, status: int = 200) -> HttpResponse:
    # Read afresh: the lifecycle services updated the person and the version in the database.
    account = account_or_404(str(account.scim_id))
    resource = select_attributes(request, _render(request, account), EXTENSIONS)
    response = scim_response(resource, status, version=account.version)
    if status == 201:
        response["Location"] = user_location(request, account)
    return response


@scim_endpoint("GET", "POST")
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        account = provision_user(document=read_user_document(json_body(request)))
        return _one(request, account, 201)
    queryset = filtered(request, accounts_for_rendering(), USER_FILTER_FIELDS)
    queryset = queryset.order_by("created_at", "pk")
    start, count = page_parameters(request)
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count]) if count else []
    rendering = UserRendering(request, page)
    resources = [
        select_attributes(request, rendering.render(account), EXTENSIONS) for account in page
    ]
    return list_response(resources, total=total, start=start)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, scim_id: str) -> HttpResponse:
    if request.method == "GET":
        account = account_or_404(scim_id)
        if not_modified(request, account.version):
            return scim_response(None, 304, version=account.version)
        return _one(request, account)
    account = account_or_404(scim_id, lock=True)
    check_if_match(request, account.version)
    if request.method == "DELETE":
        delete_user(account=account)
        return scim_response(None, 204)
    body = json_body(request)
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
    return _one(request, account)
