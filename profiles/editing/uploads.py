"""Spreadsheet uploads kept between the preview and the confirmation, and their sweeping.

An upload waiting for confirmation is kept in the default storage (shared by
every app server) under `UPLOAD_FOLDER`. It holds draft answers, so a file left
in preview (the uploader went away) is deleted after `UPLOAD_MAX_AGE`: by the
next upload, or by `manage.py sweep_uploads` on a timer.
"""

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

UPLOAD_FOLDER = "spreadsheet-imports"
UPLOAD_MAX_AGE = datetime.timedelta(days=1)


def sweep_uploads(max_age: datetime.timedelta = UPLOAD_MAX_AGE) -> int:
    """Delete kept uploads older than `max_age` from the storage; return how many.

    Works through the storage API (local folder or S3), one assessment folder at
    a time. A preview whose file was swept asks for the file again.
    """
    cutoff = timezone.now() - max_age
    deleted = 0
    # Not `exists(UPLOAD_FOLDER)`: an object store has no folders, only names under a
    # prefix, so it would always say no and nothing would ever be swept there.
    try:
        folders, _files = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:  # the local folder, before the first upload
        return deleted
    for folder in folders:
        _subfolders, names = default_storage.listdir(f"{UPLOAD_FOLDER}/{folder}")
        for name in names:
            stored = f"{UPLOAD_FOLDER}/{folder}/{name}"
            if default_storage.get_modified_time(stored) < cutoff:
                default_storage.delete(stored)
                deleted += 1
    return deleted
