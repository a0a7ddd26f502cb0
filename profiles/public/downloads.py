"""Data downloads: a profile's CSV/JSON and the whole open dataset, served as stored files.

Nothing is rendered here: per-publication files were rendered at publication and
the dataset by `profiles.outputs.opendata`. A request costs one query (or none) plus
sending the file through `serving.serve()`, the one file server (ETag from the stored
SHA-256, 304, caching headers, X-Accel-Redirect when deployed behind nginx).
"""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from profiles.models import FileKind, Publication, PublicationFile
from profiles.outputs import exports, opendata
from profiles.outputs.pdf import PDF_LANGUAGES
from profiles.public import selectors, serving
from profiles.publishing import lifecycle

# The dataset changes with every publication: clients revalidate (by ETag) after this.
DATASET_MAX_AGE = 5 * 60

CONTENT_TYPES = {
    FileKind.CSV: "text/csv; charset=utf-8",
    FileKind.JSON: "application/json",
    FileKind.ZIP: "application/zip",
}


@require_safe
def publication_data(
    request: HttpRequest, slug: str, year: int, version: int, kind: str
) -> HttpResponse:
    """A live publication's CSV, JSON or data package, as rendered at publication. One query."""
    live = Publication.objects.live().filter(government__slug=slug, year=year, version=version)
    stored = (
        PublicationFile.objects.filter(publication__in=live, kind=kind)
        .select_related("publication__government")
        .order_by("language")
        .first()
    )
    if stored is None:
        raise Http404("No published data here.")
    return serving.serve(
        request,
        serving.StoredFile(
            name=stored.file.name,
            sha256=stored.sha256,
            content_type=CONTENT_TYPES[kind],
            filename=exports.data_filename(stored.publication, kind),
            as_attachment=kind != FileKind.JSON,
        ),
    )


def api_rate_in_words(rate: str) -> str:
    """The API's throttle rate as a reader says it: "1000/hour" -> "1,000 requests an hour".

    `rate` is Django REST framework's notation (`<number>/<s|m|h|d...>`); the number
    is grouped as the active language groups it ("1 000" in French).
    """
    number, period = rate.split("/")
    count = int(number)
    grouped = number_format(count, force_grouping=True)
    unit = period[:1]
    if unit == "s":
        text = ngettext("%(number)s request a second", "%(number)s requests a second", count)
    elif unit == "m":
        text = ngettext("%(number)s request a minute", "%(number)s requests a minute", count)
    elif unit == "h":
        text = ngettext("%(number)s request an hour", "%(number)s requests an hour", count)
    else:
        text = ngettext("%(number)s request a day", "%(number)s requests a day", count)
    return text % {"number": grouped}


@require_safe
def data_page(request: HttpRequest) -> HttpResponse:
    """The /data/ page: dataset downloads, codebook and licence. No database query."""
    manifest = lifecycle.current_dataset()
    files = []
    if manifest:
        files = [
            {**manifest["files"][spec.key], "key": spec.key}
            for spec in opendata.FILES
            if spec.key in manifest["files"]
        ]
    return render(
        request,
        "profiles/data.html",
        {
            "manifest": manifest,
            "generated_at": parse_datetime(manifest["generated_at"]) if manifest else None,
            "files": files,
            # The codebook section shows the Table Schemas of datapackage.json itself.
            "resources": exports.dataset_datapackage(generated_at="")["resources"],
            "answer_values": exports.codebook_answer_values(),
            "csv_name": next((f["name"] for f in files if f["key"] == "csv"), ""),
            "api_rate": api_rate_in_words(
                settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
            ),
        },
    )


@require_safe
def dataset_file(request: HttpRequest, name: str) -> HttpResponse:
    """One file of the open dataset, by its public name (e.g. mgi-open-data-csv.zip)."""
    spec = opendata.BY_NAME.get(name)
    manifest = lifecycle.current_dataset() if spec else None
    entry = manifest and manifest["files"].get(spec.key)
    if not entry:
        raise Http404("No such dataset file.")
    return serving.serve(
        request,
        serving.StoredFile(
            name=entry["path"],
            sha256=entry["sha256"],
            content_type=entry["content_type"],
            filename=entry["name"],
            as_attachment=True,
            max_age=DATASET_MAX_AGE,
            immutable=False,
        ),
    )


# --- PDFs ------------------------------------------------------------------------


@require_safe
def pdf(request: HttpRequest, slug: str, year: int, version: int, language: str):
    """A live publication's stored PDF: one query, strong ETag, cacheable for a year.

    Drafts, embargoed and unrendered versions have no PDF here (404); a
    withdrawn version that was once public answers 410 Gone.
    """
    live = Publication.objects.live().filter(government__slug=slug, year=year, version=version)
    stored = (
        PublicationFile.objects.filter(publication__in=live, kind=FileKind.PDF, language=language)
        .only("file", "sha256", "size")
        .first()
    )
    if stored is None:
        withdrawn = Publication.objects.withdrawn_after_release().filter(
            government__slug=slug, year=year, version=version
        )
        if language in PDF_LANGUAGES and withdrawn.exists():
            return HttpResponseGone(_("This version of the profile was withdrawn."))
        raise Http404("No published PDF here.")
    return serving.serve(
        request,
        serving.StoredFile(
            name=stored.file.name,
            sha256=stored.sha256,
            content_type="application/pdf",
            filename=Path(stored.file.name).name,
            language=language,  # the document's, not the address's prefix
        ),
    )


@require_safe
def pdf_latest(request: HttpRequest, slug: str) -> HttpResponse:
    """The government's newest live PDF in the page's language (a redirect, not cached)."""
    publication = selectors.publication_for(slug=slug)
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in PDF_LANGUAGES:
        language = settings.LANGUAGE_CODE
    return redirect(
        reverse(
            "profiles:pdf",
            kwargs={
                "slug": slug,
                "year": publication.year,
                "version": publication.version,
                "language": language,
            },
        )
    )
