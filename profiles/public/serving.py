"""The one file server: how a stored file (PDF, data file, dataset file) is sent.

Public views decide *whether* a file may be seen (live publication, right
language, current dataset); `serve()` decides *how* it is sent, the same way
for every download:

- with a strong ETag, the stored bytes' SHA-256, and Django's conditional
  response (`get_conditional_response`), so a repeat visit costs a 304;
- with `public_cache_control()`: a browser may keep the answer `max_age`
  seconds (a year for a published version, which never changes: a correction
  is a new version at a new URL), a shared cache only `MGI_SHARED_CACHE_SECONDS`;
- as a streamed `FileResponse` with Content-Length, read through Django's
  storage API (local media or an object store); or, when `MGI_ACCEL_REDIRECT`
  names nginx's internal location for MEDIA_ROOT and the files are on this
  disk (not in an object store), as an empty answer with
  `X-Accel-Redirect`, so nginx sends the bytes (see `.env.example`).

Deployed, nginx's page cache keeps an anonymous visitor's answer like any
public page's (deploy/nginx), so a popular PDF is served at the speed of a
static file, and the liveness check runs again when the entry expires
(`bench/bench_pdf.py` measures both). nginx does not cache an X-Accel-Redirect
answer, so with it every download runs the (one-query) check but never copies
bytes through Python; which is better depends on the storage and the traffic.

`etag_for()` is the validator of composed answers (a profile page: its
publication, language and what the chrome shows), where no one file's hash fits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, quote_etag

#: A published version never changes, so a browser may keep it this long.
PUBLISHED_MAX_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class StoredFile:
    """A file in the default storage and how to send it."""

    name: str  # its name in the storage
    sha256: str
    content_type: str
    filename: str = ""  # the download's name (Content-Disposition); "" for none
    as_attachment: bool = False
    language: str = ""  # Content-Language: the document's, not the address's prefix
    max_age: int = PUBLISHED_MAX_AGE
    immutable: bool = True


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


def etag_for(*parts: object) -> str:
    """A strong ETag from the parts that identify a composed answer's bytes."""
    return quote_etag(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32])


def serve(request: HttpRequest, stored: StoredFile) -> HttpResponse:
    """Answer with the stored file, or a 304 when the client already has these bytes."""
    etag = quote_etag(stored.sha256)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = _accel_redirect(stored) if _nginx_has_the_files() else _stream(stored)
    response["ETag"] = etag
    if stored.language:
        response["Content-Language"] = stored.language
    public_cache_control(response, max_age=stored.max_age, immutable=stored.immutable)
    return response


def _nginx_has_the_files() -> bool:
    """X-Accel-Redirect only for files on this machine's disk, where nginx can read them.

    With an object store (S3, shared by several app servers) nginx has no path to
    send, so Django streams the bytes from the store whatever MGI_ACCEL_REDIRECT says.
    """
    return bool(settings.MGI_ACCEL_REDIRECT) and isinstance(default_storage, FileSystemStorage)


def _stream(stored: StoredFile) -> HttpResponse:
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError as missing:  # only while a re-render replaces the file
        raise Http404("The file is not stored.") from missing
    response = FileResponse(
        handle,
        content_type=stored.content_type,
        as_attachment=stored.as_attachment,
        filename=stored.filename,
    )
    if not stored.filename:
        response.headers.pop("Content-Disposition", None)
    return response


def _accel_redirect(stored: StoredFile) -> HttpResponse:
    """An empty answer that tells nginx which file to send (its internal location)."""
    response = HttpResponse(content_type=stored.content_type)
    response["X-Accel-Redirect"] = (
        settings.MGI_ACCEL_REDIRECT.rstrip("/") + "/" + quote(stored.name)
    )
    if stored.filename:
        response["Content-Disposition"] = content_disposition_header(
            stored.as_attachment, stored.filename
        )
    return response
