"""Public reads. Everything here starts from `Publication.objects.live()`."""

from django.db.models import Count, QuerySet
from django.http import Http404

from indicators.models import Framework
from profiles.models import Government, Publication


def live_publications() -> QuerySet[Publication]:
    """Publications the public may see, with their government loaded."""
    return Publication.objects.live().select_related("government", "framework")


def latest_publications() -> QuerySet[Publication]:
    """The newest live publication of each government."""
    return Publication.objects.latest_per_government().select_related("government", "framework")


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


def frameworks_overview() -> QuerySet[Framework]:
    """Frameworks with their dimensions and indicator counts, for the home page."""
    return Framework.objects.prefetch_related("dimensions").annotate(
        indicator_count=Count("indicators")
    )


def published_governments() -> QuerySet[Government]:
    """Governments with at least one live publication."""
    return Government.objects.with_live_publication().order_by("level", "slug")
