"""The publication lifecycle: publish, embargo release, withdraw and revise.

The workflow (`profiles.workflow.transitions`) checks permissions, changes the
assessment's status and writes the audit row; for what happens to publications
it calls in here. Slow work runs as Celery tasks (`tasks`), dispatched after
commit, so nothing a worker does can see a transaction that later rolls back.

- **Publish** (`publish`): rebuild the canonical content, refuse if its hash differs
  from the sign-off's, and store it as an immutable, numbered Publication with its
  answers and findings as rows for public filtering. The `render_publication` task
  then stores the page, PDF and data files; the publication becomes visible only
  when every file of every language is stored (`ready_at`) and its release time
  has come, so nothing goes live piecemeal.
- **Embargo release**: nothing runs at the release time itself. Cached pages
  expire within `profiles.public.caching.TIMEOUT`; the open dataset records when it
  goes stale (`valid_until`) and `current_dataset` hands the released publications
  to the open-data task on the first request after that; the answer tallies
  likewise (`tallies.is_current`, `count_released` below).
- **Withdraw** (`withdraw`): every live version leaves the site, the API and the
  dataset; its URLs answer 410 with the reason.
- **Revise** touches no publication: the live version stays public while the
  correction is drafted, validated and published by `publish` as the next version.
"""

import datetime

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import content as profile_content
from profiles import search
from profiles.models import (
    Assessment,
    Publication,
    PublishedAnswer,
    PublishedFinding,
    SignOff,
    StatusChange,
)
from profiles.outputs import opendata
from profiles.publishing import generation, tallies, tasks


def pending_sign_off(assessment: Assessment) -> SignOff | None:
    """The sign-off the next publication would use: the newest not yet published."""
    return (
        SignOff.objects.filter(assessment=assessment, publication__isnull=True)
        .order_by("-signed_at", "-pk")
        .first()
    )


def publish(assessment: Assessment, *, by: User, release_at: datetime.datetime) -> Publication:
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
    tasks.render_publication.delay_on_commit(publication.pk)
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
    """Write the frozen answers and findings as rows, and the search documents.

    Answers and findings take two bulk inserts; the search documents (one per
    language, from the content's values only) are built here, once, so a search
    never reads the frozen JSON.
    """
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
    search.index(publication)


def withdraw(assessment: Assessment, *, reason: str) -> None:
    """Withdraw every live version of `assessment`; the caller holds the row lock.

    The answer tallies stop counting it in this transaction. After commit, the
    cached pages showing it (its country's and the lists) forget it and the next
    assembly of the dataset at /data/ leaves it out.
    """
    Publication.objects.filter(assessment=assessment, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_reason=reason
    )
    tallies.government_changed(assessment.government_id)
    generation.government_changed(assessment.government_id)
    tasks.rebuild_opendata.delay_on_commit()


def count_released() -> None:
    """Have the answer tallies count publications whose embargo has ended (from a request).

    Called by a reader that found `tallies.is_current` false, and counted from the
    answers meanwhile. One task at a time: while one is queued, readers do not add more.
    """
    if cache.add(tasks.TALLY_PENDING_KEY, "1", timeout=tasks.TALLY_PENDING_TIMEOUT):
        tasks.count_released.delay()


def current_dataset() -> dict | None:
    """The open dataset's manifest, brought up to date once an embargoed publication is released.

    The first build happens in this request: there is nothing to serve before it.
    Once an embargo has ended since the downloads were assembled (`is_stale`), the
    publications released since then are handed to the task while the previous
    files are served; run eagerly (no worker), the task has finished when the
    manifest is read again. Dispatched now rather than on commit: a request that
    reads the dataset has nothing to commit. While an assembly is pending, the
    release is already on its way: no new task.
    """
    manifest = opendata.read_manifest()
    if manifest is None:
        return opendata.assemble_serialised() or opendata.read_manifest()
    if opendata.is_stale(manifest) and not tasks.assembly_pending():
        assembled = parse_datetime(manifest["generated_at"])
        released = Publication.objects.live().filter(release_at__gte=assembled)
        tasks.rebuild_opendata.delay(list(released.values_list("pk", flat=True)))
        return opendata.read_manifest()
    return manifest
