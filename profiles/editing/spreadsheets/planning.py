"""What importing a file would change, cell by cell, without writing anything (the preview)."""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import workflow
from profiles.editing.spreadsheets.limits import (
    COLUMNS,
    FORMULA_TRIGGERS,
    MAX_REPORTED_ERRORS,
    RowError,
    SpreadsheetError,
    column_letter,
)
from profiles.editing.spreadsheets.reading import read_table
from profiles.editing.spreadsheets.xlsx import NumberCell
from profiles.models import Answer, AnswerValue, Assessment

# Columns the import writes; the others are there to help the person filling the file in.
EDITABLE = ("answer", "justification", "evidence")
FIELD_OF = {"answer": "value", "justification": "justification", "evidence": "evidence"}
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass(frozen=True)
class CellChange:
    """One cell whose imported value differs from the assessment's present one."""

    row: int
    indicator_code: str
    column: str
    old: str
    new: str


@dataclass
class ImportPlan:
    """What importing a file would do: the changes cell by cell, or why it cannot."""

    assessment_id: int
    revision: int
    rows: int = 0
    changes: list[CellChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # indicator id -> the answer's complete new values, for rows with a change.
    updates: dict[int, dict[str, str]] = field(default_factory=dict)
    existing: dict[int, Answer] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed_rows(self) -> int:
        return len(self.updates)

    @property
    def unchanged_rows(self) -> int:
        return self.rows - len(self.updates)

    @property
    def fingerprint(self) -> str:
        """Identifies exactly these changes: a confirmation must apply what was previewed."""
        digest = hashlib.sha256()
        for c in self.changes:
            digest.update(repr((c.indicator_code, c.column, c.old, c.new)).encode())
        return digest.hexdigest()

    def reported_errors(self) -> list[RowError]:
        """The first errors (a broken file can produce thousands), and a count of the rest."""
        shown = self.errors[:MAX_REPORTED_ERRORS]
        hidden = len(self.errors) - len(shown)
        if hidden:
            shown.append(RowError(_("… and %(count)d more problem(s).") % {"count": hidden}))
        return shown


def answer_aliases() -> dict[str, str]:
    """Every spelling accepted for each answer: the code and the label in each language."""
    aliases = {"": "", "n/a": AnswerValue.NOT_APPLICABLE, "na": AnswerValue.NOT_APPLICABLE}
    for value, label in AnswerValue.choices:
        aliases[_normal(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_normal(str(label))] = value
    return aliases


def _normal(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _text(value: str) -> str:
    """Compare and store text with one kind of line ending and no surrounding blanks."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def unescape(value: str, *, row: int, column: str) -> tuple[str, RowError | None]:
    """Undo export neutralisation, and refuse text a spreadsheet would run as a formula.

    The export puts an apostrophe before text starting with any of
    `FORMULA_TRIGGERS` (a tab or carriage return too; `_text` has already made
    the latter a line feed), so each of those loses its apostrophe again.
    """
    if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r\n":
        return _text(value[1:]), None
    if value.startswith(FORMULA_TRIGGERS[:4]) and not _NUMBER.match(value):
        return value, RowError(
            _(
                "“%(start)s…” starts with %(char)s, which spreadsheet programs run as a "
                "formula; start the text with another character."
            )
            % {"start": value[:20], "char": value[0]},
            row=row,
            column=column,
        )
    return value, None


def plan(
    assessment: Assessment,
    data: bytes,
    *,
    filename: str,
    by: User | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Work out what importing `data` would change, without writing anything.

    Raises workflow.NotEditable when the assessment is locked or `by` may not edit
    it. Problems with the file are returned in `plan.errors` (row by row), so a
    preview can show them all at once.
    """
    workflow.assert_editable(assessment, by=by)
    assessment.refresh_from_db(fields=["revision", "status"])
    result = ImportPlan(assessment_id=assessment.pk, revision=assessment.revision)
    try:
        header, rows = read_table(data, filename=filename)
    except SpreadsheetError as exc:
        result.errors = exc.errors
        return result

    columns = [_normal(h).replace(" ", "_") for h in header]
    while columns and not columns[-1]:
        columns.pop()  # trailing empty header cells are formatting, not columns
    seen: set[str] = set()
    for index, name in enumerate(columns):
        if name in seen:
            result.errors.append(
                RowError(_("column %(column)s appears twice.") % {"column": name}, row=1)
            )
        elif name not in COLUMNS:
            result.errors.append(
                RowError(
                    _("unexpected column “%(column)s” (column %(letter)s).")
                    % {"column": header[index] or _("(empty)"), "letter": column_letter(index)},
                    row=1,
                )
            )
        seen.add(name)
    missing = [c for c in COLUMNS if c not in seen]
    if missing:
        result.errors.append(
            RowError(
                _("missing column(s): %(missing)s. The columns are: %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)},
                row=1,
            )
        )
    if result.errors:
        return result
    position = {name: columns.index(name) for name in COLUMNS}

    indicators = {
        i.code: i
        for i in Indicator.objects.filter(framework_id=assessment.framework_id).only(
            "id", "code", "retired_at", "framework_id"
        )
    }
    existing = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    result.existing = existing
    aliases = answer_aliases()
    first_row: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []

    numbered = [(number, row) for number, row in enumerate(rows, start=2)]
    for number, row in progress(numbered) if progress else numbered:
        cells = {name: row[i] if i < len(row) else "" for name, i in position.items()}
        extra = [c for c in row[len(columns) :] if str(c).strip()]
        if not any(str(c).strip() for c in row):
            continue  # blank rows (often left below the data) are not an error
        result.rows += 1
        if extra:
            result.errors.append(
                RowError(_("there are values outside the named columns."), row=number)
            )
        values: dict[str, str] = {}
        row_ok = True
        for name in COLUMNS:
            raw = cells[name]
            value = _text(str(raw))
            if not isinstance(raw, NumberCell):
                value, error = unescape(value, row=number, column=name)
                if error:
                    result.errors.append(error)
                    row_ok = False
            values[name] = value

        code = values["indicator_code"]
        if not code:
            result.errors.append(
                RowError(_("the indicator code is missing."), row=number, column="indicator_code")
            )
            continue
        if code in first_row:
            result.errors.append(
                RowError(
                    _("indicator %(code)s appears again (first in row %(first)d).")
                    % {"code": code, "first": first_row[code]},
                    row=number,
                    column="indicator_code",
                )
            )
            continue
        first_row[code] = number
        indicator = indicators.get(code)
        if indicator is None:
            unknown.append((number, code))
            continue
        if indicator.retired_at is not None:
            result.errors.append(
                RowError(
                    _("indicator %(code)s is retired from this framework.") % {"code": code},
                    row=number,
                    column="indicator_code",
                )
            )
            continue
        answer_value = aliases.get(_normal(values["answer"]))
        if answer_value is None:
            result.errors.append(
                RowError(
                    _("“%(value)s” is not a valid answer; use %(choices)s, or leave it empty.")
                    % {
                        "value": values["answer"][:40],
                        "choices": ", ".join(
                            f"{label} ({value})" for value, label in AnswerValue.choices
                        ),
                    },
                    row=number,
                    column="answer",
                )
            )
            continue
        if not row_ok:
            continue
        new = {
            "answer": answer_value,
            "justification": values["justification"],
            "evidence": values["evidence"],
        }
        current = existing.get(indicator.pk)
        old = {
            column: _text(getattr(current, FIELD_OF[column])) if current else ""
            for column in EDITABLE
        }
        row_changes = [
            CellChange(number, code, column, old[column], new[column])
            for column in EDITABLE
            if old[column] != new[column]
        ]
        if row_changes:
            result.changes.extend(row_changes)
            result.updates[indicator.pk] = new

    if unknown:
        result.errors.extend(_unknown_code_errors(unknown, assessment))
    result.errors.sort(
        key=lambda e: (e.row or 0, COLUMNS.index(e.column) if e.column in COLUMNS else -1)
    )
    return result


def _unknown_code_errors(unknown: list[tuple[int, str]], assessment: Assessment) -> list[RowError]:
    """Say whether an unknown code belongs to another framework: the usual mix-up."""
    elsewhere = dict(
        Indicator.objects.filter(code__in={code for _row, code in unknown})
        .exclude(framework_id=assessment.framework_id)
        .values_list("code", "framework__name")
    )
    errors = []
    for number, code in unknown:
        if code in elsewhere:
            message = _(
                "indicator %(code)s belongs to %(framework)s, not to this assessment's framework."
            ) % {"code": code, "framework": elsewhere[code]}
        else:
            message = _("unknown indicator code “%(code)s”.") % {"code": code[:40]}
        errors.append(RowError(message, row=number, column="indicator_code"))
    return errors
