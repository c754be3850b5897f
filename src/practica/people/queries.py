"""Reads about people: the directory and expert finder, org chart look-ups."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Q, QuerySet

from practica.core.models import AuditLogEntry, Topic
from practica.core.tree import subtree_filter
from practica.people.models import OrgUnit, PersonalAccessToken, User


def people_in_directory() -> QuerySet[User]:
    """Everyone a member may find: active, real (no system accounts, no placeholders made for
    unknown authors of the list archive), still at the company."""
    return User.objects.filter(
        is_active=True, is_system=False, is_placeholder=False, left_on__isnull=True
    )


def search_directory(
    *,
    text: str = "",
    topic: Topic | None = None,
    org_unit: OrgUnit | None = None,
    location: str = "",
    role: str = "",
) -> QuerySet[User]:
    """The directory filtered by name/email/title text, expertise topic (with its sub-topics),
    org unit (with its descendants), location and role.

    With a topic, the best experts come first: those whose expertise matches the topic most
    closely (the topic itself before its sub-topics), then by how many matching topics they list.
    """
    people = people_in_directory().select_related("org_unit")
    text = text.strip()
    if text:
        words = text.split()[:6]
        for word in words:
            people = people.filter(
                Q(display_name__icontains=word)
                | Q(email__istartswith=word)
                | Q(job_title__icontains=word)
            )
    if org_unit is not None:
        people = people.filter(subtree_filter(org_unit.path, "org_unit__path"))
    if location.strip():
        term = location.strip()
        people = people.filter(Q(location__icontains=term) | Q(country__iexact=term))
    if role:
        people = people.filter(role=role)
    if topic is not None:
        matching = subtree_filter(topic.path, "expertise__path")
        people = (
            people.filter(matching)
            .annotate(
                exact_match=Count("expertise", filter=Q(expertise=topic), distinct=True),
                topic_matches=Count("expertise", filter=matching, distinct=True),
            )
            .order_by("-exact_match", "-topic_matches", "display_name", "pk")
        )
    else:
        people = people.order_by("display_name", "pk")
    return people


def org_unit_chain(org_unit: OrgUnit | None) -> list[OrgUnit]:
    """The unit and its ancestors, outermost first (division › group › team)."""
    if org_unit is None:
        return []
    slugs = [part for part in org_unit.path.strip("/").split("/") if part]
    units = {unit.slug: unit for unit in OrgUnit.objects.filter(slug__in=slugs)}
    return [units[slug] for slug in slugs if slug in units]


def org_unit_at_depth(org_unit: OrgUnit | None, depth: int) -> OrgUnit | None:
    """The ancestor of `org_unit` at `depth` (0 = division); the unit itself if shallower."""
    chain = org_unit_chain(org_unit)
    if not chain:
        return None
    return chain[min(depth, len(chain) - 1)]


def access_tokens_of(person: User) -> QuerySet[PersonalAccessToken]:
    """The member's API tokens, newest first, revoked ones included (shown as such)."""
    return PersonalAccessToken.objects.filter(user=person).order_by("-created_at")


def claimants_of_placeholders(placeholder_ids: Iterable[int]) -> dict[int, int]:
    """Claimed placeholder → the member who claimed it, from the audit log
    (`people.services.claim_placeholder` records each claim there)."""
    from practica.people.services import PLACEHOLDER_CLAIMED

    ids = list(placeholder_ids)
    if not ids:
        return {}
    entries = AuditLogEntry.objects.filter(
        action=PLACEHOLDER_CLAIMED,
        target_type=ContentType.objects.get_for_model(User),
        target_id__in=ids,
    ).order_by("created_at", "pk")
    claimants: dict[int, int] = {}
    for target_id, data in entries.values_list("target_id", "data"):
        claimant = (data or {}).get("claimant")
        if isinstance(claimant, int) and target_id is not None:
            claimants[target_id] = claimant
    return claimants


# In the model's field order, as `Model.from_db` expects a subset of fields to come.
_TOKEN_FIELDS = ("id", "user_id", "token_hash", "last_used_at", "expires_at", "revoked_at")


@dataclass(frozen=True)
class _TokenStatement:
    """The token-and-owner query written out for one database, with the converters the ORM
    would apply to each column (SQLite returns datetimes as text, for one)."""

    sql: str
    owner_fields: list[str]
    converters: list[tuple[int, list[Any], Any]]


_TOKEN_STATEMENTS: dict[str, _TokenStatement] = {}


def _token_statement() -> _TokenStatement:
    statement = _TOKEN_STATEMENTS.get(connection.alias)
    if statement is not None:
        return statement
    quote = connection.ops.quote_name
    token_by_name = {field.attname: field for field in PersonalAccessToken._meta.concrete_fields}
    owner_fields = list(User._meta.concrete_fields)
    columns = [token_by_name[name].get_col("t") for name in _TOKEN_FIELDS]
    columns += [field.get_col("u") for field in owner_fields]
    converters = []
    for index, column in enumerate(columns):
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    selected = ", ".join(f"{column.alias}.{quote(str(column.target.column))}" for column in columns)
    owner_key = quote(str(token_by_name["user_id"].column))
    sql = (
        f"SELECT {selected} "  # noqa: S608 — names from the models
        f"FROM {quote(PersonalAccessToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u "
        f"ON u.{quote(str(User._meta.pk.column))} = t.{owner_key} "
        f"WHERE t.{quote(str(token_by_name['lookup_prefix'].column))} = %s"
    )
    statement = _TokenStatement(
        sql=sql, owner_fields=[field.attname for field in owner_fields], converters=converters
    )
    _TOKEN_STATEMENTS[connection.alias] = statement
    return statement


def access_token_with_owner(lookup_prefix: str) -> PersonalAccessToken | None:
    """The access token with this lookup part, its owner loaded with it, in one query.

    Every API call by token starts here, so the statement is written out once per database
    rather than compiled by the ORM on each call: compiling the select_related query was the
    largest share of a refused registration's CPU in a rush. The token carries only the fields
    authentication reads (the rest load on access, as with `.only()`).
    """
    statement = _token_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [lookup_prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions, column in statement.converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    split = len(_TOKEN_FIELDS)
    token = PersonalAccessToken.from_db(connection.alias, list(_TOKEN_FIELDS), values[:split])
    owner = User.from_db(connection.alias, statement.owner_fields, values[split:])
    PersonalAccessToken.user.field.set_cached_value(token, owner)
    return token
