"""Serving a stored PublicationFile: cheap for Python, cacheable for everyone else.

Public views decide *whether* a file may be seen (live publication, right
language); `serve_publication_file()` decides *how* it is sent:

- with a strong ETag (the file's SHA-256), so a repeat visit costs a 304;
- with `public_cache_control()`: a browser keeps a published version for a
  year (it never changes: a correction is a new version at a new URL), a shared
  cache only `MGI_SHARED_CACHE_SECONDS`;
- as a streamed `FileResponse` with Content-Length (gunicorn sends a local file
  with sendfile).

Deployed, nginx's page cache keeps an anonymous visitor's answer like any
public page's (deploy/nginx), so a popular PDF is served at the speed of a
static file, and the liveness check runs again when the entry expires
(`bench/bench_pdf.py` measures both). An `X-Accel-Redirect` to nginx would
skip the byte copy on a miss, but nginx does not cache such answers, so every
download would run Python.
"""

from __future__ import annotations

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from profiles.models import PublicationFile

#: A published version never changes, so a browser may keep it this long.
PUBLISHED_MAX_AGE = 365 * 24 * 60 * 60


def public_cache_control(response: HttpResponse, *, max_age: int, immutable: bool = False) -> None:
    """Let browsers keep a public answer `max_age` seconds, shared caches far less.

    nginx's page cache and CDNs take `s-maxage` over `max-age`: they ask again
    after `MGI_SHARED_CACHE_SECONDS` (a conditional request, answered 304 while
    nothing changed), so a withdrawal, a new version or the end of an embargo
    reaches every new visitor that soon. A browser that already holds a version
    may keep it.
    """
    shared = min(max_age, settings.MGI_SHARED_CACHE_SECONDS)
    kwargs = {"immutable": True} if immutable else {}
    patch_cache_control(response, public=True, max_age=max_age, s_maxage=shared, **kwargs)


def etag_for(publication_file: PublicationFile) -> str:
    """A strong validator: the stored bytes' SHA-256."""
    return f'"{publication_file.sha256}"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    return bool(if_none_match) and (
        if_none_match.strip() == "*" or etag in parse_etags(if_none_match)
    )


def serve_publication_file(
    request: HttpRequest,
    publication_file: PublicationFile,
    content_type: str,
    filename: str | None = None,
    *,
    as_attachment: bool = False,
) -> HttpResponse:
    """Answer with the stored file, or a 304 when the client has it.

    `filename` names the download (Content-Disposition); pages pass None.
    """
    etag = etag_for(publication_file)
    if _not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        try:
            handle = publication_file.file.open("rb")
        except FileNotFoundError as missing:  # only while a rebuild replaces the file
            raise Http404("The file is not stored.") from missing
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=as_attachment,
            filename=filename or "",
        )
        if not filename:
            response.headers.pop("Content-Disposition", None)
        response["Content-Length"] = str(publication_file.size)
    response["ETag"] = etag
    public_cache_control(response, max_age=PUBLISHED_MAX_AGE, immutable=True)
    return response
