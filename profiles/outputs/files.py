"""The one writer of a publication's files (data, page bodies, PDFs).

Every renderer hands its bytes to `store()`, so there is one place that decides
how a file is named, hashed and replaced. Files go through the FileField, that
is Django's storage API (the local media folder in development, an object store
with django-storages when deployed), never through paths on disk.

Replace-safe: a publication's files are rendered again after a template change
(`manage.py rerender`) or when a task is retried, so storing a kind and
language that already exists updates that row in place (same primary key,
same file name) instead of adding a row or a suffixed copy of the file.
"""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from profiles.models import Publication, PublicationFile


def store(
    publication: Publication, *, kind: str, language: str, data: bytes, filename: str
) -> PublicationFile:
    """Store `data` as the publication's file of this kind and language, with its SHA-256."""
    row = PublicationFile.objects.filter(
        publication=publication, kind=kind, language=language
    ).first() or PublicationFile(publication=publication, kind=kind, language=language)
    if row.file:
        # Deleted first so the storage gives the same name back, not `name_AbC12.pdf`.
        row.file.delete(save=False)
    row.sha256 = hashlib.sha256(data).hexdigest()
    row.size = len(data)
    row.created_at = timezone.now()
    row.file.save(filename, ContentFile(data), save=False)
    row.save()
    return row
