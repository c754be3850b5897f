"""People over HTTP: the directory, profiles, `/me`, the org chart and personal access tokens."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, ConfigDict

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug, text
from practica.api.pagination import Page
from practica.core.api import TopicRef
from practica.core.models import Topic
from practica.people.models import (
    MAX_BIO_LENGTH,
    OrgUnit,
    OrgUnitKind,
    PersonalAccessToken,
    Role,
    User,
)
from practica.people.permissions import can_edit_profile, can_manage_tokens, can_view_directory
from practica.people.queries import org_unit_chain, people_in_directory, search_directory
from practica.people.services import (
    MAX_LANGUAGES,
    create_access_token,
    revoke_access_token,
    update_profile,
)

router = Router(tags=["people"])


# --- Schemas -------------------------------------------------------------------------------


class OrgUnitRef(Schema):
    id: int
    slug: str
    name: str
    kind: OrgUnitKind


class PersonRef(Schema):
    id: int
    display_name: str


class PersonSummaryOut(Schema):
    id: int
    display_name: str
    email: str
    job_title: str
    role: Role
    location: str
    country: str
    org_unit: OrgUnitRef | None
    expertise: list[TopicRef]

    @staticmethod
    def resolve_expertise(person: User) -> list[Topic]:
        return list(person.expertise.all())


class PersonOut(PersonSummaryOut):
    career_level: int | None
    time_zone: str
    languages: list[str]
    bio: str
    manager: PersonRef | None
    hired_on: date | None


class MeOut(PersonOut):
    preferred_language: str
    is_staff: bool


class DirectoryFilters(Schema):
    q: text(200) = Field("", description="Words matched against name, email and job title.")
    topic: Slug | None = Field(
        None, description="Expertise topic slug; people listing a sub-topic match as well."
    )
    org_unit: Slug | None = Field(
        None, description="Org unit slug; people in units below it match as well."
    )
    location: text(120) = Field("", description="City/location text or two-letter country.")
    role: Role | None = None


class ProfileUpdateIn(Schema):
    """Only the fields sent change; `null` clears `career_level` and `org_unit`, and
    `expertise: []` clears the expertise. Other fields refuse `null`."""

    model_config = ConfigDict(extra="forbid")

    display_name: text(120, min_length=1) = None
    job_title: text(120) = None
    role: Role = None
    career_level: int | None = Field(None, ge=1, le=10)
    location: text(120) = None
    country: text(2) = None
    time_zone: text(64) = None
    languages: list[text(40)] = Field(None, max_length=MAX_LANGUAGES)
    bio: text(MAX_BIO_LENGTH) = None
    org_unit: Slug | None = Field(None, description="Slug of the member's org unit.")
    expertise: list[Slug] = Field(
        None, max_length=50, description="Topic slugs; replaces the member's expertise."
    )


class OrgUnitOut(Schema):
    id: int
    slug: str
    name: str
    kind: OrgUnitKind
    parent_id: int | None
    depth: int


class OrgUnitDetailOut(OrgUnitOut):
    ancestors: list[OrgUnitRef]
    children: list[OrgUnitRef]


class TokenOut(Schema):
    id: int
    name: str
    lookup_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    is_usable: bool


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="The token itself, shown this once: store it now.")


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(80, min_length=1)
    expires_at: AwareDatetime | None = Field(
        None, description="When the token stops working (with a time-zone offset); never if null."
    )


# --- Helpers -------------------------------------------------------------------------------


def _with_profile_relations(people: QuerySet[User]) -> QuerySet[User]:
    return people.select_related("org_unit", "manager").prefetch_related(
        Prefetch("expertise", queryset=Topic.objects.order_by("name"))
    )


def _require_directory(user: Any) -> None:
    if not can_view_directory(user):
        raise PermissionDenied(_("Sign in to see the directory."))


def _topic_by_slug(slug: str, field: str) -> Topic:
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise ValidationError({field: _("There is no topic “%(slug)s”.") % {"slug": slug}})
    return topic


def _org_unit_by_slug(slug: str, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(slug=slug).first()
    if unit is None:
        raise ValidationError({field: _("There is no org unit “%(slug)s”.") % {"slug": slug}})
    return unit


def _me(request: HttpRequest) -> User:
    return _with_profile_relations(User.objects.filter(pk=request.auth.pk)).get()


# --- People --------------------------------------------------------------------------------


@router.get("/people", response={200: list[PersonSummaryOut], **error_responses(401, 422)})
@paginate(Page)
def list_people(request: HttpRequest, filters: Query[DirectoryFilters]) -> QuerySet[User]:
    """The directory and expert finder. With `topic`, the closest experts come first;
    an unknown `topic` or `org_unit` slug is a 422, not an empty list."""
    _require_directory(request.auth)
    topic = _topic_by_slug(filters.topic, "topic") if filters.topic else None
    org_unit = _org_unit_by_slug(filters.org_unit, "org_unit") if filters.org_unit else None
    people = search_directory(
        text=filters.q,
        topic=topic,
        org_unit=org_unit,
        location=filters.location,
        role=filters.role or "",
    )
    return _with_profile_relations(people)


@router.get("/people/{person_id}", response={200: PersonOut, **error_responses(401, 404, 422)})
def get_person(request: HttpRequest, person_id: Id) -> User:
    """A member's profile; people who left the company or system accounts are not found."""
    _require_directory(request.auth)
    return get_object_or_404(_with_profile_relations(people_in_directory()), pk=person_id)


@router.get("/me", response={200: MeOut, **error_responses(401)})
def get_me(request: HttpRequest) -> User:
    """The caller's own profile."""
    return _me(request)


@router.patch("/me", response={200: MeOut, **error_responses(401, 403, 422)})
def update_me(request: HttpRequest, payload: ProfileUpdateIn) -> User:
    """Change the caller's profile: only the fields sent change. An unknown time zone, topic
    or org unit, or an oversize field, is a 422 naming the field; nothing changes then."""
    person = request.auth
    if not can_edit_profile(person, person):
        raise PermissionDenied(_("You may only edit your own profile."))
    changes = payload.dict(exclude_unset=True)
    expertise = None
    if "expertise" in changes:
        slugs = list(dict.fromkeys(changes.pop("expertise") or []))
        found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise ValidationError(
                {"expertise": _("Unknown topics: %(slugs)s") % {"slugs": ", ".join(missing)}}
            )
        expertise = [found[slug] for slug in slugs]
    if "org_unit" in changes and changes["org_unit"] is not None:
        changes["org_unit"] = _org_unit_by_slug(changes["org_unit"], "org_unit")
    update_profile(person=person, actor=person, expertise=expertise, **changes)
    return _me(request)


# --- Org chart -----------------------------------------------------------------------------


@router.get(
    "/org-units", response={200: list[OrgUnitOut], **error_responses(401)}, tags=["org units"]
)
def list_org_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    """The whole org chart in depth-first order; `parent_id` and `depth` give the tree."""
    _require_directory(request.auth)
    return OrgUnit.objects.order_by("path")


@router.get(
    "/org-units/{slug}",
    response={200: OrgUnitDetailOut, **error_responses(401, 404, 422)},
    tags=["org units"],
)
def get_org_unit(request: HttpRequest, slug: Slug) -> dict:
    """One unit with its ancestors (division first) and its direct children."""
    _require_directory(request.auth)
    unit = get_object_or_404(OrgUnit, slug=slug)
    return {
        "id": unit.pk,
        "slug": unit.slug,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "depth": unit.depth,
        "ancestors": org_unit_chain(unit)[:-1],
        "children": list(unit.children.order_by("name")),
    }


# --- Personal access tokens ----------------------------------------------------------------


def _require_token_owner(request: HttpRequest) -> User:
    person = request.auth
    if not can_manage_tokens(person, person):
        raise PermissionDenied(_("You may only manage your own tokens."))
    return person


@router.get(
    "/me/tokens", response={200: list[TokenOut], **error_responses(401, 403)}, tags=["tokens"]
)
def list_my_tokens(request: HttpRequest) -> QuerySet[PersonalAccessToken]:
    """The caller's tokens, newest first, revoked ones included; secrets are never shown."""
    person = _require_token_owner(request)
    return person.api_tokens.order_by("-created_at", "-pk")


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **error_responses(401, 403, 422)},
    tags=["tokens"],
)
def create_my_token(request: HttpRequest, payload: TokenCreateIn) -> Status:
    """Create a token; the answer carries its secret, which is shown this once only."""
    person = _require_token_owner(request)
    token, secret = create_access_token(
        user=person, name=payload.name, expires_at=payload.expires_at
    )
    token.secret = secret
    return Status(201, token)


@router.delete(
    "/me/tokens/{token_id}",
    response={200: TokenOut, **error_responses(401, 403, 404, 422)},
    tags=["tokens"],
)
def revoke_my_token(request: HttpRequest, token_id: Id) -> PersonalAccessToken:
    """Revoke one of the caller's tokens; it stops working at once. Revoking twice is fine."""
    person = _require_token_owner(request)
    token = get_object_or_404(person.api_tokens, pk=token_id)
    return revoke_access_token(token=token, actor=person)
