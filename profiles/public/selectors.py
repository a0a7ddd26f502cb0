"""Public reads. Everything here starts from `Publication.objects.live()`.

Each selector issues a fixed number of queries whatever the number of
governments, indicators or answers, and list selectors defer the frozen
`content` (tens of kilobytes per publication) so a page of results does not
decode it. Lists are alphabetical in the reader's language: names of national
governments are country names, which django-countries translates, so each
government stores a folded sort name per language (`Government.sort_name_*`,
indexed) and lists order by the active language's column (`by_name()`).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django_countries import countries

from indicators.models import (
    Dimension,
    Framework,
    FrameworkStatus,
    GCMObjective,
    Indicator,
    Level,
    SDGDomain,
)
from profiles.models import (
    AnswerTally,
    AnswerValue,
    Government,
    NewestPublication,
    Publication,
    PublishedAnswer,
    PublishedFinding,
)
from profiles.models.governments import fold, sort_name_field
from profiles.public.pagination import COUNT_CAP
from profiles.publishing import lifecycle, tallies

LIST_DEFERRED = ("content", "timeline")


def live_publications() -> QuerySet[Publication]:
    """Publications the public may see, with their government loaded."""
    return Publication.objects.live().select_related("government", "framework")


def latest_publications() -> QuerySet[Publication]:
    """The newest live publication of each government."""
    return Publication.objects.latest_per_government().select_related("government", "framework")


def by_name(prefix: str = "government__") -> list[str]:
    """Ordering by government name in the active language (then slug, to be total).

    `prefix` leads from the rows to their government. The columns are indexed
    together (`government_sort_name_<language>_idx`).
    """
    return [f"{prefix}{sort_name_field()}", f"{prefix}slug"]


def live_rounds() -> QuerySet[Publication]:
    """The latest live version of each published round (government and year).

    This is what the profiles list shows: one row per profile a reader can open,
    ordered by government name, newest round first. `content` is deferred.
    """
    newer = Publication.objects.live().filter(
        government=OuterRef("government"), year=OuterRef("year"), version__gt=OuterRef("version")
    )
    rows = live_publications().filter(~Exists(newer)).defer(*LIST_DEFERRED)
    return rows.order_by(*by_name(), "-year")


def publication_for(
    *, slug: str, year: int | None = None, version: int | None = None
) -> Publication:
    """The live publication a profile URL names; 404 if there is none.

    No year: the government's latest. A year: that round's latest version. A year
    and version: exactly that version (a permalink).
    """
    publications = live_publications().filter(government__slug=slug)
    if year is not None:
        publications = publications.filter(year=year)
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.order_by("-year", "-version").first()
    if publication is None:
        raise Http404("No published profile here.")
    return publication


@dataclass
class ProfileFamily:
    """What a profile page needs beside the frozen content, from one query.

    `publication` is the one the URL names; `own` are all live publications of
    the same government (newest first); `related` are the latest live
    publications of its country's national government (for a local one) or of
    the country's local governments (for a national one).
    """

    publication: Publication
    own: list[Publication]
    related: list[Publication] = field(default_factory=list)

    @property
    def rounds(self) -> list[Publication]:
        """The latest version of each round of this government, newest first."""
        seen, result = set(), []
        for publication in self.own:
            if publication.year not in seen:
                seen.add(publication.year)
                result.append(publication)
        return result

    @property
    def versions(self) -> list[Publication]:
        """Every live version of the shown round, newest first."""
        return [p for p in self.own if p.year == self.publication.year]

    @property
    def latest(self) -> Publication:
        return self.own[0]

    @property
    def stamp(self) -> str:
        """Changes whenever anything the page shows besides the frozen content changes."""
        return ".".join(str(p.pk) for p in [*self.own, *self.related])


def profile_family(
    *, slug: str, year: int | None = None, version: int | None = None
) -> ProfileFamily:
    """The live publication a profile URL names with its siblings and relatives; one query.

    Raises Http404 when nothing live matches (embargoed, not yet rendered, unknown).
    """
    country = Government.objects.filter(slug=slug).values("country")[:1]
    rows = list(
        Publication.objects.live()
        .filter(government__country__in=country)
        .select_related("government", "framework")
        .defer(*LIST_DEFERRED)
        .order_by("government_id", "-year", "-version")
    )
    own = [p for p in rows if p.government.slug == slug]
    chosen = [
        p
        for p in own
        if (year is None or p.year == year) and (version is None or p.version == version)
    ]
    if not chosen:
        raise Http404("No published profile here.")
    publication = chosen[0]
    relatives = [p for p in rows if p.government.slug != slug]
    if publication.government.level == Level.LOCAL:
        relatives = [p for p in relatives if p.government.level == Level.NATIONAL]
    else:
        relatives = [p for p in relatives if p.government.level == Level.LOCAL]
    latest_related: dict[int, Publication] = {}
    for p in relatives:
        latest_related.setdefault(p.government_id, p)
    related = sorted(latest_related.values(), key=lambda p: p.government.display_name)
    return ProfileFamily(publication=publication, own=own, related=related)


def withdrawn_publication(
    *, slug: str, year: int | None = None, version: int | None = None
) -> Publication | None:
    """The once-public, withdrawn publication a URL names, if it names nothing live (a 410)."""
    rows = Publication.objects.withdrawn_after_release().filter(government__slug=slug)
    if year is not None:
        rows = rows.filter(year=year)
    if version is not None:
        rows = rows.filter(version=version)
    return rows.defer(*LIST_DEFERRED).order_by("-year", "-version").first()


def with_content(publication: Publication) -> Publication:
    """Reload one publication with its frozen content and sign-off (for rendering)."""
    return Publication.objects.select_related("government", "framework", "sign_off").get(
        pk=publication.pk
    )


@dataclass(frozen=True)
class AssessedCountry:
    """A country with live publications, and how many of its governments have one."""

    code: str
    name: str
    national: int
    local: int

    @property
    def governments(self) -> int:
        return self.national + self.local


def assessed_countries() -> list[AssessedCountry]:
    """Countries with a live publication, by name in the active language; two queries.

    The map's text list: one row per country however many local governments are
    assessed, each linking to the profiles list for its country. Counted from each
    government's recorded newest live publication (`NewestPublication`, one row per
    government, kept by publishing with the answer tallies): 2 ms at 10,000
    governments, where finding the governments with a live publication read
    30,000 publications (12 ms). While an ended embargo is not recorded yet, from
    the publications.
    """
    if tallies.is_current():
        governments = NewestPublication.objects.filter(publication__isnull=False)
    else:
        lifecycle.count_released()
        governments = Government.objects.with_live_publication()
    rows = (
        governments.order_by()
        .values_list("country")
        .annotate(
            national=Count("pk", filter=Q(level=Level.NATIONAL)),
            local=Count("pk", filter=Q(level=Level.LOCAL)),
        )
    )
    names = dict(countries)  # in the active language; one lookup each was 4 ms for 240
    named = [
        AssessedCountry(code, names.get(code, code), national, local)
        for code, national, local in rows
    ]
    return sorted(named, key=lambda country: fold(country.name))


def home_counts(assessed: list[AssessedCountry]) -> dict[str, int]:
    """How many national and local governments have a live publication (no query)."""
    return {
        "national": sum(country.national for country in assessed),
        "local": sum(country.local for country in assessed),
    }


def recent_publications(*, limit: int = 6) -> QuerySet[Publication]:
    """The most recently released live publications (one query).

    The newest are picked from publications alone and only they are joined to
    their government and framework: joining every live publication first, then
    sorting, cost three times as much at 30,000 publications.
    """
    newest = Publication.objects.live().order_by("-release_at", "-pk").values("pk")[:limit]
    return (
        live_publications()
        .filter(pk__in=newest)
        .defer(*LIST_DEFERRED)
        .order_by("-release_at", "-pk")
    )


def entry_dimensions() -> QuerySet[Dimension]:
    """The six dimensions of the newest active national framework (home entry points)."""
    framework = (
        Framework.objects.filter(status=FrameworkStatus.ACTIVE, level=Level.NATIONAL)
        .order_by("-year")
        .values("pk")[:1]
    )
    return Dimension.objects.filter(framework__in=framework).order_by("code")


def active_frameworks() -> QuerySet[Framework]:
    """Active frameworks with dimensions, areas and indicators loaded (four queries)."""
    indicators = Indicator.objects.current().order_by("position")
    return (
        Framework.objects.usable()
        .order_by("level", "-year")
        .prefetch_related(
            Prefetch("dimensions", queryset=Dimension.objects.order_by("code")),
            "dimensions__areas",
            Prefetch("dimensions__areas__indicators", queryset=indicators),
        )
    )


def frameworks_overview() -> QuerySet[Framework]:
    """Frameworks with their dimensions and indicator counts."""
    return Framework.objects.prefetch_related("dimensions").annotate(
        indicator_count=Count("indicators")
    )


def published_governments() -> QuerySet[Government]:
    """Governments with at least one live publication."""
    return Government.objects.with_live_publication().order_by("level", "slug")


def indicator_detail(*, framework_slug: str, code: str) -> Indicator:
    """One indicator with its place in the framework and its mappings; 404 if unknown."""
    indicator = (
        Indicator.objects.select_related("framework", "area__dimension", "equivalent__framework")
        .prefetch_related("gcm_objectives", "sdg_domains", "successors__framework")
        .filter(framework__slug=framework_slug, code=code)
        .first()
    )
    if indicator is None:
        raise Http404("No such indicator.")
    return indicator


def latest_live_ids() -> QuerySet[Publication]:
    """Primary keys of each government's newest live publication, as a set (for aggregates).

    On PostgreSQL one walk of `publication_latest_idx` keeping each government's
    first row (DISTINCT ON): 6 ms for 30,000 publications, where the anti-join of
    `latest_per_government` (the definition, and SQLite's way) took 25-30 ms. A
    list that walks rows in name order and stops after a page tests each row
    instead (`of_latest_live`): building the whole set first would cost more.
    """
    if connection.vendor != "postgresql":
        return Publication.objects.latest_per_government().values("pk")
    newest_first = Publication.objects.live().order_by("government_id", "-year", "-version")
    return newest_first.distinct("government_id").values("pk")


def of_latest_live() -> Q:
    """Rows (answers, findings) of their government's newest live publication, for walked lists.

    The definition (`latest_per_government`: no newer live publication), which a list
    walked in name order tests row by row, stopping after the page. The DISTINCT ON
    set of `latest_live_ids` would be built whole first; a per-row "is the newest" probe
    is estimated so poorly that the planner read all 30,000 answers of an indicator
    before the first row (100 ms against 1.5).
    """
    return Q(publication__in=Publication.objects.latest_per_government().values("pk"))


def filter_by_place(queryset: QuerySet, *, region: str = "", level: str = "", prefix: str = ""):
    """Restrict rows to a UN M49 region or sub-region and a government level."""
    from profiles import regions

    if region:
        queryset = queryset.filter(**{f"{prefix}country__in": regions.countries_in(region)})
    if level:
        queryset = queryset.filter(**{f"{prefix}level": level})
    return queryset


def answer_distribution(
    indicator: Indicator, *, region: str = "", level: str = ""
) -> tuple[list[tuple[str, str, int]], QuerySet[PublishedAnswer]]:
    """How the latest live profiles answered `indicator`: counts per value, and the rows.

    Counts come from the answer tallies, or from the answers themselves while an
    embargo that ended is not counted there yet (`_tallied`); rows are ordered by
    government name, never by answer, so the list cannot read as a league table.
    """
    answers = PublishedAnswer.objects.filter(indicator=indicator)
    answers = filter_by_place(
        answers, region=region, level=level, prefix="publication__government__"
    )
    counts = _tallied(indicator, region=region, level=level)
    if counts is None:  # an embargo has ended since the tallies counted: count the answers
        lifecycle.count_released()
        counts = _count_values_of_latest(answers)
    distribution = [
        (value, str(label), counts.get(value, 0))
        for value, label in AnswerValue.choices
        if counts.get(value, 0) or value != AnswerValue.NOT_APPLICABLE
    ]
    rows = answers.filter(of_latest_live()).select_related("publication__government")
    rows = rows.only(
        "value",
        "publication__year",
        "publication__version",
        "publication__government__slug",
        "publication__government__name",
        "publication__government__country",
        "publication__government__level",
    ).order_by(*by_name("publication__government__"))
    return distribution, rows


def _tallied(indicator: Indicator, *, region: str, level: str) -> Counter[str] | None:
    """`answer_distribution`'s counts from the answer tallies (`profiles.models.tallies`).

    A sum over a few rows per country, where counting the answers joins 30,000
    answers with every government's newest publication (15 ms at 10,000 governments).
    None while a publication released since the tallies counted is not counted yet.
    """
    if not tallies.is_current():
        return None
    rows = filter_by_place(
        AnswerTally.objects.filter(indicator=indicator), region=region, level=level
    )
    sums = rows.order_by().values("value").annotate(total=Sum("count"))
    return Counter({row["value"]: row["total"] for row in sums})


def _count_values_of_latest(answers: QuerySet[PublishedAnswer]) -> Counter[str]:
    """How many of `answers` from each government's newest live publication have each value.

    A join with the set of newest publications, which PostgreSQL hashes against the
    indicator's answers read from `answer_indicator_idx` alone (15 ms at 10,000
    governments). The ORM can only say `publication__in=`, a semi-join whose size the
    planner cannot estimate: it chose 10,000 index probes instead (57 ms).
    """
    rows_sql, rows_params = (
        answers.order_by()
        .values(answer_value=F("value"), answer_publication=F("publication_id"))
        .query.sql_with_params()
    )
    latest_sql, latest_params = latest_live_ids().values(latest_id=F("pk")).query.sql_with_params()
    sql = (
        f"SELECT a.answer_value, COUNT(*) FROM ({rows_sql}) a"  # noqa: S608 -- compiled querysets
        f" JOIN ({latest_sql}) l ON l.latest_id = a.answer_publication GROUP BY a.answer_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *latest_params])
        return Counter(dict(cursor.fetchall()))


def good_practices(
    *, dimension: int | None = None, region: str = "", level: str = ""
) -> tuple[QuerySet[PublishedFinding], int]:
    """Good-practice findings of each government's latest live publication, by government name,
    and how many there are (up to `COUNT_CAP + 1`, as `CappedPaginator` counts).

    Government first, then dimension: the database walks governments in name order
    and stops after a page, where ordering by dimension first sorted every good
    practice of every latest profile (85 ms at 10,000 governments, 36,000 examples).
    """
    findings = PublishedFinding.objects.filter(is_good_practice=True)
    if dimension:
        findings = findings.filter(dimension_code=dimension)
    findings = filter_by_place(
        findings, region=region, level=level, prefix="publication__government__"
    )
    # Counted against the set of newest publications (found once, DISTINCT ON); the page
    # walks governments by name and tests each row, stopping after the page.
    count = findings.filter(publication__in=latest_live_ids()).order_by()[: COUNT_CAP + 1].count()
    rows = findings.filter(of_latest_live()).select_related("publication__government")
    rows = rows.defer("publication__content", "publication__timeline").annotate(
        original_language=F("publication__original_language")
    )
    return rows.order_by(*by_name("publication__government__"), "dimension_code", "position"), count


def _active_indicators() -> Prefetch:
    """The active frameworks' current indicators, for a mapping's `indicators` relation."""
    indicators = (
        Indicator.objects.current()
        .filter(framework__status=FrameworkStatus.ACTIVE)
        .select_related("framework", "area__dimension")
        .order_by("framework__level", "-framework__year", "area__dimension__code", "code")
    )
    return Prefetch("indicators", queryset=indicators)


def gcm_objectives() -> QuerySet[GCMObjective]:
    """The 23 GCM objectives with the active frameworks' indicators mapped to each."""
    return GCMObjective.objects.prefetch_related(_active_indicators())


def sdg_domains() -> QuerySet[SDGDomain]:
    """The SDG 10.7.2 domains with the active frameworks' indicators mapped to each."""
    return SDGDomain.objects.prefetch_related(_active_indicators())
