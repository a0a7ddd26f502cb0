"""Spreadsheet round-trip: export, import with preview, every refusal, command and admin pages."""

import csv
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator
from profiles import workflow
from profiles.editing import spreadsheets
from profiles.models import Answer, AnswerValue, Assessment, AssessmentStatus
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "data"
S = AssessmentStatus


@pytest.fixture
def assessment(government):
    assessment = AssessmentFactory(government=government)
    factories.answer_all(assessment, value=AnswerValue.ABSENT, text="No law yet.")
    return assessment


def snapshot(assessment: Assessment):
    """Everything an import may touch: answers and the revision."""
    answers = sorted(
        Answer.objects.filter(assessment=assessment).values_list(
            "indicator__code", "value", "justification", "evidence", "updated_at"
        )
    )
    return answers, Assessment.objects.get(pk=assessment.pk).revision


def at(assessment, status):
    """Put a test assessment in a status directly (setup only; production uses workflow)."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- Export ------------------------------------------------------------------------


def test_export_has_one_row_per_indicator_in_framework_order(assessment):
    frame = spreadsheets.export_frame(assessment)
    codes = list(
        Indicator.objects.filter(framework=assessment.framework)
        .current()
        .in_order()
        .values_list("code", flat=True)
    )
    assert list(frame.columns) == spreadsheets.COLUMNS
    assert list(frame["indicator_code"]) == codes
    first = frame.iloc[0]
    assert first["dimension"] == "1. Migrants' rights"
    assert first["area"].startswith("1.1 ")
    assert first["answer"] == "Absent"
    assert first["justification"] == "No law yet."


def test_export_costs_two_queries_whatever_the_number_of_indicators(
    assessment, django_assert_num_queries
):
    with django_assert_num_queries(2):  # indicators with their hierarchy; answers
        spreadsheets.export_frame(assessment)


DANGEROUS = ['=HYPERLINK("http://example.com","x")', "+1+2", "-2+3", "@SUM(A1)", "- bullet"]


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_exported_cells_cannot_run_as_formulas(assessment, extension):
    answers = list(Answer.objects.filter(assessment=assessment).order_by("pk")[: len(DANGEROUS)])
    for answer, text in zip(answers, DANGEROUS, strict=True):
        answer.justification = text
    Answer.objects.bulk_update(answers, ["justification"])

    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(spreadsheets.export_xlsx(assessment))).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        values = [c.value for c in cells if isinstance(c.value, str)]
    else:
        text = spreadsheets.export_csv(assessment).decode("utf-8-sig")
        values = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    for dangerous in DANGEROUS:
        assert dangerous not in values
        assert "'" + dangerous in values


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_export_then_import_unchanged_means_no_changes(assessment, staff, extension):
    answer = Answer.objects.filter(assessment=assessment).first()
    answer.justification = "=1+1 is how they wrote it\r\n- second line\r\n@third"
    answer.evidence = "Décret n° 2019-12, art. 3 (العربية)"
    answer.save()
    before = snapshot(assessment)
    data = getattr(spreadsheets, f"export_{extension}")(assessment)

    plan = spreadsheets.plan(assessment, data, filename=f"a.{extension}", by=staff)
    assert plan.errors == []
    assert plan.changes == []
    assert plan.rows == Indicator.objects.filter(framework=assessment.framework).current().count()

    spreadsheets.apply(assessment, data, filename=f"a.{extension}", by=staff)
    assert snapshot(assessment) == before  # not even the revision moves


# --- Import: changes ---------------------------------------------------------------


def test_changed_cells_are_reported_then_applied_in_one_revision(assessment, focal_point):
    revision = assessment.revision
    plan = spreadsheets.plan(
        assessment, read("answers_good.csv"), filename="answers_good.csv", by=focal_point
    )
    assert plan.errors == []
    assert [(c.row, c.indicator_code, c.column, c.old, c.new) for c in plan.changes] == [
        (2, "MGI-D1.1-01", "answer", "absent", "fully_present"),
        (
            2,
            "MGI-D1.1-01",
            "justification",
            "No law yet.",
            "The Health Act (2019) covers every migrant.",
        ),
        (2, "MGI-D1.1-01", "evidence", "", "Health Act, art. 4"),
        (3, "MGI-D1.1-02", "answer", "absent", "partially_present"),
        (3, "MGI-D1.1-02", "justification", "No law yet.", "Only for residents."),
        (3, "MGI-D1.1-02", "evidence", "", "- Decree 12, s. 3"),
        (4, "MGI-D1.1-03", "answer", "absent", ""),
        (4, "MGI-D1.1-03", "justification", "No law yet.", "Not yet assessed."),
    ]
    assert Answer.objects.filter(assessment=assessment, value="fully_present").count() == 0

    result = spreadsheets.apply(
        assessment,
        read("answers_good.csv"),
        filename="answers_good.csv",
        by=focal_point,
        revision=plan.revision,
        fingerprint=plan.fingerprint,
    )
    assert result.changed_rows == 3
    answers = {
        a.indicator.code: a
        for a in Answer.objects.filter(assessment=assessment).select_related("indicator")
    }
    assert answers["MGI-D1.1-01"].value == "fully_present"
    assert answers["MGI-D1.1-02"].evidence == "- Decree 12, s. 3"  # the apostrophe escape is undone
    assert answers["MGI-D1.1-03"].value == ""
    assert answers["MGI-D1.2-01"].value == "absent"  # rows not in the file are left alone
    assert Assessment.objects.get(pk=assessment.pk).revision == revision + 1


def test_xlsx_numbers_are_text_and_missing_answers_are_created(government, staff):
    assessment = AssessmentFactory(government=government)  # no answer rows at all
    spreadsheets.apply(
        assessment, read("answers_good.xlsx"), filename="answers_good.xlsx", by=staff
    )
    answers = dict(
        Answer.objects.filter(assessment=assessment).values_list("indicator__code", "evidence")
    )
    assert answers == {
        "MGI-D1.1-01": "2019",  # typed as a number in the workbook
        "MGI-D1.1-02": "- Decree 12, s. 3",
        "MGI-D1.1-03": "",
    }


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("fully_present", "fully_present"),
        ("Fully present", "fully_present"),
        ("FULLY PRESENT", "fully_present"),
        ("fully-present", "fully_present"),
        ("Partially present", "partially_present"),
        ("absent", "absent"),
        ("Not applicable", "not_applicable"),
        ("n/a", "not_applicable"),
        ("", ""),
    ],
)
def test_answers_are_accepted_as_codes_or_labels(assessment, staff, written, stored):
    data = (",".join(spreadsheets.COLUMNS) + f"\nMGI-D1.1-01,,,,{written},No law yet.,\n").encode()
    spreadsheets.apply(assessment, data, filename="a.csv", by=staff)
    assert Answer.objects.get(assessment=assessment, indicator__code="MGI-D1.1-01").value == stored


def test_semicolon_csv_as_saved_by_excel_in_many_locales(assessment, staff):
    data = (
        ";".join(spreadsheets.COLUMNS) + "\nMGI-D1.1-01;;;;Fully present;Yes, by law.;\n"
    ).encode("utf-8-sig")
    plan = spreadsheets.plan(assessment, data, filename="a.csv", by=staff)
    assert plan.errors == []
    assert {(c.column, c.new) for c in plan.changes} == {
        ("answer", "fully_present"),
        ("justification", "Yes, by law."),
    }


# --- Import: every bad case changes nothing ---------------------------------------


def big_csv(rows: int) -> bytes:
    lines = [",".join(spreadsheets.COLUMNS)]
    lines += [f"MGI-D1.1-01,,,,Absent,row {n},\n" for n in range(rows)]
    return "\n".join(lines).encode()


BAD_FILES = [
    ("answers_wrong_columns.csv", "row 1: missing column(s): indicator_code, dimension"),
    (
        "answers_unknown_code.csv",
        "row 3, column indicator_code: unknown indicator code “MGI-D9.9-99”.",
    ),
    (
        "answers_other_framework.csv",
        "row 3, column indicator_code: indicator LMGI-D1-01 belongs to",
    ),
    (
        "answers_duplicate.csv",
        "row 4, column indicator_code: indicator MGI-D1.1-01 appears again (first in row 2).",
    ),
    ("answers_invalid_answer.csv", "row 3, column answer: “maybe” is not a valid answer"),
    (
        "answers_formula_text.csv",
        'row 3, column justification: “=HYPERLINK("http://e…” starts with =',
    ),
    ("answers_formula.xlsx", "row 3, column answer: the cell holds a formula"),
    ("not_a_spreadsheet.xlsx", "“not_a_spreadsheet.xlsx” is not an Excel workbook (.xlsx)"),
    ("not_a_spreadsheet.csv", "“not_a_spreadsheet.csv” is not a CSV text file"),
]


@pytest.mark.parametrize(("name", "message"), BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_bad_file_is_refused_with_a_row_level_message_and_changes_nothing(
    assessment, staff, name, message
):
    before = snapshot(assessment)
    plan = spreadsheets.plan(assessment, read(name), filename=name, by=staff)
    assert not plan.ok
    assert any(str(e).startswith(message) for e in plan.errors), [str(e) for e in plan.errors]
    with pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.apply(assessment, read(name), filename=name, by=staff)
    assert any(str(e).startswith(message) for e in refused.value.errors)
    assert snapshot(assessment) == before


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), "huge.csv", "The file is 5.0 MB; the limit is 5 MB."),
        (big_csv(2001), "long.csv", "The file has more than 2000 rows"),
        (b"", "empty.csv", "The file is empty"),
        (b"indicator_code\n", "answers.txt", "Upload an .xlsx or .csv file"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "“fake.xlsx” is not an Excel workbook"),
        (b"\xff\xfe\x00i\x00n", "utf16.csv", "“utf16.csv” is not a CSV text file"),
        (
            (",".join(spreadsheets.COLUMNS) + ",answer\nMGI-D1.1-01,,,,Absent,,,Absent\n").encode(),
            "twice.csv",
            "row 1: column answer appears twice.",
        ),
        (
            (",".join(spreadsheets.COLUMNS) + ",notes\nMGI-D1.1-01,,,,Absent,,,x\n").encode(),
            "extra.csv",
            "row 1: unexpected column “notes” (column H).",
        ),
        (
            (",".join(spreadsheets.COLUMNS) + "\n,,,,Absent,,\n").encode(),
            "nocode.csv",
            "row 2, column indicator_code: the indicator code is missing.",
        ),
        (
            (
                ",".join(spreadsheets.COLUMNS) + "\nMGI-D1.1-01,,,,Absent,\"@cmd|' /C calc'!A0\",\n"
            ).encode(),
            "dde.csv",
            "row 2, column justification: “@cmd|' /C calc'!A0…” starts with @",
        ),
    ],
    ids=[
        "5MB",
        "2001-rows",
        "empty",
        "txt",
        "fake-zip",
        "utf16",
        "dup-column",
        "extra-column",
        "no-code",
        "dde",
    ],
)
def test_malformed_input_is_refused_and_changes_nothing(assessment, staff, data, filename, message):
    before = snapshot(assessment)
    with pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.apply(assessment, data, filename=filename, by=staff)
    assert any(str(e).startswith(message) for e in refused.value.errors), [
        str(e) for e in refused.value.errors
    ]
    assert snapshot(assessment) == before


def test_a_zip_bomb_is_refused_before_it_is_inflated(assessment, staff, monkeypatch):
    monkeypatch.setattr(spreadsheets.xlsx, "MAX_UNZIPPED_BYTES", 10_000)
    data = spreadsheets.export_xlsx(assessment)  # ~13 KB zipped, more once inflated
    with pytest.raises(spreadsheets.SpreadsheetError, match="too large once uncompressed"):
        spreadsheets.apply(assessment, data, filename="a.xlsx", by=staff)


def test_one_bad_row_among_good_ones_changes_nothing(assessment, staff):
    data = read("answers_good.csv") + b"MGI-D1.2-01,,,,sometimes,,\n"
    before = snapshot(assessment)
    with pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.apply(assessment, data, filename="a.csv", by=staff)
    assert [str(e)[:40] for e in refused.value.errors] == [
        "row 5, column answer: “sometimes” is not"
    ]
    assert snapshot(assessment) == before


# --- Concurrency -----------------------------------------------------------------------


def test_an_edit_saved_after_the_preview_refuses_the_confirmation(assessment, staff, focal_point):
    data = read("answers_good.csv")
    plan = spreadsheets.plan(assessment, data, filename="a.csv", by=focal_point)
    # Meanwhile staff save the assessment page (every content save bumps the revision).
    Answer.objects.filter(assessment=assessment, indicator__code="MGI-D1.1-01").update(
        justification="Edited by staff."
    )
    workflow.bump_revision(assessment)
    before = snapshot(assessment)
    with pytest.raises(spreadsheets.StalePreview):
        spreadsheets.apply(
            assessment,
            data,
            filename="a.csv",
            by=focal_point,
            revision=plan.revision,
            fingerprint=plan.fingerprint,
        )
    assert snapshot(assessment) == before


def test_a_confirmation_must_apply_exactly_what_was_previewed(assessment, staff):
    data = read("answers_good.csv")
    plan = spreadsheets.plan(assessment, data, filename="a.csv", by=staff)
    before = snapshot(assessment)
    with pytest.raises(spreadsheets.StalePreview):
        spreadsheets.apply(
            assessment,
            data,
            filename="a.csv",
            by=staff,
            revision=plan.revision,
            fingerprint="something else",
        )
    assert snapshot(assessment) == before


# --- Who may import ----------------------------------------------------------------


def test_focal_point_of_another_government_is_refused(assessment):
    other = factories.official(GovernmentFactory(country="GH"), role="focal_point", username="gh")
    before = snapshot(assessment)
    with pytest.raises(workflow.NotEditable):
        spreadsheets.plan(assessment, read("answers_good.csv"), filename="a.csv", by=other)
    with pytest.raises(workflow.NotEditable):
        spreadsheets.apply(assessment, read("answers_good.csv"), filename="a.csv", by=other)
    assert snapshot(assessment) == before


def test_validator_is_refused(assessment, validator):
    before = snapshot(assessment)
    with pytest.raises(workflow.NotEditable):
        spreadsheets.apply(assessment, read("answers_good.csv"), filename="a.csv", by=validator)
    assert snapshot(assessment) == before


@pytest.mark.parametrize("status", sorted(set(S.values) - {S.DRAFT, S.RETURNED}))
def test_import_outside_draft_or_returned_is_refused_even_for_staff(assessment, staff, status):
    at(assessment, status)
    before = snapshot(assessment)
    with pytest.raises(workflow.NotEditable):
        spreadsheets.apply(assessment, read("answers_good.csv"), filename="a.csv", by=staff)
    assert snapshot(assessment) == before


def test_returned_assessment_may_be_imported_by_its_focal_point(assessment, focal_point):
    at(assessment, S.RETURNED)
    plan = spreadsheets.apply(
        assessment, read("answers_good.csv"), filename="a.csv", by=focal_point
    )
    assert plan.changed_rows == 3


# --- The management command ----------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assessment", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_lists_changes_and_saves_nothing(assessment, staff):
    before = snapshot(assessment)
    out, _err = run("chl", "2024", str(DATA / "answers_good.csv"), "--dry-run", "-v", "2")
    assert "row 2 MGI-D1.1-01 answer: 'absent' -> 'fully_present'" in out
    assert "3 row(s) read, 3 answer(s) would change (8 cell(s)), 0 unchanged." in out
    assert "Dry run: nothing was saved." in out
    assert snapshot(assessment) == before


def test_command_imports_and_prints_a_summary(assessment, focal_point):
    revision = assessment.revision
    out, _err = run("chl", "2024", str(DATA / "answers_good.xlsx"), "--user", "focal")
    assert "3 answer(s) changed (8 cell(s))" in out
    assert f"Revision is now {revision + 1}." in out
    assert Answer.objects.get(assessment=assessment, indicator__code="MGI-D1.1-01").value == (
        "fully_present"
    )


def test_command_refuses_a_bad_file_with_row_errors_and_changes_nothing(assessment, tmp_path):
    before = snapshot(assessment)
    with pytest.raises(CommandError) as refused:
        run("chl", "2024", str(DATA / "answers_invalid_answer.csv"))
    assert "answers_invalid_answer.csv was not imported; nothing changed" in str(refused.value)
    assert "row 3, column answer: “maybe” is not a valid answer" in str(refused.value)
    assert snapshot(assessment) == before


def test_command_checks_the_user_like_the_admin(assessment, validator):
    factories.official(GovernmentFactory(country="GH"), role="focal_point", username="gh")
    before = snapshot(assessment)
    for username in ("gh", "validator"):
        with pytest.raises(CommandError, match=r"You may not edit this assessment\."):
            run("chl", "2024", str(DATA / "answers_good.csv"), "--user", username)
    at(assessment, S.SUBMITTED)
    with pytest.raises(CommandError, match="its content can only change as a draft"):
        run("chl", "2024", str(DATA / "answers_good.csv"))
    assert snapshot(assessment)[0] == before[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gha", "2024", "x.csv"), "No assessment for government 'gha' in 2024."),
        (("chl", "2024", "/nonexistent/x.csv"), "No file at /nonexistent/x.csv."),
        (("chl", "2024", "x.csv", "--user", "nobody"), "No user 'nobody'."),
    ],
)
def test_command_says_what_is_missing(assessment, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)


# --- The admin pages -------------------------------------------------------------------


def url(name: str, assessment, **kwargs) -> str:
    return reverse(
        f"admin:profiles_assessment_spreadsheet{'_' + name if name else ''}",
        kwargs={"object_id": assessment.pk, **kwargs},
    )


def upload(client, assessment, name: str, data: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, data if data is not None else read(name))
    return client.post(url("upload", assessment), {"file": file})


def test_change_page_links_to_the_spreadsheet_page(client, assessment, focal_point):
    client.force_login(focal_point)
    page = client.get(reverse("admin:profiles_assessment_change", args=[assessment.pk]))
    assert url("", assessment) in page.content.decode()


def test_the_row_limit_is_shown_grouped(client, assessment, staff):
    """The admin is in English (outside the language prefixes): 2,000, not 2000."""
    client.force_login(staff)
    html = " ".join(client.get(url("", assessment)).content.decode().split())
    assert "have at most 2,000 rows" in html


@pytest.mark.parametrize(
    ("extension", "content_type", "magic"),
    [("xlsx", "application/vnd.openxmlformats", b"PK"), ("csv", "text/csv", b"\xef\xbb\xbf")],
)
def test_download(client, assessment, validator, extension, content_type, magic):
    client.force_login(validator)  # validators may read (not upload)
    response = client.get(url("download", assessment, extension=extension))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == (
        f'attachment; filename="mgi-chl-2024-answers.{extension}"'
    )
    assert response.content.startswith(magic)


def test_another_governments_official_cannot_see_the_pages(client, assessment):
    other = factories.official(GovernmentFactory(country="GH"), role="focal_point", username="gh")
    client.force_login(other)
    for address in (
        url("", assessment),
        url("download", assessment, extension="xlsx"),
        url("download", assessment, extension="csv"),
    ):
        assert client.get(address).status_code == 404
    before = snapshot(assessment)
    assert upload(client, assessment, "answers_good.csv").status_code == 404
    assert snapshot(assessment) == before


def test_validator_gets_no_upload_form_and_cannot_post_one(client, assessment, validator):
    client.force_login(validator)
    page = client.get(url("", assessment)).content.decode()
    assert 'type="file"' not in page
    assert "Uploading is not available" in page
    before = snapshot(assessment)
    assert upload(client, assessment, "answers_good.csv").status_code == 403
    assert snapshot(assessment) == before


def test_upload_preview_confirm(client, assessment, focal_point):
    client.force_login(focal_point)
    page = client.get(url("", assessment)).content.decode()
    assert 'type="file"' in page
    before = snapshot(assessment)

    response = upload(client, assessment, "answers_good.xlsx")
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "3 answer(s) would change (8 cell(s))" in html
    assert "<del>absent</del>" in html and "<ins>fully_present</ins>" in html
    assert snapshot(assessment) == before  # nothing saved by the preview

    confirm = response["Location"].replace("/preview/", "/confirm/")
    plan = preview.context["plan"]
    done = client.post(confirm, {"revision": plan.revision, "fingerprint": plan.fingerprint})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:profiles_assessment_change", args=[assessment.pk])
    assert Answer.objects.get(assessment=assessment, indicator__code="MGI-D1.1-01").value == (
        "fully_present"
    )
    from django.contrib.admin.models import LogEntry

    assert "Imported “answers_good.xlsx”: 3 answer(s) changed" in str(
        LogEntry.objects.get(object_id=str(assessment.pk)).get_change_message()
    )
    # The kept file is gone, and the token cannot be replayed.
    assert client.post(confirm, {"revision": plan.revision + 1}).status_code == 404


def test_upload_of_a_bad_file_shows_row_errors_and_saves_nothing(client, assessment, focal_point):
    client.force_login(focal_point)
    before = snapshot(assessment)
    response = upload(client, assessment, "answers_invalid_answer.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file cannot be imported" in html
    assert "row 3, column answer: “maybe” is not a valid answer" in html
    assert 'name="fingerprint"' not in html  # nothing to confirm
    assert snapshot(assessment) == before


def test_unchanged_file_says_so(client, assessment, focal_point):
    client.force_login(focal_point)
    data = spreadsheets.export_csv(assessment)
    response = upload(client, assessment, "a.csv", data)
    assert response.status_code == 200
    assert "there is nothing to change" in response.content.decode()


def test_confirmation_after_someone_else_saved_is_refused(client, assessment, focal_point):
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.csv")
    plan = client.get(response["Location"]).context["plan"]
    workflow.bump_revision(assessment)  # staff saved the page in the meantime
    before = snapshot(assessment)
    confirm = response["Location"].replace("/preview/", "/confirm/")
    done = client.post(confirm, {"revision": plan.revision, "fingerprint": plan.fingerprint})
    assert done.status_code == 302
    assert snapshot(assessment) == before
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("Someone else saved this assessment" in m for m in messages)


def test_confirmation_after_the_assessment_was_shared_is_refused(
    client, assessment, staff, focal_point
):
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.csv")
    plan = client.get(response["Location"]).context["plan"]
    workflow.apply(workflow.SHARE, assessment, by=staff)
    before = snapshot(assessment)
    confirm = response["Location"].replace("/preview/", "/confirm/")
    done = client.post(confirm, {"revision": plan.revision, "fingerprint": plan.fingerprint})
    assert done.status_code == 302
    assert snapshot(assessment) == before
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("its content can only change as a draft" in m for m in messages)
    assert client.get(response["Location"]).status_code == 404  # the upload was discarded


def test_a_preview_token_works_only_in_the_session_that_uploaded_it(
    client, assessment, focal_point, staff
):
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.csv")
    preview = response["Location"]
    plan = client.get(preview).context["plan"]
    client.force_login(staff)  # a new session
    assert client.get(preview).status_code == 404
    done = client.post(
        preview.replace("/preview/", "/confirm/"),
        {"revision": plan.revision, "fingerprint": plan.fingerprint},
    )
    assert done.status_code == 404
    assert Answer.objects.get(assessment=assessment, indicator__code="MGI-D1.1-01").value == (
        "absent"
    )


def test_discarding_a_preview_deletes_the_kept_file(client, assessment, focal_point, settings):
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.csv")
    kept = Path(settings.MEDIA_ROOT) / "spreadsheet-imports" / str(assessment.pk)
    assert len(list(kept.iterdir())) == 1
    confirm = response["Location"].replace("/preview/", "/confirm/")
    assert client.post(confirm, {"cancel": "1"}).status_code == 302
    assert list(kept.iterdir()) == []
    shutil.rmtree(kept)


# --- Uploads left in preview ---------------------------------------------------------


def kept_uploads(settings) -> dict[str, Path]:
    folder = Path(settings.MEDIA_ROOT) / "spreadsheet-imports"
    return {path.name: path for path in folder.glob("*/*")}


def abandon(settings, name: str, *, hours_ago: float) -> Path:
    """A kept upload that nobody confirmed, last written `hours_ago`."""
    path = Path(settings.MEDIA_ROOT) / "spreadsheet-imports" / "12345" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"indicator,answer\nMGI-D1.1-01,absent\n")
    then = time.time() - hours_ago * 3600
    os.utime(path, (then, then))
    return path


def test_an_upload_deletes_previews_abandoned_for_a_day(client, assessment, focal_point, settings):
    stale = abandon(settings, "stale.csv", hours_ago=30)
    recent = abandon(settings, "recent.csv", hours_ago=2)
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.xlsx")
    assert response.status_code == 302
    kept = kept_uploads(settings)
    assert stale.name not in kept and recent.name in kept
    assert len(kept) == 2  # the recent one and the new upload, still previewable
    assert client.get(response["Location"]).status_code == 200


def test_sweep_command_deletes_old_uploads_and_says_how_many(settings):
    abandon(settings, "stale.xlsx", hours_ago=30)
    abandon(settings, "recent.xlsx", hours_ago=2)
    out = io.StringIO()
    call_command("sweep_uploads", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 spreadsheet upload(s) older than 24 hours."
    assert set(kept_uploads(settings)) == {"recent.xlsx"}
    call_command("sweep_uploads", "--hours", "1", stdout=out)
    assert kept_uploads(settings) == {}
    call_command("sweep_uploads", stdout=out)  # nothing left, nothing to do
    assert out.getvalue().splitlines()[-1].startswith("Deleted 0 ")


def test_a_preview_whose_upload_was_swept_asks_for_the_file_again(
    client, assessment, focal_point, settings
):
    client.force_login(focal_point)
    preview = upload(client, assessment, "answers_good.xlsx")["Location"]
    for path in kept_uploads(settings).values():
        os.utime(path, (time.time() - 2 * 86400,) * 2)
    call_command("sweep_uploads", stdout=io.StringIO())
    response = client.get(preview, follow=True)
    assert response.redirect_chain[-1][0] == url("", assessment)
    assert "kept for a day and then deleted; upload the file again" in response.content.decode()


# --- Hostile workbooks, oversized uploads and file names ---------------------------------

SHEET = "xl/worksheets/sheet1.xml"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(parts: dict[str, bytes], *, base: str = "answers_good.xlsx") -> bytes:
    """`base` with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(read(base)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename not in parts:
                archive.writestr(info.filename, source.read(info.filename))
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def with_rows(extra: bytes) -> bytes:
    """answers_good.xlsx with `extra` row elements after its data."""
    sheet = zipfile.ZipFile(io.BytesIO(read("answers_good.xlsx"))).read(SHEET)
    return workbook({SHEET: sheet.replace(b"</sheetData>", extra + b"</sheetData>")})


def declare_size(data: bytes, name: str, size: int, *, crc: int | None = None) -> bytes:
    """The archive with `name`'s declared uncompressed size (and CRC) overwritten: a lie."""
    data = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo(name)
    struct.pack_into("<L", data, info.header_offset + 22, size)  # local header
    if crc is not None:
        struct.pack_into("<L", data, info.header_offset + 14, crc)
    offset = archive.start_dir
    while data[offset : offset + 4] == b"PK\x01\x02":  # central directory
        n, m, k = struct.unpack_from("<3H", data, offset + 28)
        if data[offset + 46 : offset + 46 + n].decode() == name:
            struct.pack_into("<L", data, offset + 24, size)
            if crc is not None:
                struct.pack_into("<L", data, offset + 16, crc)
        offset += 46 + n + m + k
    return bytes(data)


BOMB_HEAD = b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A workbook of ~300 KB whose sheet XML is 300 MiB once inflated."""
    source = zipfile.ZipFile(io.BytesIO(read("answers_good.xlsx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open(SHEET, "w") as sheet:
            sheet.write(BOMB_HEAD)
            chunk = b"x" * (1024 * 1024)
            for _ in range(300):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    data = out.getvalue()
    assert len(data) < 400_000
    return data


def lying_bombs(bomb: bytes) -> dict[str, bytes]:
    declared = 2000
    prefix = (BOMB_HEAD + b"x" * declared)[:declared]
    return {
        "honest header": bomb,
        "header says 2 KB": declare_size(bomb, SHEET, declared),
        # The checksum matches the first 2 KB, so a reader that stops at the declared
        # size sees nothing wrong, while one that inflates to the end gets 300 MiB.
        "header says 2 KB, checksum of 2 KB": declare_size(
            bomb, SHEET, declared, crc=zlib.crc32(prefix)
        ),
    }


@pytest.mark.parametrize(
    "kind", ["honest header", "header says 2 KB", "header says 2 KB, checksum of 2 KB"]
)
def test_a_zip_bomb_is_refused_by_the_bytes_it_inflates_whatever_its_header_says(
    assessment, staff, bomb, kind
):
    data = lying_bombs(bomb)[kind]
    before = snapshot(assessment)
    plan = spreadsheets.plan(assessment, data, filename="bomb.xlsx", by=staff)
    assert [str(e) for e in plan.errors] == [
        "The workbook is too large once uncompressed; remove unused sheets."
    ]
    with pytest.raises(spreadsheets.SpreadsheetError):
        spreadsheets.apply(assessment, data, filename="bomb.xlsx", by=staff)
    assert snapshot(assessment) == before


def test_a_zip_bomb_uploaded_in_the_admin_is_a_form_error_not_a_server_error(
    client, assessment, focal_point, bomb, settings
):
    client.force_login(focal_point)
    before = snapshot(assessment)
    response = upload(client, assessment, "bomb.xlsx", lying_bombs(bomb)["header says 2 KB"])
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file cannot be imported" in html
    assert "The workbook is too large once uncompressed" in html
    assert not (Path(settings.MEDIA_ROOT) / "spreadsheet-imports").exists()  # nothing kept
    assert snapshot(assessment) == before


def _read_in_child(data: bytes):
    """read_table() in a child process limited to 3 GiB of address space.

    The cases below make an unprotected reader allocate hundreds of gigabytes:
    that must fail in a child, not take the test run (or the machine) with it.
    """

    code = (
        "import os, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mgi_portal.settings')\n"
        "import django\n"
        "django.setup()\n"
        "from profiles.editing import spreadsheets\n"
        "try:\n"
        "    spreadsheets.read_table(sys.stdin.buffer.read(), filename='a.xlsx')\n"
        "    print('READ')\n"
        "except spreadsheets.SpreadsheetError as error:\n"
        "    print(error)\n"
    )
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0"}
    return subprocess.run(  # noqa: S603 (our interpreter, fixed code, our bytes)
        [sys.executable, "-c", code],
        input=data,
        capture_output=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
        check=False,
    )


SHEET_TOO_LARGE = "Sheet 1 is too large: it has values beyond row 2001 or column CV."
SHARED_STRINGS_REL = (
    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>'
)


def _shared_strings_bomb() -> bytes:

    rels = zipfile.ZipFile(io.BytesIO(read("answers_good.xlsx"))).read("xl/_rels/workbook.xml.rels")
    return workbook(
        {
            "xl/_rels/workbook.xml.rels": rels.replace(b"</Relationships>", SHARED_STRINGS_REL),
            "xl/sharedStrings.xml": b"<sst " + NS + b' count="1" uniqueCount="4000000000">'
            b"<si><t>a</t></si></sst>",
        }
    )


ALLOCATION_BOMBS = {
    "one value in cell XFD1048576": (
        lambda: with_rows(
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        ),
        SHEET_TOO_LARGE,
    ),
    "20,000 unnumbered cells, then row 900,000": (
        lambda: with_rows(
            b"<row>"
            + b'<c t="n"><v>1</v></c>' * 20_000
            + b'</row><row r="900000"><c t="n"><v>1</v></c></row>'
        ),
        SHEET_TOO_LARGE,
    ),
    "4 billion shared strings declared": (
        _shared_strings_bomb,
        "The workbook is too large once uncompressed; remove unused sheets.",
    ),
}


@pytest.mark.parametrize("case", list(ALLOCATION_BOMBS))
def test_a_small_workbook_that_would_make_the_reader_allocate_gigabytes_is_refused(case):
    make, message = ALLOCATION_BOMBS[case]
    data = make()
    assert len(data) < 100_000
    result = _read_in_child(data)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-1500:]
    assert result.stdout.decode().startswith(message), result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            b'<row r="2002"><c r="A2002" t="inlineStr"><is><t>MGI-D1.1-01</t></is></c></row>',
            "The file has more than 2000 rows; split it or remove empty rows.",
        ),
        (b'<row r="5"><c r="CW5" t="inlineStr"><is><t>a note</t></is></c></row>', SHEET_TOO_LARGE),
        (b'<row r="5">' + b'<c t="n"><v>1</v></c>' * 101 + b"</row>", SHEET_TOO_LARGE),
    ],
    ids=["row-2002", "column-CW", "101-unnumbered-cells"],
)
def test_values_beyond_the_rows_and_columns_read_are_refused(assessment, staff, extra, message):
    before = snapshot(assessment)
    plan = spreadsheets.plan(assessment, with_rows(extra), filename="a.xlsx", by=staff)
    assert [str(e) for e in plan.errors][:1] and str(plan.errors[0]).startswith(message)
    assert snapshot(assessment) == before


def test_empty_formatted_cells_far_away_do_not_count(assessment, staff):
    """Excel writes formatted empty cells; they hold nothing, so they are not refused."""
    data = with_rows(b'<row r="60000"><c r="XFD60000" s="0"/></row>')
    plan = spreadsheets.plan(assessment, data, filename="a.xlsx", by=staff)
    assert plan.errors == []
    assert plan.changed_rows == 3


def test_a_workbook_with_a_dtd_is_refused(assessment, staff):
    """No workbook part has a DTD; refusing one rules out entity expansion."""
    sheet = zipfile.ZipFile(io.BytesIO(read("answers_good.xlsx"))).read(SHEET)
    laughs = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    data = workbook({SHEET: laughs + sheet})
    plan = spreadsheets.plan(assessment, data, filename="a.xlsx", by=staff)
    assert [str(e) for e in plan.errors] == [
        "“a.xlsx” is not an Excel workbook (.xlsx); save it as .xlsx or .csv."
    ]


def test_a_part_whose_real_size_differs_from_its_header_is_refused(assessment, staff):
    data = read("answers_good.xlsx")
    for declared in (10, 10**6):
        plan = spreadsheets.plan(
            assessment, declare_size(data, SHEET, declared), filename="a.xlsx", by=staff
        )
        assert [str(e) for e in plan.errors] == [
            "“a.xlsx” is not an Excel workbook (.xlsx); save it as .xlsx or .csv."
        ]


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    client, assessment, focal_point, settings
):
    client.force_login(focal_point)
    before = snapshot(assessment)
    response = upload(client, assessment, "big.xlsx", b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is 5.0 MB; the limit is 5 MB." in html
    assert "The file cannot be imported" not in html  # the form refused it: nothing parsed it
    assert not (Path(settings.MEDIA_ROOT) / "spreadsheet-imports").exists()
    assert snapshot(assessment) == before


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../x.xlsx", "x.xlsx"),
        ("a/b.csv", "b.csv"),
        ("C:\\x.csv", "x.csv"),
        ("C:\\Users\\ana\\..\\answers.xlsx", "answers.xlsx"),
        ("..%2F..%2Fx.csv", "x.csv"),
        ("..\uff0f..\uff0fx.csv", "x.csv"),  # fullwidth solidus
        ("answers\u202ecsv.xlsx", "answerscsv.xlsx"),  # right-to-left override
        ("respuestas (versión 2).xlsx", "respuestas (versión 2).xlsx"),
        ("..", ""),
        ("a/", ""),
    ],
)
def test_a_file_name_is_reduced_to_its_last_part(name, clean):
    assert spreadsheets.clean_filename(name) == clean


@pytest.mark.parametrize("name", ["../../x.xlsx", "a/b.xlsx", "C:\\x.xlsx", "..%2Fx.xlsx"])
def test_messages_name_the_file_without_its_path(assessment, staff, name):
    plan = spreadsheets.plan(assessment, b"not a zip", filename=name, by=staff)
    message = str(plan.errors[0])
    assert message.startswith(f"“{name.replace('%2F', '/').replace(chr(92), '/').split('/')[-1]}”")
    assert "/" not in message and "\\" not in message and ".." not in message


def test_a_path_without_a_name_is_refused(assessment, staff):
    plan = spreadsheets.plan(assessment, read("answers_good.csv"), filename="../", by=staff)
    assert [str(e) for e in plan.errors] == ["Upload an .xlsx or .csv file (got “”)."]


def post_raw_upload(client, assessment, filename: str, data: bytes):
    """POST the file as any HTTP client can: with whatever name it likes."""
    boundary = "----mgi-test-boundary"
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST",
        url("upload", assessment),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    "name", ["../../answers_good.xlsx", "a/answers_good.xlsx", "C:\\answers_good.xlsx"]
)
def test_an_uploaded_name_carrying_a_path_reaches_the_preview_as_its_name_only(
    client, assessment, focal_point, settings, name
):
    client.force_login(focal_point)
    response = post_raw_upload(client, assessment, name, read("answers_good.xlsx"))
    assert response.status_code == 302
    (entry,) = client.session["spreadsheet_imports"].values()
    assert entry["filename"] == "answers_good.xlsx"
    kept = Path(settings.MEDIA_ROOT) / entry["path"]
    assert kept.parent == Path(settings.MEDIA_ROOT) / "spreadsheet-imports" / str(assessment.pk)
    html = client.get(response["Location"]).content.decode()
    assert "File “answers_good.xlsx”" in html
    assert "../" not in html and "C:\\" not in html


XSS_TEXTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
]


def test_the_preview_shows_hostile_text_and_names_as_text(client, assessment, focal_point):
    client.force_login(focal_point)
    lines = [",".join(spreadsheets.COLUMNS)]
    for code, text in zip(["MGI-D1.1-01", "MGI-D1.1-02", "MGI-D1.1-03"], XSS_TEXTS, strict=True):
        quoted = '"' + text.replace('"', '""') + '"'
        lines.append(f"{code},,,,Absent,{quoted},{quoted}")
    data = "\n".join(lines).encode()
    response = upload(client, assessment, "<img src=x onerror=alert(2)>.csv", data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert len(preview.context["plan"].changes) == 6
    for marker in ("<script>alert(1)", "<img src=x onerror", "onerror=alert(2)>"):
        assert marker not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "File “&lt;img src=x onerror=alert(2)&gt;.csv”" in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_text_starting_with_a_tab_or_carriage_return_survives_the_round_trip(
    assessment, staff, extension
):
    first, second, third = Answer.objects.filter(assessment=assessment).order_by("pk")[:3]
    Answer.objects.filter(pk=first.pk).update(justification="\tTabbed", evidence="\rReturned")
    Answer.objects.filter(pk=second.pk).update(justification="\t=1+1", evidence="\r@SUM(A1)")
    Answer.objects.filter(pk=third.pk).update(justification="+34 600", evidence="-")
    data = getattr(spreadsheets, f"export_{extension}")(assessment)

    if extension == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    else:
        text = data.decode("utf-8-sig")
        values = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [v for v in values if v.startswith(spreadsheets.FORMULA_TRIGGERS)]
    assert {"'\tTabbed", "'\t=1+1", "'+34 600", "'-"} <= set(values)

    plan = spreadsheets.plan(assessment, data, filename=f"a.{extension}", by=staff)
    assert plan.errors == []
    assert plan.changes == []
