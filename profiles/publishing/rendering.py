"""Rendering a publication's files: the work the `render_publication` task runs.

Which files exist is configuration: `settings.MGI_PUBLICATION_RENDERERS` lists,
by dotted path, the functions that store them (data files, the page body per
language, the PDF per language), so tests can leave out the slow PDF renderer
and publishing does not import each output by name.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from profiles.models import Publication
from profiles.publishing import tallies

logger = logging.getLogger(__name__)

Renderer = Callable[[Publication], object]


def render_files(publication_id: int) -> None:
    """Render and store every file of every language, then mark the publication ready.

    Safe to run twice: files are replaced and `ready_at` is set only at the end,
    so a crash half-way leaves the publication invisible, not half-published. The
    answer tallies count it in the same transaction, so no page shows it in a list
    and not in a count.
    """
    publication = Publication.objects.select_related("government", "framework").get(
        pk=publication_id
    )
    found = renderers()
    for renderer in found:
        renderer(publication)
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk, ready_at__isnull=True).update(
            ready_at=timezone.now()
        )
        tallies.government_changed(publication.government_id)
    logger.info("publication %s rendered (%d renderers)", publication.pk, len(found))


def renderers() -> list[Renderer]:
    """The functions that store a publication's files, each taking the publication."""
    return [import_string(path) for path in settings.MGI_PUBLICATION_RENDERERS]
