"""Public views: parse the URL, call a selector, render. Drafts are never read here."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from profiles import selectors


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "profiles/home.html",
        {
            "frameworks": selectors.frameworks_overview(),
            "publications": selectors.latest_publications().order_by("government__slug"),
        },
    )


def _profile(request: HttpRequest, publication) -> HttpResponse:
    return render(
        request,
        "profiles/publication_detail.html",
        {"publication": publication, "content": publication.content},
    )


@require_safe
def government(request: HttpRequest, slug: str) -> HttpResponse:
    return _profile(request, selectors.publication_for(slug=slug))


@require_safe
def round_(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _profile(request, selectors.publication_for(slug=slug, year=year))


@require_safe
def version(request: HttpRequest, slug: str, year: int, version: int) -> HttpResponse:
    return _profile(request, selectors.publication_for(slug=slug, year=year, version=version))


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
