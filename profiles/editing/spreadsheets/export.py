"""The pre-filled answers file: one row per current indicator, safe to open in Excel."""

import io
import re

import pandas as pd
from django.utils import translation
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.models import Indicator
from profiles.editing.spreadsheets.limits import COLUMNS, FORMULA_TRIGGERS
from profiles.models import Answer, AnswerValue, Assessment

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per current indicator of the framework, in framework order, with answers.

    Two queries (indicators with their hierarchy, answers), whatever the size.
    """
    fields = [
        "id",
        "code",
        "area__dimension__code",
        "area__dimension__short_name",
        "area__code",
        "area__name",
        "question",
    ]
    indicators = pd.DataFrame.from_records(
        Indicator.objects.filter(framework_id=assessment.framework_id)
        .current()
        .in_order()
        .values(*fields),
        columns=fields,
    )
    answers = pd.DataFrame.from_records(
        Answer.objects.filter(assessment=assessment).values(
            "indicator_id", "value", "justification", "evidence"
        ),
        columns=["indicator_id", "value", "justification", "evidence"],
    )
    frame = indicators.merge(answers, how="left", left_on="id", right_on="indicator_id")
    frame = frame.fillna({"value": "", "justification": "", "evidence": ""})
    with translation.override("en"):
        labels = {value: str(label) for value, label in AnswerValue.choices}
    return pd.DataFrame(
        {
            "indicator_code": frame["code"],
            "dimension": frame["area__dimension__code"].astype(str)
            + ". "
            + frame["area__dimension__short_name"],
            "area": frame["area__code"] + " " + frame["area__name"],
            "question": frame["question"],
            "answer": frame["value"].map(lambda v: labels.get(v, v)),
            "justification": frame["justification"],
            "evidence": frame["evidence"],
        },
        columns=COLUMNS,
    )


def neutralise(text: str) -> str:
    """Make text safe to open in a spreadsheet program: it must never run as a formula.

    OWASP's advice: prefix text that starts with a formula trigger with an
    apostrophe. `unescape()` removes it again on import.
    """
    text = _ILLEGAL_XML.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _safe_frame(assessment: Assessment) -> pd.DataFrame:
    frame = export_frame(assessment)
    return frame.apply(lambda column: column.map(neutralise))


def export_filename(assessment: Assessment, extension: str) -> str:
    """`mgi-chl-2024-answers.xlsx`: says whose answers, which round."""
    return f"mgi-{assessment.government.slug}-{assessment.year}-answers.{extension}"


def export_csv(assessment: Assessment) -> bytes:
    """The answers as UTF-8 CSV with a byte-order mark, so Excel opens accents correctly."""
    buffer = io.StringIO()
    _safe_frame(assessment).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(assessment: Assessment) -> bytes:
    """The answers as an XLSX workbook with a drop-down list for the answer column."""
    buffer = io.BytesIO()
    frame = _safe_frame(assessment)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="answers", index=False)
        sheet = writer.sheets["answers"]
        widths = {"A": 16, "B": 28, "C": 32, "D": 60, "E": 20, "F": 60, "G": 40}
        for letter, width in widths.items():
            sheet.column_dimensions[letter].width = width
        wrap = Alignment(wrap_text=True, vertical="top")
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        with translation.override("en"):
            choices = ",".join(str(label) for _value, label in AnswerValue.choices)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.add(f"E2:E{max(len(frame) + 1, 2)}")
        sheet.add_data_validation(validation)
    return buffer.getvalue()
