"""Serving a stored PublicationFile: cheap for Python, cacheable for everyone else.

Public views decide *whether* a file may be seen (live publication, right
language); `serve_publication_file()` decides *how* it is sent:

- with a strong ETag (the file's SHA-256), so a repeat visit costs a 304;
- `Cache-Control: public, max-age=31536000, immutable`, because a published
  version never changes (a correction is a new version at a new URL);
- when `MGI_X_ACCEL_REDIRECT` is set (deploy/nginx does: `/_published/`) and the
  file lives on the local file system, as an empty response whose
  `X-Accel-Redirect` header tells nginx to send the bytes itself from an
  `internal` location; otherwise as a streamed `FileResponse` with Content-Length.

nginx keeps Content-Type, Content-Disposition and Cache-Control from such a
response and adds its own security headers to the file (deploy/nginx).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.utils.http import content_disposition_header, parse_etags

from profiles.models import PublicationFile

CACHE_CONTROL = "public, max-age=31536000, immutable"


def etag_for(publication_file: PublicationFile) -> str:
    """A strong validator: the stored bytes' SHA-256."""
    return f'"{publication_file.sha256}"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    return bool(if_none_match) and (
        if_none_match.strip() == "*" or etag in parse_etags(if_none_match)
    )


def accel_path(publication_file: PublicationFile) -> str | None:
    """The internal nginx URL of the file, or None when nginx cannot serve it."""
    prefix = getattr(settings, "MGI_X_ACCEL_REDIRECT", "")
    storage = publication_file.file.storage
    if not prefix or not isinstance(storage, FileSystemStorage):
        return None
    return prefix.rstrip("/") + "/" + quote(publication_file.file.name.lstrip("/"))


def serve_publication_file(
    request: HttpRequest,
    publication_file: PublicationFile,
    content_type: str,
    filename: str | None = None,
    *,
    as_attachment: bool = False,
) -> HttpResponse:
    """Answer with the stored file (or a 304, or an X-Accel-Redirect for nginx).

    `filename` names the download (Content-Disposition); pages pass None.
    """
    etag = etag_for(publication_file)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    elif (internal := accel_path(publication_file)) is not None:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = internal
        if filename:
            response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
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
    for name, value in headers.items():
        response[name] = value
    return response
