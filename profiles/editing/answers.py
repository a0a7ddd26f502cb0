"""Writing an assessment's content: the row lock, the permission and revision check, bulk writes.

Every editing path (the assessment page, a part's own page, the translation page,
the spreadsheet import) changes content the same way: lock the assessment's row,
ask the workflow whether this user may change it now and from the revision they
opened (`workflow.assert_editable`, which asks `profiles.access`), write, and bump
the revision, so a concurrent or stale save is refused instead of overwriting
someone else's work. The admin and the forms call these functions; they hold no
database logic of their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator
from profiles import content as profile_content
from profiles import workflow
from profiles.models import Answer, Assessment, ContentTranslation


def lock(assessment_id: int) -> Assessment:
    """Lock the assessment's row for the rest of the transaction.

    A concurrent save waits for it, then sees the bumped revision and is refused.
    """
    return Assessment.objects.select_for_update().get(pk=assessment_id)


@contextmanager
def editing(
    assessment_id: int, *, by: User | None, revision: int | None = None
) -> Iterator[Assessment]:
    """Lock the assessment, check that `by` may change it now, let the caller write, bump.

    Raises `workflow.NotEditable` (and writes nothing) when it is locked, `by` may
    not edit it, or it was saved since `revision`.
    """
    with transaction.atomic():
        locked = lock(assessment_id)
        workflow.assert_editable(locked, by=by, revision=revision)
        yield locked
        workflow.bump_revision(locked)


def ensure_answer_rows(assessment: Assessment) -> int:
    """Create a blank answer for every current indicator that has none; returns how many."""
    have = Answer.objects.filter(assessment=assessment).values("indicator_id")
    todo = (
        Indicator.objects.filter(framework_id=assessment.framework_id)
        .current()
        .exclude(pk__in=have)
        .values_list("pk", flat=True)
    )
    rows = [Answer(assessment=assessment, indicator_id=pk) for pk in todo]
    Answer.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class AnswerEdit:
    """The new values of one indicator's answer."""

    indicator_id: int
    value: str
    justification: str
    evidence: str
    #: The answer's sources (pks); None leaves its links as they are.
    sources: list[int] | None = None


def write_answers(
    assessment: Assessment,
    edits: Sequence[AnswerEdit],
    existing: Mapping[int, Answer],
    *,
    blank: Iterable[int] = (),
    now: datetime.datetime | None = None,
) -> None:
    """Store `edits` in a fixed number of queries, however many there are.

    `existing` maps indicator pk to the stored answer; answers missing from it are
    created, as are blank rows for the indicators in `blank` (an indicator added to
    the framework later). The caller holds the lock and bumps the revision.
    """
    now = now or timezone.now()
    wanted = [*blank, *(e.indicator_id for e in edits if e.indicator_id not in existing)]
    rows = dict(existing)
    if wanted:
        Answer.objects.bulk_create(Answer(assessment=assessment, indicator_id=pk) for pk in wanted)
        rows.update(
            (answer.indicator_id, answer)
            for answer in Answer.objects.filter(assessment=assessment, indicator_id__in=wanted)
        )
    changed = []
    for edit in edits:
        answer = rows[edit.indicator_id]
        answer.value = edit.value
        answer.justification = edit.justification
        answer.evidence = edit.evidence
        answer.updated_at = now
        changed.append(answer)
    if changed:
        Answer.objects.bulk_update(
            changed, ["value", "justification", "evidence", "updated_at"], batch_size=500
        )
    relinked = [e for e in edits if e.sources is not None]
    if relinked:
        through = Answer.sources.through
        ids = [rows[e.indicator_id].pk for e in relinked]
        through.objects.filter(answer_id__in=ids).delete()
        through.objects.bulk_create(
            through(answer_id=rows[e.indicator_id].pk, source_id=source_id)
            for e in relinked
            for source_id in e.sources or []
        )


def save_translation(
    assessment: Assessment,
    *,
    language: str,
    texts: dict[str, str],
    originals: dict[str, str],
    by: User,
    revision: int,
) -> bool:
    """Store one language's translation of the public texts; False when nothing changed.

    A field whose translated text is new or edited records the hash of its
    `originals` text, so it is current. A field whose text is unchanged keeps the
    hash it had: saving the page again does not make a stale field current, only
    editing its translation does. Saving nothing new writes nothing and leaves the
    revision as it was. Raises `workflow.NotEditable` when the assessment may not
    change now.
    """
    existing = ContentTranslation.objects.filter(assessment=assessment, language=language).first()
    old_texts = existing.texts if existing else {}
    old_hashes = existing.source_hashes if existing else {}
    made_from = profile_content.source_hashes(originals)
    hashes = {}
    for key, text in texts.items():
        if text != old_texts.get(key):
            hashes[key] = made_from[key]
        elif key in old_hashes:
            hashes[key] = old_hashes[key]
    if (texts, hashes) == (old_texts, old_hashes):
        return False
    with editing(assessment.pk, by=by, revision=revision):
        ContentTranslation.objects.update_or_create(
            assessment=assessment,
            language=language,
            defaults={"texts": texts, "source_hashes": hashes},
        )
    return True
