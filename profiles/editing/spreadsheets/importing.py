"""Applying a previewed import: all or nothing, under a row lock, only what was previewed."""

from collections.abc import Callable, Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from profiles import workflow
from profiles.editing import answers
from profiles.editing.spreadsheets.limits import SpreadsheetError
from profiles.editing.spreadsheets.planning import ImportPlan, plan
from profiles.models import Assessment


class StalePreview(workflow.NotEditable):
    """The assessment changed between the preview and the confirmation."""


@transaction.atomic
def apply(
    assessment: Assessment,
    data: bytes,
    *,
    filename: str,
    by: User | None = None,
    revision: int | None = None,
    fingerprint: str | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Import `data` into `assessment` all or nothing, and return what was changed.

    `revision` and `fingerprint` come from the preview the user confirmed: if the
    assessment was saved since (revision) or the file now means different changes
    (fingerprint), nothing is written and StalePreview is raised. Raises
    SpreadsheetError when the file has problems, workflow.NotEditable when the
    assessment is locked or `by` may not edit it.
    """
    locked = answers.lock(assessment.pk)
    try:
        workflow.assert_editable(locked, by=by, revision=revision)
    except workflow.NotEditable as exc:
        if revision is not None and locked.revision != revision:
            raise StalePreview(str(exc.args[0] if exc.args else exc)) from None
        raise
    result = plan(locked, data, filename=filename, by=by, progress=progress)
    if result.errors:
        raise SpreadsheetError(result.errors)
    if fingerprint is not None and result.fingerprint != fingerprint:
        raise StalePreview(
            _("The assessment changed since the preview; upload the file again to review it.")
        )
    if not result.updates:
        return result
    answers.write_answers(
        locked,
        [
            answers.AnswerEdit(
                indicator_id=indicator_id,
                value=new["answer"],
                justification=new["justification"],
                evidence=new["evidence"],
            )
            for indicator_id, new in result.updates.items()
        ],
        result.existing,
    )
    workflow.bump_revision(locked)
    assessment.revision = locked.revision
    return result
