"""`/Groups` and `/Groups/{id}`: the groups an identity provider pushes, kept so its pushes
succeed and read back; members are users by their SCIM id."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from practica.outreach.models import ProvisionedAccount, ScimGroup
from practica.outreach.scim.discovery import GROUP_SCHEMA
from practica.outreach.scim.filters import Field, lookup
from practica.outreach.scim.http import (
    ScimError,
    check_if_match,
    etag,
    json_body,
    list_response,
    not_modified,
    page_parameters,
    scim_endpoint,
    scim_response,
    select_attributes,
)
from practica.outreach.scim.patch import apply_patch
from practica.outreach.scim.services import (
    create_group,
    delete_group,
    read_group_document,
    replace_group,
)
from practica.outreach.scim.user_views import filtered
from practica.outreach.scim.users import uuid_or_none

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
    excluded = {
        part.strip().lower() for part in request.GET.get("excludedAttributes", "").split(",")
    }
    wanted = {part.strip().lower() for part in request.GET.get("attributes", "").split(",")}
    return "members" in excluded or (bool(wanted - {""}) and "members" not in wanted)


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
    parsed = uuid_or_none(scim_id)
    group = queryset.filter(scim_id=parsed).first() if parsed else None
    if group is None:
        raise ScimError(404, _("There is no group %(id)s.") % {"id": scim_id})
    return group


def _one(request: HttpRequest, group: ScimGroup, status: int = 200) -> HttpResponse:
    group.refresh_from_db()
    document = render_groups(request, [group], with_members=not _members_excluded(request))[0]
    response = scim_response(select_attributes(request, document), status, version=group.version)
    if status == 201:
        response["Location"] = _location(request, group)
    return response


@scim_endpoint("GET", "POST")
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        group = create_group(document=read_group_document(json_body(request)))
        return _one(request, group, 201)
    queryset = filtered(request, ScimGroup.objects.all(), GROUP_FILTER_FIELDS)
    # A filter on members joins the membership rows: one group may match through several.
    ids = queryset.values("pk").distinct()
    queryset = ScimGroup.objects.filter(pk__in=ids).order_by("created_at", "pk")
    start, count = page_parameters(request)
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count]) if count else []
    documents = render_groups(request, page, with_members=not _members_excluded(request))
    return list_response(
        [select_attributes(request, document) for document in documents], total=total, start=start
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, scim_id: str) -> HttpResponse:
    if request.method == "GET":
        found = group_or_404(scim_id)
        if not_modified(request, found.version):
            return scim_response(None, 304, version=found.version)
        return _one(request, found)
    found = group_or_404(scim_id, lock=True)
    check_if_match(request, found.version)
    if request.method == "DELETE":
        delete_group(group=found)
        return scim_response(None, 204)
    body = json_body(request)
    if request.method == "PUT":
        document = read_group_document(body)
    else:
        current = render_groups(request, [found])[0]
        current.pop("meta", None)
        patched = apply_patch(current, body)
        # Removing "members" as a whole leaves the group empty, not its members untouched.
        patched.setdefault(lookup(patched, "members")[0] or "members", [])
        document = read_group_document(patched)
    replace_group(group=found, document=document)
    return _one(request, found)
