"""Full-text search behind one interface: SQLite FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Apps index plain-text documents (`IndexedDocument`) into `core.SearchEntry`; migration 0004
adds the engine's index beside that table (an FTS5 table kept in step by triggers; stored
generated tsvector columns, title weighted above body, English stemming on both engines).
Filters are tags — opaque strings such as "community:7" chosen by the app, indexed as hashed
tokens beside the text — so a filter is an index intersection, not a per-row check.

`search_entries` returns one best document per group (e.g. per thread), ranked (bm25 /
ts_rank_cd), with snippets highlighted by the engine (snippet() / ts_headline, computed only
for the page shown) and HTML-escaped except for <mark>.

Very broad queries are bounded: ranking looks at the `window` most recently indexed matching
documents (after filters), so a one-word query matching half the corpus still answers in
milliseconds; `total` then counts the groups in that window and `total_is_capped` says so.
Text handling (safe query parsing, CJK) is in practica.core.search_text.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from practica.core.models import SearchEntry
from practica.core.search_text import (
    MARK_END,
    MARK_START,
    ParsedQuery,
    fts5_expression,
    fts5_phrase,
    marked_html,
    searchable_text,
    tag_token,
    tag_tokens,
    websearch_expression,
)

DEFAULT_WINDOW = 2000
SNIPPET_TOKENS = 28
ELLIPSIS = "…"
# Weights of the title, body and tags columns in bm25; PostgreSQL uses setweight A / B.
BM25_WEIGHTS = "4.0, 1.0, 0.0"
TEXT_COLUMNS = "{title body}"
# PostgreSQL: a text in more than this share of documents is "broad" (see search_entries).
BROAD_MATCH_SHARE = 0.02
FREQUENCY_CACHE_SECONDS = 300
_FREQUENCY_CACHE: dict[str, tuple[float, dict[str, float]]] = {}


@dataclass(frozen=True)
class IndexedDocument:
    """What an app hands to the index: plain text, the group it belongs to, its filter tags."""

    source: str
    object_id: int
    group_id: int
    created_at: datetime
    title: str
    body: str
    tags: tuple[str, ...] = ()

    def as_entry(self) -> SearchEntry:
        return SearchEntry(
            source=self.source,
            object_id=self.object_id,
            group_id=self.group_id,
            created_at=self.created_at,
            title=searchable_text(self.title),
            body=searchable_text(self.body),
            tags=tag_tokens(self.tags),
        )


@dataclass(frozen=True)
class Filters:
    """Which documents count: every tag of `all_tags`, one of each group in `any_tags`, none
    of `no_tags`, created in [since, until)."""

    source: str
    all_tags: tuple[str, ...] = ()
    any_tags: tuple[tuple[str, ...], ...] = ()
    no_tags: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Match:
    object_id: int
    group_id: int
    rank: float
    snippet_html: str
    title_html: str


@dataclass(frozen=True)
class MatchPage:
    matches: list[Match]
    total: int
    total_is_capped: bool


# --- Writing -------------------------------------------------------------------------------


def index_documents(documents: Iterable[IndexedDocument]) -> None:
    """Add or replace documents (matched on source and object id); the index follows at once."""
    with transaction.atomic():
        for document in documents:
            entry = document.as_entry()
            SearchEntry.objects.update_or_create(
                source=entry.source,
                object_id=entry.object_id,
                defaults={
                    "group_id": entry.group_id,
                    "created_at": entry.created_at,
                    "title": entry.title,
                    "body": entry.body,
                    "tags": entry.tags,
                },
            )


def bulk_index_documents(documents: Iterable[IndexedDocument], *, batch_size: int = 5000) -> int:
    """Insert documents never indexed before, in batches of plain INSERTs (corpus builds,
    back-fills); the engine's index follows (FTS5 triggers, generated columns)."""
    sql = (
        "INSERT INTO core_searchentry (source, object_id, group_id, created_at, title, body, tags)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value
    batch: list[tuple[Any, ...]] = []
    count = 0
    with connection.cursor() as cursor:
        for document in documents:
            entry = document.as_entry()
            batch.append(
                (
                    entry.source,
                    entry.object_id,
                    entry.group_id,
                    adapt(entry.created_at),
                    entry.title,
                    entry.body,
                    entry.tags,
                )
            )
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def unindex_documents(*, source: str, object_ids: Iterable[int]) -> int:
    """Remove documents from the index; the number removed."""
    ids = list(object_ids)
    deleted, _ = SearchEntry.objects.filter(source=source, object_id__in=ids).delete()
    return deleted


def unindex_group(*, source: str, group_id: int) -> int:
    deleted, _ = SearchEntry.objects.filter(source=source, group_id=group_id).delete()
    return deleted


def stored_tag_tokens(*, source: str, group_id: int, exclude_object_id: int) -> set[str] | None:
    """The tag tokens of one other indexed document of the group (None if there is none),
    to tell whether the group's shared tags went stale."""
    tags = (
        SearchEntry.objects.filter(source=source, group_id=group_id)
        .exclude(object_id=exclude_object_id)
        .values_list("tags", flat=True)
        .first()
    )
    return None if tags is None else set(tags.split())


def optimize_index() -> None:
    """After a bulk load: merge FTS5 segments and refresh the planner's statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO core_search_fts(core_search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE core_searchentry")
            _FREQUENCY_CACHE.clear()


# --- Reading -------------------------------------------------------------------------------


def _fts5_tag_match(text: str, filters: Filters) -> str:
    """The MATCH expression: the text AND the required tags (tag tokens are hex digests, so
    they need no escaping). Excluded tags are checked per row instead (`_excluded_tags_sql`):
    bm25 reads the whole doclist of every phrase in the expression to weigh it, and the
    excluded tags (closed communities) would cost that on every search."""
    groups = [(tag,) for tag in filters.all_tags] + [tuple(g) for g in filters.any_tags]
    match = text
    for group in groups:
        match += " AND tags : (" + " OR ".join(fts5_phrase([tag_token(t)]) for t in group) + ")"
    return match


def _excluded_tags_sql(filters: Filters) -> tuple[str, list[Any]]:
    sql = "".join(" AND instr(e.tags, %s) = 0" for _ in filters.no_tags)
    return sql, [tag_token(tag) for tag in filters.no_tags]


def _tsquery_tags(filters: Filters) -> str:
    groups = [(tag,) for tag in filters.all_tags] + [tuple(g) for g in filters.any_tags]
    parts = ["(" + " | ".join(tag_token(t) for t in group) + ")" for group in groups]
    parts += [f"!{tag_token(t)}" for t in filters.no_tags]
    return " & ".join(parts)


def _date_clauses(filters: Filters) -> tuple[str, list[Any]]:
    sql, params = "", []
    if filters.since is not None:
        sql += " AND e.created_at >= %s"
        params.append(connection.ops.adapt_datetimefield_value(filters.since))
    if filters.until is not None:
        sql += " AND e.created_at < %s"
        params.append(connection.ops.adapt_datetimefield_value(filters.until))
    return sql, params


def search_entries(
    *,
    query: ParsedQuery,
    filters: Filters,
    any_term: bool = False,
    limit: int = 20,
    offset: int = 0,
    window: int = DEFAULT_WINDOW,
    with_snippets: bool = True,
) -> MatchPage:
    """The best-ranked document of each matching group, best groups first, one page of them."""
    if not query:
        return MatchPage(matches=[], total=0, total_is_capped=False)
    dates, date_params = _date_clauses(filters)
    if connection.vendor == "postgresql":
        text = websearch_expression(query, any_term=any_term)
        tags = _tsquery_tags(filters)
        tag_sql = " AND e.tag_vector @@ to_tsquery('simple', %s)" if tags else ""
        # A broad text (a share of all documents) would fetch every match from the heap to keep
        # the newest: look only among as many of the newest rows as should hold the window.
        share = _match_share_postgresql(query, any_term=any_term)
        recent_sql, recent_params = "", []
        if share >= BROAD_MATCH_SHARE:
            recent_sql = " AND e.id > (SELECT max(id) FROM core_searchentry) - %s"
            recent_params = [int(window / share * 1.5)]
        # Rank only the window's rows: ts_rank_cd reads each row's whole tsvector.
        sql = f"""
            WITH q AS (SELECT websearch_to_tsquery('english', %s) AS query),
            hits AS (
                SELECT e.id, e.object_id, e.group_id, e.search_vector
                FROM core_searchentry e, q
                WHERE e.search_vector @@ q.query AND e.source = %s{tag_sql}{dates}{recent_sql}
                ORDER BY e.id DESC LIMIT %s
            ),
            best AS (
                SELECT DISTINCT ON (group_id) id, object_id, group_id,
                       ts_rank_cd(search_vector, q.query) AS rank
                FROM hits, q ORDER BY group_id, rank DESC, id DESC
            )
            SELECT id, object_id, group_id, rank, (SELECT count(*) FROM hits), count(*) OVER ()
            FROM best ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s"""  # noqa: S608 - constants
        params = [text, filters.source, *([tags] if tags else []), *date_params, *recent_params]
    else:
        text = f"{TEXT_COLUMNS} : {fts5_expression(query, any_term=any_term)}"
        match = _fts5_tag_match(text, filters)
        excluded, excluded_params = _excluded_tags_sql(filters)
        sql = f"""
            WITH hits AS (
                SELECT e.id, e.object_id, e.group_id,
                       -bm25(core_search_fts, {BM25_WEIGHTS}) AS rank
                FROM core_search_fts JOIN core_searchentry e ON e.id = core_search_fts.rowid
                WHERE core_search_fts MATCH %s AND e.source = %s{excluded}{dates}
                ORDER BY core_search_fts.rowid DESC LIMIT %s
            ),
            best AS (
                SELECT id, object_id, group_id, MAX(rank) AS rank FROM hits GROUP BY group_id
            )
            SELECT id, object_id, group_id, rank, (SELECT count(*) FROM hits),
                   (SELECT count(*) FROM best)
            FROM best ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s"""  # noqa: S608 - constants
        params = [match, filters.source, *excluded_params, *date_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, window, max(0, limit), max(0, offset)])
        rows = cursor.fetchall()
    if not rows:
        return MatchPage(matches=[], total=0, total_is_capped=False)
    snippets = _snippets([row[0] for row in rows], text) if with_snippets else {}
    matches = [
        Match(
            object_id=row[1],
            group_id=row[2],
            rank=float(row[3]),
            snippet_html=snippets.get(row[0], ("", ""))[0],
            title_html=snippets.get(row[0], ("", ""))[1],
        )
        for row in rows
    ]
    return MatchPage(matches=matches, total=rows[0][5], total_is_capped=rows[0][4] >= window)


def _snippets(entry_ids: list[int], text: str) -> dict[int, tuple[str, str]]:
    """Highlighted (body snippet, title) HTML of a page of entries, by entry id."""
    placeholders = ", ".join(["%s"] * len(entry_ids))
    if connection.vendor == "postgresql":
        body_options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
            f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
        )
        title_options = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
        sql = f"""
            SELECT e.id, ts_headline('english', e.body, q.query, %s),
                   ts_headline('english', e.title, q.query, %s)
            FROM core_searchentry e, (SELECT websearch_to_tsquery('english', %s) AS query) q
            WHERE e.id IN ({placeholders})"""  # noqa: S608 - placeholders only
        params: list[Any] = [body_options, title_options, text, *entry_ids]
    else:
        sql = f"""
            SELECT rowid, snippet(core_search_fts, 1, %s, %s, %s, {SNIPPET_TOKENS}),
                   highlight(core_search_fts, 0, %s, %s)
            FROM core_search_fts
            WHERE core_search_fts MATCH %s AND rowid IN ({placeholders})"""  # noqa: S608
        params = [MARK_START, MARK_END, ELLIPSIS, MARK_START, MARK_END, text, *entry_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (marked_html(row[1] or ""), marked_html(row[2] or "")) for row in cursor}


def drop_common_terms(
    query: ParsedQuery, *, fraction: float = 0.03, keep_when_all_common: int = 2
) -> ParsedQuery:
    """The query without terms found in more than `fraction` of all documents.

    Words that appear everywhere cannot tell documents apart and make an OR query slow, so
    "similar questions" leaves them out. SQLite counts matches, stopping at the threshold;
    PostgreSQL reads the lexeme frequencies ANALYZE keeps for the tsvector column
    (pg_stats.most_common_elems). If every term is common, the rarest few are kept (ties:
    longer words first, as they tend to say more).
    """
    if not query.terms:
        return query
    if connection.vendor == "postgresql":
        shares = _term_shares_postgresql(query.terms)
    else:
        shares = _term_shares_sqlite(query.terms, fraction)
    kept = tuple(term for term, share in zip(query.terms, shares, strict=True) if share <= fraction)
    if not kept:
        ranked = sorted(
            range(len(query.terms)),
            key=lambda n: (shares[n], -sum(len(token) for token in query.terms[n])),
        )
        kept = tuple(query.terms[n] for n in sorted(ranked[:keep_when_all_common]))
    return ParsedQuery(terms=kept, excluded=query.excluded)


def _term_shares_sqlite(terms: tuple[tuple[str, ...], ...], fraction: float) -> list[float]:
    """Each term's share of documents, counted only up to the threshold (1.0 beyond it)."""
    with connection.cursor() as cursor:
        # Ids only grow, so the largest one is a cheap upper estimate of the count.
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_searchentry")
        documents = max(1, int(cursor.fetchone()[0]))
        cap = max(50, int(documents * fraction) + 1)
        select = (
            "SELECT %s, count(*) FROM (SELECT 1 FROM core_search_fts"
            " WHERE core_search_fts MATCH %s LIMIT %s) t"
        )
        params: list[Any] = []
        for n, term in enumerate(terms):
            params.extend([n, f"{TEXT_COLUMNS} : {fts5_phrase(term)}", cap])
        cursor.execute(" UNION ALL ".join([select] * len(terms)), params)
        counts = dict(cursor.fetchall())
    # Below the cap (at least 50 documents, so a small corpus drops nothing) a term is rare.
    return [
        fraction * counts.get(n, 0) / cap if counts.get(n, 0) < cap else 1.0
        for n in range(len(terms))
    ]


def _lexeme_frequencies() -> dict[str, float]:
    """Lexeme → share of documents containing it, for the most common lexemes, from the
    statistics ANALYZE keeps (cached for a few minutes; empty before the first ANALYZE)."""
    now = time.monotonic()
    key = connection.settings_dict["NAME"]
    cached = _FREQUENCY_CACHE.get(key)
    if cached and now - cached[0] < FREQUENCY_CACHE_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'core_searchentry'"
            " AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
    frequencies = {} if row is None or row[0] is None else dict(zip(row[0], row[1], strict=False))
    _FREQUENCY_CACHE[key] = (now, frequencies)
    return frequencies


def _term_lexemes(terms: tuple[tuple[str, ...], ...]) -> list[set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.n, array(SELECT u.lexeme FROM unnest(to_tsvector('english', t.term)) u)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS t(term, n) ORDER BY t.n",
            [[" ".join(term) for term in terms]],
        )
        return [set(lexemes) for _, lexemes in cursor.fetchall()]


def _match_share_postgresql(query: ParsedQuery, *, any_term: bool) -> float:
    """Roughly which share of documents the text matches (0 when its words are uncommon)."""
    frequencies = _lexeme_frequencies()
    if not frequencies:
        return 0.0
    shares = [
        min((frequencies.get(lexeme, 0.0) for lexeme in lexemes), default=0.0)
        for lexemes in _term_lexemes(query.terms)
    ]
    return min(1.0, sum(shares)) if any_term else min(shares, default=0.0)


def _term_shares_postgresql(terms: tuple[tuple[str, ...], ...]) -> list[float]:
    """Each term's share of documents as ANALYZE saw it (0 for uncommon words); a stopword,
    which the index leaves out, counts as everywhere."""
    frequencies = _lexeme_frequencies()
    shares = []
    for lexemes in _term_lexemes(terms):
        if not lexemes:
            shares.append(1.0)
        else:
            shares.append(min(frequencies.get(lexeme, 0.0) for lexeme in lexemes))
    return shares
