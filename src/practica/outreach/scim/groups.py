"""`/Groups` and `/Groups/{id}`: the groups an identity provider pushes, kept so its pushes
succeed and read back; members are users by their SCIM id."""

from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from practica.outreach.models import ProvisionedAccount, ScimGroup
from practica.outreach.scim.discovery import GROUP_SCHEMA
from practica.outreach.scim.filters import Field, lookup, uuid_or_none
from practica.outreach.scim.http import (
    attribute_left_out,
    etag,
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
from practica.outreach.scim.services import (
    create_group,
    delete_group,
    read_group_document,
    replace_group,
)

GROUP_FILTER_FIELDS = {
    "id": Field("scim_id", convert=uuid_or_none),
    "displayname": Field("display_name"),
    "externalid": Field("external_id", case_exact=True),
    "members": Field("members__provisioned_account__scim_id", convert=uuid_or_none),
    "members.value": Field("members__provisioned_account__scim_id", convert=uuid_or_none),
    "meta.created": Field("created_at", type="dateTime"),
    "meta.lastmodified": Field("updated_at", type="dateTime"),
}


def _location(request: HttpRequest, group: ScimGroup) -> str:
    return request.build_absolute_uri(reverse("scim:group", args=[str(group.scim_id)]))


def _members_excluded(request: HttpRequest) -> bool:
    """Entra ID reads groups with `excludedAttributes=members`: then members are not loaded."""
    return attribute_left_out(request, "members")


def render_groups(
    request: HttpRequest, groups: list[ScimGroup], *, with_members: bool = True
) -> list[dict[str, Any]]:
    members: dict[int, list[dict[str, Any]]] = {}
    if with_members and groups:
        through = ScimGroup.members.through
        rows = through.objects.filter(scimgroup_id__in=[group.pk for group in groups])
        person_ids = {row.user_id for row in rows}
        accounts = {
            account.person_id: account
            for account in ProvisionedAccount.objects.select_related("person").filter(
                person_id__in=person_ids
            )
        }
        for row in rows.order_by("pk"):
            account = accounts.get(row.user_id)
            if account is None:
                continue
            members.setdefault(row.scimgroup_id, []).append(
                {
                    "value": str(account.scim_id),
                    "display": account.person.display_name,
                    "type": "User",
                    "$ref": request.build_absolute_uri(
                        reverse("scim:user", args=[str(account.scim_id)])
                    ),
                }
            )
    documents = []
    for group in groups:
        document: dict[str, Any] = {
            "schemas": [GROUP_SCHEMA],
            "id": str(group.scim_id),
            "displayName": group.display_name,
        }
        if group.external_id:
            document["externalId"] = group.external_id
        if with_members:
            document["members"] = members.get(group.pk, [])
        document["meta"] = {
            "resourceType": "Group",
            "created": group.created_at.isoformat(),
            "lastModified": group.updated_at.isoformat(),
            "location": _location(request, group),
            "version": etag(group.version),
        }
        documents.append(document)
    return documents


def group_or_404(scim_id: str, *, lock: bool = False) -> ScimGroup:
    queryset: QuerySet[ScimGroup] = ScimGroup.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    return one_by_scim_id(queryset, scim_id, _("There is no group %(id)s.") % {"id": scim_id})


def _one(request: HttpRequest, group: ScimGroup, status: int = 200) -> HttpResponse:
    group.refresh_from_db()
    document = render_groups(request, [group], with_members=not _members_excluded(request))[0]
    return resource_response(
        select_attributes(request, document),
        version=group.version,
        location=_location(request, group),
        status=status,
    )


@scim_endpoint("GET", "POST")
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        group = create_group(document=read_group_document(json_body(request)))
        return _one(request, group, 201)
    queryset = filtered(request, ScimGroup.objects.all(), GROUP_FILTER_FIELDS)
    # A filter on members joins the membership rows: one group may match through several.
    ids = queryset.values("pk").distinct()
    page, total, start = page_of(
        request, ScimGroup.objects.filter(pk__in=ids).order_by("created_at", "pk")
    )
    documents = render_groups(request, page, with_members=not _members_excluded(request))
    return list_response(
        [select_attributes(request, document) for document in documents], total=total, start=start
    )


def _change(request: HttpRequest, group: ScimGroup, body: dict[str, Any]) -> None:
    """PUT replaces the group; PATCH applies its operations to the current document."""
    if request.method == "PUT":
        document = read_group_document(body)
    else:
        current = render_groups(request, [group])[0]
        current.pop("meta", None)
        patched = apply_patch(current, body)
        # Removing "members" as a whole leaves the group empty, not its members untouched.
        patched.setdefault(lookup(patched, "members")[0] or "members", [])
        document = read_group_document(patched)
    replace_group(group=group, document=document)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, scim_id: str) -> HttpResponse:
    return serve_resource(
        request,
        load=partial(group_or_404, scim_id),
        show=partial(_one, request),
        delete=lambda found: delete_group(group=found),
        change=partial(_change, request),
    )
