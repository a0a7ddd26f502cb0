"""Searching publications: their search documents, never their frozen JSON.

`matching(queryset, text)` narrows publications to those whose search document
(`profiles.search`, built at publication) matches `text`, keeping the queryset's
order, and with `hits=True` annotates each row with `search_hit`: the matching
document in the reader's language if it matches, else the best one, and a
highlighted fragment. `ranked(rows, text)` orders such rows best first; the
profiles list calls it only when its (capped) count found at most
`RANKED_AT_MOST` matches, so a broad word costs what the plain list costs.
`search(queryset, text)` does both for callers that do not count first (the API).
`Hit.of(row, text)` turns a hit into an escaped snippet and the anchor of the
profile section it came from.

- **PostgreSQL**: `websearch_to_tsquery` syntax (`"exact phrase"`, `-word`, `OR`),
  per-language stemming and accent folding, ranked by `ts_rank`, snippets from
  `ts_headline`; a GIN index per language finds the documents.
- **SQLite** (development and tests): the same syntax, read by `parse`, matched
  as case-insensitive substrings of the stored document text (no stemming, no
  accent folding, no ranking: rows keep the list's alphabetical order).

Either way a query costs the same number of SQL queries whatever the number of
rows: the fragment is computed by a subquery of the page's own query.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from profiles.models import Publication, PublicationSearch
from profiles.public.pagination import CappedPaginator
from profiles.search import SEPARATOR, config_for, normalise

#: Private-use characters mark highlighted words until the text is escaped.
START, STOP = "\ue000", "\ue001"
#: Characters of context either side of the first match in a Python-made fragment.
CONTEXT = 120
#: Characters of the document that PostgreSQL's headline reads (see `_WindowedHit`).
WINDOW = 900
#: Beyond this many matching documents, results are not ranked (see `search`).
RANKED_AT_MOST = 500


def uses_full_text() -> bool:
    """Whether the database does real full-text search (PostgreSQL) or substring matching."""
    return connection.vendor == "postgresql"


# --- Query syntax (SQLite; PostgreSQL parses it itself) ---------------------------------------

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> list[tuple[list[str], list[str]]]:
    """`websearch_to_tsquery` syntax as alternatives of (required, excluded) terms.

    `a "b c" -d OR e` is `[(["a", "b c"], ["d"]), (["e"], [])]`: like PostgreSQL,
    OR separates groups of terms that must all match.
    """
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _TOKEN.finditer(normalise(text)):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or":
            groups.append(([], []))
            continue
        if word is not None:
            negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        phrase = " ".join(re.sub(r"[^\w\s'-]", " ", phrase).split())
        if phrase:
            groups[-1][1 if negated else 0].append(phrase)
    return [group for group in groups if group[0]]


def _substring_match(text: str) -> Q:
    condition = Q(pk__in=[])
    for required, excluded in parse(text):
        group = Q()
        for term in required:
            group &= Q(document__icontains=term)
        for term in excluded:
            group &= ~Q(document__icontains=term)
        condition |= group
    return condition


# --- Queries -----------------------------------------------------------------------------------


def _queries(text: str) -> dict[str, SearchQuery]:
    """The query parsed once per language, with that language's configuration."""
    return {
        language: SearchQuery(normalise(text), config=config_for(language), search_type="websearch")
        for language, _name in settings.LANGUAGES
    }


def _any_term(text: str) -> dict[str, SearchQuery]:
    """Any of the query's wanted words or phrases, per language: what the snippet highlights.

    The headline reads a window of the document (`_WindowedHit`), which may hold one
    of the words and not the others; highlighting with the whole query would then
    mark nothing.
    """
    terms = [term for required, _excluded in parse(text) for term in required]
    if not terms:
        return {}
    result = {}
    for language, _name in settings.LANGUAGES:
        config = config_for(language)
        query = SearchQuery(terms[0], config=config, search_type="phrase")
        for term in terms[1:]:
            query |= SearchQuery(term, config=config, search_type="phrase")
        result[language] = query
    return result


def _full_text_match(queries: dict[str, SearchQuery]) -> Q:
    # One condition per language, each with a constant tsquery: each scans its language's index.
    condition = Q(pk__in=[])
    for language, query in queries.items():
        condition |= Q(language=language, vector=query)
    return condition


def _per_language(queries: dict[str, SearchQuery], make, output_field) -> Case:
    return Case(
        *(
            When(language=language, then=make(language, query))
            for language, query in queries.items()
        ),
        output_field=output_field,
    )


def results(rows: QuerySet[Publication], text: str, *, per_page: int) -> CappedPaginator:
    """`rows` that match `text`, paginated: best first when few match, else in their own order.

    The count comes first (`_capped_count`) and decides the page's query: up to
    `RANKED_AT_MOST` matches are ranked (they are found through the GIN indexes);
    beyond, ranking would cost more than the page and such a broad query's ranks
    barely differ, so the page keeps the list's order and walks its index, testing
    each row's documents (`matching(..., walk=True)`). Either way: two queries.
    """
    text = text.strip()
    if not text:
        return CappedPaginator(rows, per_page)
    if not uses_full_text():
        return CappedPaginator(matching(rows, text, hits=True), per_page)
    # Counting stops where ranking does: the page says "more than 500 profiles".
    count = _capped_count(rows, _queries(text), cap=RANKED_AT_MOST)
    if count <= RANKED_AT_MOST:
        page_rows = ranked(matching(rows, text, hits=True), text)
    else:
        page_rows = matching(rows, text, hits=True, walk=True)
    return CappedPaginator(page_rows, per_page, cap=RANKED_AT_MOST, count=count)


def _capped_count(rows: QuerySet[Publication], queries: dict[str, SearchQuery], *, cap: int) -> int:
    """How many of `rows` match, exact up to `cap` and `cap + 1` beyond, reading ~cap matches.

    A join, not EXISTS: the rows stream from the GIN indexes' matches and the LIMIT
    stops them, where the semi-join would first collect and de-duplicate every
    match (about 30 ms for a word in every document). A publication matches in at
    most one document per language, so (cap + 1) x languages joined rows hold at
    least cap + 1 distinct publications when there are that many.
    """
    condition = Q(pk__in=[])
    for language, query in queries.items():
        condition |= Q(search_documents__language=language, search_documents__vector=query)
    pairs = rows.filter(condition).order_by().values("pk")[: (cap + 1) * len(queries)]
    found = pairs.aggregate(found=Count("pk", distinct=True))["found"]
    return min(found, cap + 1)


def matching(
    queryset: QuerySet[Publication], text: str, *, hits: bool = False, walk: bool = False
) -> QuerySet:
    """Publications whose search document matches `text`, in the queryset's own order.

    Unranked (see `ranked` for the best-first order). With `walk`, each row's
    documents are tested as the list walks its own index, which is cheap when most
    rows match; without, PostgreSQL may first collect the matches through the GIN
    indexes, which is cheap when few do. With `hits`, each row has `search_hit`
    (see `Hit`), computed for the rows of the page only.
    """
    text = text.strip()
    if not text:
        return queryset
    documents = PublicationSearch.objects.filter(publication=OuterRef("pk"))
    if not uses_full_text():
        documents = documents.filter(_substring_match(text))
        rows = queryset.filter(Exists(documents))
        if hits:
            rows = rows.annotate(search_hit=_hit_subquery(documents.order_by(_preferred())))
        return rows
    queries = _queries(text)
    documents = documents.filter(_full_text_match(queries))
    if walk:
        # Inside a CASE the EXISTS stays a per-row test: PostgreSQL cannot turn it
        # into a join that reads every match through the GIN index before the first row.
        found = Case(When(Exists(documents), then=Value(True)), default=Value(False))
        rows = queryset.alias(search_match=found).filter(search_match=True)
    else:
        rows = queryset.filter(Exists(documents))
    if hits:
        headline = _per_language(
            _any_term(text) or queries,
            lambda language, query: SearchHeadline(
                RawSQL("w.passage", (), output_field=TextField()),
                query,
                config=config_for(language),
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
            TextField(),
        )
        # The reader's language first; between others the order is only made stable
        # (ranking each document here would cost ~0.2 ms a row for a rare choice).
        best = documents.order_by(_preferred(), "language")
        rows = rows.annotate(search_hit=_hit_subquery(best, hit=_WindowedHit(headline, text)))
    return rows


def ranked(rows: QuerySet[Publication], text: str) -> QuerySet:
    """`rows` (from `matching`) best match first, then in their own order.

    Call it only for few matches (at most `RANKED_AT_MOST`): ranking costs about
    0.05 ms a document and keeps the list from walking its index. On SQLite there
    is no rank and the order stays.
    """
    text = text.strip()
    if not text or not uses_full_text():
        return rows
    rank = _best_rank(_queries(text))
    return rows.annotate(search_rank=rank).order_by(
        F("search_rank").desc(nulls_last=True), *rows.query.order_by
    )


def search(queryset: QuerySet[Publication], text: str) -> QuerySet:
    """Publications whose search document matches `text`, best first unless too many match.

    For callers that do not count first (the API): the database itself decides,
    in the same query, whether more than `RANKED_AT_MOST` documents match; then
    ranking them all would cost more than the page, and such a broad query's
    ranks barely differ, so the rows keep the queryset's order.
    """
    text = text.strip()
    rows = matching(queryset, text)
    if not text or not uses_full_text():
        return rows
    queries = _queries(text)
    # Uncorrelated: PostgreSQL evaluates it once, and CASE skips the ranks when it is true.
    match = _full_text_match(queries)
    broad = Exists(PublicationSearch.objects.filter(match)[RANKED_AT_MOST : RANKED_AT_MOST + 1])
    rows = rows.annotate(
        search_rank=Case(When(broad, then=Value(0.0)), default=_best_rank(queries))
    )
    return rows.order_by(F("search_rank").desc(nulls_last=True), *queryset.query.order_by)


def _rank(queries: dict[str, SearchQuery]) -> Case:
    return _per_language(
        queries, lambda _language, query: SearchRank(F("vector"), query), FloatField()
    )


def _best_rank(queries: dict[str, SearchQuery]) -> Subquery:
    """The rank of the publication's best matching document (a correlated subquery)."""
    documents = PublicationSearch.objects.filter(
        _full_text_match(queries), publication=OuterRef("pk")
    ).annotate(rank=_rank(queries))
    return Subquery(documents.order_by("-rank").values("rank")[:1], output_field=FloatField())


#: At most this many of the query's words are looked for to place the headline's window.
WINDOW_WORDS = 3


class _WindowedHit(Func):
    """A document's hit as JSON: language, sections, and the headline of a window around the match.

    `ts_headline` parses all the text it is given: about 12 ms for a 36 kB document,
    0.2 ms for the ~`WINDOW` characters around the first occurrence of one of the
    query's words. Occurrences are found by `strpos`, a plain substring search, in
    lower case or capitalised, on each word without its last letters so `migrants`
    finds `migrant`; for `a OR b`, a document holding only `b` is placed by `b`.
    Such an occurrence is nearly always a match; when none is found (a stem or an
    accent differs) the headline reads the whole document. Each mention of the
    document in SQL unpacks all of it again (~0.1 ms for 36 kB), so the position and
    the window are computed once, in nested selects.
    """

    output_field = JSONField()

    def __init__(self, headline: Expression, text: str):
        words = []
        for required, _excluded in parse(text):
            for term in required:
                word = term.split()[0].lower()
                prefix = word[: max(4, len(word) - 2)]
                if prefix not in words:
                    words.append(prefix)
        prefixes = [
            Value(variant)
            for prefix in words[:WINDOW_WORDS] or [" "]
            for variant in (prefix, prefix.capitalize())
        ]
        super().__init__(F("document"), F("language"), F("sections"), headline, *prefixes)

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        (document, _), (language, lp), (sections, sp), (headline, hp) = compiled[:4]
        # LEAST skips NULLs: the first occurrence of any of the words, NULL if none.
        found = ", ".join(f"NULLIF(STRPOS({document}, {sql}), 0)" for sql, _ in compiled[4:])
        words = [param for _sql, params in compiled[4:] for param in params]
        # Compiled expressions only; the query's words travel in the parameters.
        sql = (
            f"(SELECT JSONB_BUILD_OBJECT('language', {language}, 'sections', {sections},"  # noqa: S608
            f" 'headline', {headline}, 'window', w.passage, 'start', w.passage_start)"
            f" FROM (SELECT SUBSTR({document}, s.passage_start,"
            f" CASE WHEN s.found_at > 0 THEN {WINDOW} ELSE 2147483647 END) AS passage,"
            f" s.passage_start FROM (SELECT a.found_at, CASE WHEN a.found_at > 0"
            f" THEN GREATEST(a.found_at - {WINDOW // 3}, 1) ELSE 1 END AS passage_start"
            f" FROM (SELECT COALESCE(LEAST({found}), 0) AS found_at) a) s) w)"
        )
        return sql, (*lp, *sp, *hp, *words)


def _preferred() -> Case:
    """Sort key putting the reader's language first."""
    return Case(When(language=get_language(), then=Value(0)), default=Value(1))


def _hit_subquery(documents: QuerySet, *, hit: Expression | None = None) -> Subquery:
    """The first of `documents`' hits (`hit`, or on SQLite the whole document) as JSON."""
    if hit is None:
        # SQLite: JSONObject would first probe the database for JSON support (three more
        # queries on a fresh connection), and would nest the JSON column as a string.
        hit = Func(
            Value("language"),
            F("language"),
            Value("document"),
            F("document"),
            Value("sections"),
            Func(F("sections"), function="JSON"),
            function="JSON_OBJECT",
            output_field=JSONField(),
        )
    return Subquery(documents.annotate(hit=hit).values("hit")[:1], output_field=JSONField())


# --- Hits: snippet and anchor ------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """Why a row matched: an escaped snippet with <mark>s, and the page anchor it links to."""

    snippet: SafeString
    anchor: str
    language: str

    @classmethod
    def of(cls, row: Publication, text: str) -> "Hit | None":
        """The hit of a row annotated by `matching(..., hits=True)`; None for a name-only match."""
        hit = getattr(row, "search_hit", None)
        if not hit:
            return None
        if "headline" in hit:  # PostgreSQL: a fragment of the window that starts at `start`
            fragment, text_read, offset = hit["headline"], hit["window"], hit["start"] - 1
        else:
            fragment, text_read, offset = (
                _fragment(hit["document"], parse(text)),
                hit["document"],
                0,
            )
        anchor = _anchor(text_read, offset, fragment, hit["sections"])
        if anchor is None:
            return None
        return cls(snippet=_render(fragment), anchor=anchor, language=hit["language"])


def _render(fragment: str) -> SafeString:
    """Escape the fragment, then turn the markers (which escaping leaves alone) into <mark>."""
    html = escape(fragment).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 -- every character of user text was escaped above


def _anchor(text: str, offset: int, fragment: str, sections: list) -> str | None:
    """The anchor of the section holding the fragment's first highlighted word.

    `text` is the part of the document the fragment came from, `offset` where it starts.

    None when nothing is highlighted or the match is the government's name
    (which the result already shows), so the row gets no snippet. "" when the
    fragment cannot be placed: the snippet then links to the top of the profile.
    """
    marked = fragment.find(START)
    if marked < 0:
        return None
    start = text.find(fragment.replace(START, "").replace(STOP, ""))
    if start < 0:
        return ""
    offset += start + len(fragment[:marked].replace(STOP, ""))
    position = bisect_right([section[0] for section in sections], offset) - 1
    anchor = sections[position][1] if position >= 0 else ""
    return anchor or None


def _fragment(document: str, groups: list[tuple[list[str], list[str]]]) -> str:
    """A `ts_headline`-like fragment for SQLite: the first match in context, within its part."""
    terms = sorted({term for required, _excluded in groups for term in required}, key=len)
    if not terms:
        return ""
    pattern = re.compile("|".join(re.escape(term) for term in reversed(terms)), re.IGNORECASE)
    first = pattern.search(document)
    if first is None:
        return ""
    previous = document.rfind(SEPARATOR, 0, first.start())
    part_start = 0 if previous < 0 else previous + len(SEPARATOR)
    part_end = document.find(SEPARATOR, first.end())
    part_end = len(document) if part_end < 0 else part_end
    begin = max(part_start, first.start() - CONTEXT)
    end = min(part_end, first.end() + CONTEXT)
    if begin > part_start:  # start and end on whole words
        begin = document.find(" ", begin, first.start()) + 1 or begin
    if end < part_end:
        end = document.rfind(" ", first.end(), end) if " " in document[first.end() : end] else end
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", document[begin:end])
