"""Public views: parse the URL, call a selector, render. Drafts are never read here.

Query counts per page are pinned in tests/profiles/public/test_views.py and do not
grow with the number of governments, indicators or answers.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from indicators.models import Level
from profiles import content as profile_content
from profiles.models import AnswerValue, FileKind, PublicationFile
from profiles.outputs import document, pages
from profiles.public import comparisons, search, selectors, serving
from profiles.public.caching import cache_public_page, per_government
from profiles.public.filters import GoodPracticeForm, PlaceForm, ProfileFilter
from profiles.public.pagination import CappedPaginator

PAGE_SIZE = 25
# Bump when the profile page's chrome changes, so cached pages are not reused.
PROFILE_PAGE_FORMAT = 1
PROFILE_MAX_AGE = 5 * 60


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


@require_safe
@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    """What the MGI is, how many governments have profiles, latest ones, map, dimensions.

    The map's text list names countries (at most one row each, with their number of
    assessed governments), so the page does not grow with local governments.
    """
    countries = selectors.assessed_countries()
    return render(
        request,
        "profiles/home.html",
        {
            "counts": selectors.home_counts(countries),
            "recent": selectors.recent_publications(),
            "countries": countries,
            "world_map": pages.world_map([c.code for c in countries], label_id="map-caption"),
            "dimensions": selectors.entry_dimensions(),
        },
    )


@require_safe
@cache_public_page
def profile_list(request: HttpRequest) -> HttpResponse:
    """Published profiles with filters and search in the query string, 25 per page.

    The count stops at `COUNT_CAP` (see profiles/public/pagination.py), so the first
    pages cost the same at any size. A search's matches are ranked only when that
    count found few (`search.results`); a broad word keeps the alphabetical order,
    which the database reads from an index without collecting every match.
    """
    filterset = ProfileFilter(request.GET or None, queryset=selectors.live_rounds())
    valid = filterset.is_bound and filterset.is_valid()
    rows = filterset.qs if valid else filterset.queryset
    if filterset.is_bound and not valid:
        rows = rows.none()
    text = filterset.form.cleaned_data.get("q") if valid else ""
    paginator = search.results(rows, text or "", per_page=PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "profiles/profile_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


# --- Profile pages -----------------------------------------------------------------


def _download_url(row: PublicationFile, publication) -> str:
    kwargs = {
        "slug": publication.government.slug,
        "year": publication.year,
        "version": publication.version,
    }
    if row.kind == FileKind.PDF:
        return reverse("profiles:pdf", kwargs={**kwargs, "language": row.language})
    # Stored files are never linked by their storage URL: that would skip the
    # liveness check (embargo, withdrawal) that these views make.
    return reverse(f"profiles:version_{row.kind}", kwargs=kwargs)


def _downloads(files: list[PublicationFile], publication, language: str) -> list[dict]:
    """Links to the PDF (per language) and the data files that exist for this version."""
    result = []
    for kind, label in (
        (FileKind.PDF, "PDF"),
        (FileKind.CSV, "CSV"),
        (FileKind.JSON, "JSON"),
        (FileKind.ZIP, FileKind.ZIP.label),  # CSV files with datapackage.json
    ):
        rows = sorted(
            (f for f in files if f.kind == kind),
            key=lambda f: (f.language != language, f.language != "en", f.language),
        )
        if kind != FileKind.PDF:
            rows = rows[:1]
        for row in rows:
            info = translation.get_language_info(row.language)
            result.append(
                {
                    "kind": kind,
                    "label": label,
                    "url": _download_url(row, publication),
                    "size": row.size,
                    "language": row.language,
                    "language_name": info["name_translated"],
                    "language_local": info["name_local"],
                    "per_language": kind == FileKind.PDF,
                }
            )
    return result


def _render_profile_page(
    request: HttpRequest, family, files: list[PublicationFile], *, permalink: bool
) -> str:
    """The whole profile page: the body stored at publication inside the site chrome."""
    language = _language()
    publication = selectors.with_content(family.publication)
    body = pages.stored_body(publication, files, language)
    content, _complete = profile_content.localized(publication.content, language)
    downloads = _downloads(files, publication, language)
    later = family.latest if family.latest.pk != publication.pk else None
    context = {
        "publication": publication,
        "family": family,
        "body": body,
        "title": document.profile_title(content),
        "description": (content.get("summary") or content.get("introduction") or "")[:300],
        "downloads": downloads,
        "newer": later,
        "permalink": permalink,
        "canonical": pages.absolute(publication.get_absolute_url())
        if permalink
        else pages.absolute(request.path),
        "json_ld": pages.dataset_json_ld(
            publication, content, [{**d, "url": pages.absolute(d["url"])} for d in downloads]
        ),
        "other_rounds": [p for p in family.rounds if p.year != publication.year],
        "other_versions": [p for p in family.versions if p.pk != publication.pk],
        "can_compare_rounds": len(family.rounds) > 1,
        "is_local": publication.government.level == Level.LOCAL,
        "language_switcher_path": request.path,
    }
    return render_to_string("profiles/profile_page.html", context, request=request)


def _profile(
    request: HttpRequest, *, slug: str, year: int | None = None, version: int | None = None
) -> HttpResponse:
    """Serve a profile page: 304 by ETag, 410 if withdrawn, 404 if not public.

    Anonymous responses are cached whole by `cache_public_page`, the one page cache
    (see profiles/public/caching.py); this renders only on a miss or for signed-in users.
    """
    try:
        family = selectors.profile_family(slug=slug, year=year, version=version)
    except Http404:
        withdrawn = selectors.withdrawn_publication(slug=slug, year=year, version=version)
        if withdrawn is None:
            raise
        return render(request, "profiles/withdrawn.html", {"publication": withdrawn}, status=410)
    permalink = version is not None
    publication = family.publication
    language = _language()
    # The stored files are part of the validator: `rerender --pages` replaces the
    # body (and `--pdfs` the download sizes) without changing the publication, and
    # a client holding the old page must get the new one, not a 304.
    files = list(PublicationFile.objects.filter(publication=publication).order_by("pk"))
    etag = serving.etag_for(
        PROFILE_PAGE_FORMAT,
        publication.pk,
        publication.content_hash,
        language,
        family.stamp,
        request.path,
        *(f"{f.kind}:{f.language}:{f.sha256}" for f in files),
    )
    last_modified = max(p.ready_at for p in [*family.own, *family.related])
    headers = {"ETag": etag, "Last-Modified": http_date(last_modified.timestamp())}
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if response is None:
        response = HttpResponse(_render_profile_page(request, family, files, permalink=permalink))
    for name, value in headers.items():
        response[name] = value
    if permalink:
        serving.public_cache_control(response, max_age=serving.PUBLISHED_MAX_AGE, immutable=True)
    else:
        serving.public_cache_control(response, max_age=PROFILE_MAX_AGE)
    return response


@require_safe
@cache_public_page(scope=per_government)
def government(request: HttpRequest, slug: str) -> HttpResponse:
    return _profile(request, slug=slug)


@require_safe
@cache_public_page(scope=per_government)
def round_(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _profile(request, slug=slug, year=year)


@require_safe
@cache_public_page(scope=per_government)
def version(request: HttpRequest, slug: str, year: int, version: int) -> HttpResponse:
    return _profile(request, slug=slug, year=year, version=version)


# --- Comparisons -------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_safe
@cache_public_page(scope=per_government)
def compare_rounds(request: HttpRequest, slug: str) -> HttpResponse:
    """Two rounds of one government, indicator by indicator, and the progress recorded."""
    comparison = comparisons.compare_rounds(
        slug=slug,
        earlier=_int_or_none(request.GET.get("from")),
        later=_int_or_none(request.GET.get("to")),
        language=_language(),
        earlier_given=bool(request.GET.get("from")),
    )
    return render(
        request,
        "profiles/compare_rounds.html",
        {
            "rounds": comparison.rounds,
            "older": comparison.older,
            "newer": comparison.newer,
            "government_name": comparison.newer.government.display_name,
            "dimensions": comparison.dimensions,
            "follow_ups": comparison.follow_ups,
        },
    )


@require_safe
@cache_public_page(scope=per_government)
def compare_national(request: HttpRequest, slug: str) -> HttpResponse:
    """A local government's latest profile beside its country's national profile."""
    local, national = comparisons.national_counterpart(slug=slug)
    language = _language()
    local_content, _c = profile_content.localized(local.content, language)
    national_content = None
    if national is not None:
        national_content, _c = profile_content.localized(national.content, language)
    national_dims = {d["code"]: d for d in national_content["dimensions"]} if national else {}
    dimensions = []
    for dimension in local_content["dimensions"]:
        other = national_dims.get(dimension["code"])
        dimensions.append(
            {
                "dimension": dimension,
                "local": _split_findings(dimension, local.content, language),
                "national": _split_findings(other, national.content, language) if other else None,
            }
        )
    return render(
        request,
        "profiles/compare_national.html",
        {"local": local, "national": national, "dimensions": dimensions},
    )


def _split_findings(dimension: dict, original: dict, language: str) -> dict[str, list[dict]]:
    """A dimension's findings by kind, each with `lang`: its text's language if not the page's.

    `original` is the publication's frozen content: a finding with no translation into
    `language` is shown in the original language, and marked so (with its direction).
    """
    findings = [
        {**f, "lang": profile_content.shown_language(original, language, f"finding:{f['id']}")}
        for f in dimension["findings"]
    ]
    return {
        "well_developed": [f for f in findings if f["kind"] == "well_developed"],
        "potential": [f for f in findings if f["kind"] == "potential"],
    }


# --- Indicators ---------------------------------------------------------------------


@require_safe
@cache_public_page
def indicators(request: HttpRequest) -> HttpResponse:
    """The active frameworks by dimension and area."""
    return render(
        request, "profiles/indicators.html", {"frameworks": selectors.active_frameworks()}
    )


@require_safe
@cache_public_page
def indicator_detail(request: HttpRequest, framework: str, code: str) -> HttpResponse:
    """One indicator: its mappings and how the latest published profiles answered it.

    The governments' answers are listed alphabetically, 25 a page, so the page does
    not grow with the number of governments.
    """
    indicator = selectors.indicator_detail(framework_slug=framework, code=code)
    form = PlaceForm(request.GET or None)
    distribution, rows = selectors.answer_distribution(indicator, **form.place())
    # The distribution's counts are the number of rows: the list is paged without a COUNT.
    total = sum(count for _v, _label, count in distribution)
    paginator = CappedPaginator(rows, PAGE_SIZE, cap=total, count=total)
    chart = pages.bar_rows([(label, count, str(count)) for _v, label, count in distribution])
    return render(
        request,
        "profiles/indicator_detail.html",
        {
            "indicator": indicator,
            "form": form,
            "chart": chart,
            "total": total,
            "page_obj": paginator.get_page(request.GET.get("page")),
            "labels": dict(AnswerValue.choices),
        },
    )


@require_safe
@cache_public_page
def gcm_objectives(request: HttpRequest) -> HttpResponse:
    """Indicators of the active frameworks by Global Compact for Migration objective."""
    return render(request, "profiles/gcm.html", {"objectives": selectors.gcm_objectives()})


@require_safe
@cache_public_page
def sdg_domains(request: HttpRequest) -> HttpResponse:
    """Indicators of the active frameworks by SDG indicator 10.7.2 domain."""
    return render(request, "profiles/sdg.html", {"domains": selectors.sdg_domains()})


@require_safe
@cache_public_page
def good_practices(request: HttpRequest) -> HttpResponse:
    """Good-practice examples across the latest published profiles, filterable."""
    form = GoodPracticeForm(request.GET or None)
    dimensions = list(selectors.entry_dimensions())
    form.set_dimension_names({d.code: d.localized("short_name", _language()) for d in dimensions})
    dimension = form.cleaned_data.get("dimension") if form.is_valid() else None
    rows, count = selectors.good_practices(dimension=dimension, **form.place())
    page = CappedPaginator(rows, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    return render(
        request,
        "profiles/good_practices.html",
        {
            "form": form,
            "page_obj": page,
            "dimension_names": {d.code: d for d in dimensions},
        },
    )


@require_safe
@cache_public_page
def about(request: HttpRequest) -> HttpResponse:
    """What the MGI is and how profiles are made (static text)."""
    return render(request, "profiles/about.html")


@require_safe
@cache_public_page
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the standard we aim for, known limits and whom to tell."""
    return render(request, "profiles/accessibility.html")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read every public page; the admin is not for them."""
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.MGI_ADMIN_PATH}",
        "Disallow: /i18n/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database and the cache answer, 503 otherwise."""
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        checks["database"] = "down"
    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            checks["cache"] = "down"
    except Exception:
        checks["cache"] = "down"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
