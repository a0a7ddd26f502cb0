"""Data downloads: a profile's CSV/JSON and the whole open dataset, served as stored files.

Nothing is rendered here: per-publication files were rendered at publication and
the dataset by `profiles.opendata`. A request costs one query (or none) plus
streaming the file, and answers `If-None-Match` with 304 from the stored SHA-256.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from profiles import exports, opendata, serving
from profiles.models import FileKind, Publication, PublicationFile

# The dataset changes with every publication: clients revalidate (by ETag) after this.
DATASET_MAX_AGE = 5 * 60

CONTENT_TYPES = {
    FileKind.CSV: "text/csv; charset=utf-8",
    FileKind.JSON: "application/json",
}


def _serve(
    request: HttpRequest,
    *,
    path: str,
    sha256: str,
    content_type: str,
    filename: str,
    max_age: int,
    attachment: bool = True,
) -> HttpResponse:
    etag = f'"{sha256}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        try:
            handle = default_storage.open(path, "rb")
        except FileNotFoundError as missing:
            raise Http404("The file is not stored.") from missing
        response = FileResponse(
            handle, content_type=content_type, as_attachment=attachment, filename=filename
        )
    response["ETag"] = etag
    serving.public_cache_control(response, max_age=max_age)
    return response


@require_safe
def publication_data(
    request: HttpRequest, slug: str, year: int, version: int, kind: str
) -> HttpResponse:
    """A live publication's CSV or JSON, as rendered at publication. One query."""
    live = Publication.objects.live().filter(government__slug=slug, year=year, version=version)
    stored = (
        PublicationFile.objects.filter(publication__in=live, kind=kind)
        .select_related("publication__government")
        .order_by("language")
        .first()
    )
    if stored is None:
        raise Http404("No published data here.")
    return serving.serve_publication_file(
        request,
        stored,
        CONTENT_TYPES[kind],
        exports.data_filename(stored.publication, kind),
        as_attachment=kind == FileKind.CSV,
    )


@require_safe
def data_page(request: HttpRequest) -> HttpResponse:
    """The /data/ page: dataset downloads, codebook and licence. No database query."""
    manifest = opendata.ensure_current()
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
            "columns": exports.COLUMNS,
            "answer_values": exports.codebook_answer_values(),
        },
    )


@require_safe
def dataset_file(request: HttpRequest, name: str) -> HttpResponse:
    """One file of the open dataset, by its public name (e.g. mgi-open-data-csv.zip)."""
    spec = opendata.BY_NAME.get(name)
    manifest = opendata.ensure_current() if spec else None
    entry = manifest and manifest["files"].get(spec.key)
    if not entry:
        raise Http404("No such dataset file.")
    return _serve(
        request,
        path=entry["path"],
        sha256=entry["sha256"],
        content_type=entry["content_type"],
        filename=entry["name"],
        max_age=DATASET_MAX_AGE,
    )
