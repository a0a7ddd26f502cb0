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
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
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
#: Characters of the document that PostgreSQL's headline reads (see `_FullText.hit`).
WINDOW = 600
#: Beyond this many matching documents, results are not ranked (see `search`).
RANKED_AT_MOST = 500
#: At most this many of the query's words are looked for to place the headline's window.
WINDOW_WORDS = 3


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


# --- Queries ---------------------------------------------------------------------------------

DOCUMENTS = PublicationSearch._meta.db_table


class _Documents(Expression):
    """SQL over one publication's search documents (alias `d`), correlated by its primary key.

    The PostgreSQL side of a search is written as SQL text rather than built from
    ORM expressions: with a condition per language in three places, Django took
    8-13 ms to resolve and compile the page's query, more than PostgreSQL took to
    run it. The text names the publication as `{publication}`, which becomes the
    compiled primary key, so the expression still follows Django's table aliases.
    """

    def __init__(self, sql: str, params: tuple, output_field):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, tuple(params)
        self.publication = F("pk")

    def get_source_expressions(self):
        return [self.publication]

    def set_source_expressions(self, exprs):
        (self.publication,) = exprs

    def as_sql(self, compiler, connection, **extra_context):
        # A column compiles to its name, without parameters of its own.
        publication, _params = compiler.compile(self.publication)
        return self.sql.replace("{publication}", publication), self.params


@dataclass(frozen=True)
class _FullText:
    """A query's SQL for PostgreSQL: matching, ranking and the hit of a document `d`.

    One condition per language, each with a constant `tsquery` and the language's
    configuration, so each can use that language's GIN index.
    """

    text: str

    @property
    def languages(self) -> list[str]:
        return [language for language, _name in settings.LANGUAGES]

    def match(self) -> tuple[str, list]:
        """Whether document `d` matches the query, in its own language's configuration."""
        conditions, params = [], []
        for language in self.languages:
            conditions.append(
                "(d.language = %s AND d.vector @@ websearch_to_tsquery(%s::regconfig, %s))"
            )
            params += [language, config_for(language), self.text]
        return f"({' OR '.join(conditions)})", params

    def exists(self, *, per_row: bool) -> _Documents:
        """Whether the publication has a matching document.

        `per_row`: inside a CASE the EXISTS stays a test of each row as the list
        walks its own index; bare, PostgreSQL may turn it into a join that first
        reads every match through the GIN indexes (cheap only when few match).
        """
        match, params = self.match()
        sql = (
            f"EXISTS (SELECT 1 FROM {DOCUMENTS} d"  # noqa: S608 -- the query's words are parameters
            f" WHERE d.publication_id = {{publication}} AND {match})"
        )
        if per_row:
            sql = f"CASE WHEN {sql} THEN true ELSE false END"
        return _Documents(sql, params, BooleanField())

    def best_rank(self) -> _Documents:
        """The rank of the publication's best matching document."""
        match, params = self.match()
        ranks, rank_params = [], []
        for language in self.languages:
            ranks.append("WHEN %s THEN ts_rank(d.vector, websearch_to_tsquery(%s::regconfig, %s))")
            rank_params += [language, config_for(language), self.text]
        sql = (
            f"(SELECT MAX(CASE d.language {' '.join(ranks)} END) FROM {DOCUMENTS} d"  # noqa: S608
            f" WHERE d.publication_id = {{publication}} AND {match})"
        )
        return _Documents(sql, [*rank_params, *params], FloatField())

    def broad(self) -> _Documents:
        """Whether more than `RANKED_AT_MOST` documents match (uncorrelated: evaluated once)."""
        match, params = self.match()
        sql = f"EXISTS (SELECT 1 FROM {DOCUMENTS} d WHERE {match} OFFSET %s LIMIT 1)"  # noqa: S608
        return _Documents(sql, [*params, RANKED_AT_MOST], BooleanField())

    def highlighted(self, language: str) -> tuple[str, list]:
        """What a headline in `language` marks: any of the query's wanted words or phrases.

        The headline reads a window of the document (`hit`), which may hold one of
        the words and not the others; highlighting with the whole query would then
        mark nothing. A query of exclusions only highlights with itself.
        """
        config = config_for(language)
        terms = [term for required, _excluded in parse(self.text) for term in required]
        if not terms:
            return "websearch_to_tsquery(%s::regconfig, %s)", [config, self.text]
        sql = " || ".join("phraseto_tsquery(%s::regconfig, %s)" for _term in terms)
        return f"({sql})", [value for term in terms for value in (config, term)]

    def window_words(self) -> list[str]:
        """Up to `WINDOW_WORDS` words that place the headline's window, lower case and capitalised.

        Each without its last letters, so `migrants` finds `migrant`.
        """
        words: list[str] = []
        for required, _excluded in parse(self.text):
            for term in required:
                word = term.split()[0].lower()
                prefix = word[: max(4, len(word) - 2)]
                if prefix not in words:
                    words.append(prefix)
        return [
            variant
            for prefix in words[:WINDOW_WORDS] or [" "]
            for variant in (prefix, prefix.capitalize())
        ]

    def hit(self, reader_language: str) -> _Documents:
        """The publication's hit as JSON: its best document's language, sections and headline.

        The reader's language first; between others the order is only made stable
        (ranking each document here would cost ~0.2 ms a row for a rare choice).

        `ts_headline` parses all the text it is given: about 12 ms for a 36 kB
        document, 0.2 ms for the ~`WINDOW` characters around the first occurrence of
        one of the query's words. Occurrences are found by `strpos`, a plain
        substring search (`window_words`); for `a OR b`, a document holding only `b`
        is placed by `b`. Such an occurrence is nearly always a match; when none is
        found (a stem or an accent differs) the headline reads the whole document.
        Each mention of the document in SQL unpacks all of it again (~0.1 ms for 36
        kB), so it is unpacked once (`|| ''`) and each step is its own select, fenced
        with OFFSET 0, or PostgreSQL folds the selects back into one expression that
        names the document once per use.
        """
        match, match_params = self.match()
        headlines, headline_params = [], []
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15"
        for language in self.languages:
            query, query_params = self.highlighted(language)
            headlines.append(f"WHEN %s THEN ts_headline(%s::regconfig, w.passage, {query}, %s)")
            headline_params += [language, config_for(language), *query_params, options]
        words = self.window_words()
        found = ", ".join("NULLIF(STRPOS(s.doc, %s), 0)" for _word in words)
        sql = (
            f"(SELECT JSONB_BUILD_OBJECT('language', w.language, 'sections', w.sections,"  # noqa: S608
            f" 'headline', CASE w.language {' '.join(headlines)} END,"
            f" 'window', w.passage, 'start', w.passage_start)"
            f" FROM (SELECT p.language, p.sections, p.passage_start,"
            f" SUBSTR(p.doc, p.passage_start, p.passage_length) AS passage"
            f" FROM (SELECT f.language, f.sections, f.doc,"
            f" CASE WHEN f.found_at > 0 THEN GREATEST(f.found_at - {WINDOW // 3}, 1) ELSE 1 END"
            f" AS passage_start,"
            f" CASE WHEN f.found_at > 0 THEN {WINDOW} ELSE 2147483647 END AS passage_length"
            f" FROM (SELECT s.language, s.sections, s.doc, COALESCE(LEAST({found}), 0) AS found_at"
            f" FROM (SELECT d.language, d.sections, d.document || '' AS doc"
            f" FROM {DOCUMENTS} d WHERE d.publication_id = {{publication}} AND {match}"
            f" ORDER BY d.language = %s DESC, d.language LIMIT 1) s"
            f" OFFSET 0) f OFFSET 0) p OFFSET 0) w)"
        )
        params = [*headline_params, *words, *match_params, reader_language]
        return _Documents(sql, params, JSONField())

    def count(self, rows: QuerySet[Publication], *, cap: int) -> int:
        """How many of `rows` match, exact up to `cap` and `cap + 1` beyond, reading ~cap matches.

        A join, not EXISTS: the rows stream from the GIN indexes' matches and the
        LIMIT stops them, where the semi-join would first collect and de-duplicate
        every match (about 30 ms for a word in every document). A publication
        matches in at most one document per language, so the join reads `5 x (cap + 1) / 4`
        rows first (enough while at most one in four matching profiles also matches in a
        second language; `2 x (cap + 1)` cost 1.5 ms more at 10,000 governments), and
        `(cap + 1) x languages` only when those rows were too few distinct publications.
        """
        rows_sql, rows_params = rows.order_by().values("pk").query.sql_with_params()
        match, match_params = self.match()
        sql = (
            f"SELECT COUNT(*), COUNT(DISTINCT x.id) FROM (SELECT r.id FROM ({rows_sql}) r (id)"  # noqa: S608
            f" JOIN {DOCUMENTS} d ON d.publication_id = r.id WHERE {match} LIMIT %s) x"
        )
        with connection.cursor() as cursor:
            for limit in (5 * (cap + 1) // 4, (cap + 1) * len(self.languages)):
                cursor.execute(sql, [*rows_params, *match_params, limit])
                read, found = cursor.fetchone()
                if read < limit or found > cap:
                    break
        return min(found, cap + 1)


def results(rows: QuerySet[Publication], text: str, *, per_page: int) -> CappedPaginator:
    """`rows` that match `text`, paginated: best first when few match, else in their own order.

    The count comes first (`_FullText.count`) and decides the page's query: up to
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
    count = _FullText(normalise(text)).count(rows, cap=RANKED_AT_MOST)
    if count <= RANKED_AT_MOST:
        page_rows = ranked(matching(rows, text, hits=True), text)
    else:
        page_rows = matching(rows, text, hits=True, walk=True)
    return CappedPaginator(page_rows, per_page, cap=RANKED_AT_MOST, count=count)


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
    if not uses_full_text():
        documents = PublicationSearch.objects.filter(
            _substring_match(text), publication=OuterRef("pk")
        )
        rows = queryset.filter(Exists(documents))
        if hits:
            rows = rows.annotate(search_hit=_hit_subquery(documents.order_by(_preferred())))
        return rows
    query = _FullText(normalise(text))
    rows = queryset.filter(query.exists(per_row=walk))
    if hits:
        rows = rows.annotate(search_hit=query.hit(get_language() or settings.LANGUAGE_CODE))
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
    rank = _FullText(normalise(text)).best_rank()
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
    query = _FullText(normalise(text))
    rows = rows.annotate(
        search_rank=Case(When(query.broad(), then=Value(0.0)), default=query.best_rank())
    )
    return rows.order_by(F("search_rank").desc(nulls_last=True), *queryset.query.order_by)


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
