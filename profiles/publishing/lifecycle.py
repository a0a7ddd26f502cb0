"""Freezing validated content into publications, and rendering their files once.

`publish()` is called by the workflow only. It rebuilds the canonical content,
refuses if its hash differs from the sign-off's, and stores it as an immutable,
numbered Publication with its answers and findings as rows for public filtering.
The page, PDF and data files are rendered after commit (by a Celery worker when
`REDIS_URL` is set, in-process otherwise); the publication becomes visible only
when every file of every language is stored (`ready_at`) and its release time
has come, so nothing goes live piecemeal.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import content as profile_content
from profiles.models import (
    Assessment,
    Publication,
    PublishedAnswer,
    PublishedFinding,
    SignOff,
    StatusChange,
)
from profiles.public import caching

logger = logging.getLogger(__name__)


def pending_sign_off(assessment: Assessment) -> SignOff | None:
    """The sign-off the next publication would use: the newest not yet published."""
    return (
        SignOff.objects.filter(assessment=assessment, publication__isnull=True)
        .order_by("-signed_at", "-pk")
        .first()
    )


def publish(assessment: Assessment, *, by, release_at: datetime.datetime) -> Publication:
    """Freeze the validated content as the next version; the caller holds the row lock."""
    sign_off = pending_sign_off(assessment)
    if sign_off is None:
        raise ValidationError(_("There is no sign-off to publish."))
    content = profile_content.build(assessment)
    content_hash = profile_content.digest(content)
    if content_hash != sign_off.content_hash:
        raise ValidationError(
            _("The content changed after the government validated it; it needs a new sign-off.")
        )
    version = Publication.objects.filter(assessment=assessment).count() + 1
    publication = Publication.objects.create(
        assessment=assessment,
        version=version,
        sign_off=sign_off,
        government=assessment.government,
        framework_id=assessment.framework_id,
        year=assessment.year,
        round_number=assessment.round_number,
        is_sample=assessment.is_sample,
        content=content,
        content_hash=content_hash,
        languages=sign_off.languages,
        timeline=public_timeline(assessment, published=release_at),
        published_by=by,
        release_at=release_at,
    )
    index_content(publication)
    transaction.on_commit(lambda: schedule_render(publication.pk))
    return publication


MILESTONES = {"share": "consultation", "validate": "validated"}


def public_timeline(assessment: Assessment, *, published: datetime.datetime) -> list[dict]:
    """The milestones the public sees, from this round's audit rows, oldest first.

    Only the last consultation and validation before this publication count, so a
    correction's timeline shows when it was validated, not the first version's dates.
    """
    events = {"launched": assessment.created_at.date().isoformat()}
    for change in StatusChange.objects.filter(
        assessment=assessment, transition__in=MILESTONES
    ).order_by("at", "pk"):
        events[MILESTONES[change.transition]] = change.at.date().isoformat()
    events["published"] = published.date().isoformat()
    return [{"event": name, "date": date} for name, date in events.items()]


def index_content(publication: Publication) -> None:
    """Write the frozen answers and findings as rows, in two bulk inserts."""
    codes = dict(
        Indicator.objects.filter(framework_id=publication.framework_id).values_list("code", "pk")
    )
    answers, findings = [], []
    for dimension in publication.content["dimensions"]:
        for position, finding in enumerate(dimension["findings"]):
            findings.append(
                PublishedFinding(
                    publication=publication,
                    dimension_code=dimension["code"],
                    kind=finding["kind"],
                    text=finding["text"],
                    is_good_practice=finding["is_good_practice"],
                    position=position,
                )
            )
        for area in dimension["areas"]:
            for item in area["indicators"]:
                answers.append(
                    PublishedAnswer(
                        publication=publication,
                        indicator_id=codes[item["code"]],
                        value=item["answer"],
                    )
                )
    PublishedAnswer.objects.bulk_create(answers)
    PublishedFinding.objects.bulk_create(findings)


def schedule_render(publication_id: int) -> None:
    """Render in a Celery worker when one is configured, else right here."""
    if settings.REDIS_URL:
        from profiles.publishing.tasks import render_publication

        render_publication.delay(publication_id)
    else:
        render_files(publication_id)


def render_files(publication_id: int) -> None:
    """Render and store every file of every language, then mark the publication ready.

    Safe to run twice: files are replaced and `ready_at` is set only at the end,
    so a crash half-way leaves the publication invisible, not half-published.
    """
    publication = Publication.objects.select_related("government", "framework").get(
        pk=publication_id
    )
    renderers = _renderers()
    for renderer in renderers:
        renderer(publication)
    Publication.objects.filter(pk=publication.pk, ready_at__isnull=True).update(
        ready_at=timezone.now()
    )
    logger.info("publication %s rendered (%d renderers)", publication.pk, len(renderers))
    from profiles.outputs import opendata

    caching.public_content_changed()  # cached public pages now list it
    opendata.schedule_rebuild()  # the dataset at /data/ now includes it


def _renderers() -> list:
    """The functions that store a publication's files; each takes the publication.

    Listed by dotted path in `settings.MGI_PUBLICATION_RENDERERS` (data files, the
    page body per language, the PDF per language).
    """
    return [import_string(path) for path in settings.MGI_PUBLICATION_RENDERERS]
