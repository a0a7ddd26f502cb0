"""Load the indicator frameworks from the CSV files in `indicators/data/`.

The files are the source of truth for the framework text; `sync_framework`
upserts them by their natural keys (framework slug, dimension code, area code,
indicator code). The whole set of files is validated before anything is written,
and written in one transaction, so a malformed file leaves the database exactly
as it was. Indicators missing from a file are retired, never deleted, so old
assessments keep their questions.

After a sync that changed stored framework text commits, `signals.framework_changed`
is sent with the frameworks concerned, so apps whose content quotes that text
(a validated assessment's signed content) can react without this app knowing them.
"""

from indicators.loader.reading import DATA_DIR, FrameworkFileError, SyncReport, parse
from indicators.loader.writing import sync

__all__ = ["DATA_DIR", "FrameworkFileError", "SyncReport", "parse", "sync"]
