"""The whole MGI process in a real browser, as each role would do it.

IOM staff create an assessment in the admin; the government's focal point
answers indicators in the admin form, downloads the pre-filled workbook,
completes it offline and uploads it (preview, then confirm); staff share the
draft for consultation; the focal point comments on an indicator and staff
resolve the comment; staff submit it for validation; the government's validator
signs off; staff publish. An anonymous visitor then reads the profile at
/profiles/<slug>/, while the government's next draft stays invisible to them.

Runs on pytest-django's `live_server` with Debian's Chromium (tests/e2e/conftest.py).
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from indicators import loader
from indicators.models import Framework, Indicator
from profiles import roles
from profiles.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ConsultationComment,
    Publication,
    Resolution,
    StatusChange,
)
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORM_JUSTIFICATION = "The Health Act 2019 opens public clinics to every migrant."
SHEET_JUSTIFICATION = "Answered offline by the Ministry of the Interior."
DRAFT_SECRET = "Unvalidated draft text that must never be public."


@pytest.fixture
def people(transactional_db):
    """Staff, and the focal point and validator of Chile (frameworks reloaded if flushed)."""
    if not Framework.objects.exists():
        loader.sync()
    roles.ensure_groups()
    staff = factories.UserFactory(username="iom-staff")
    staff.groups.add(Group.objects.get(name=roles.IOM_STAFF))
    chile = factories.GovernmentFactory()
    focal = factories.official(chile, role="focal_point", username="chile-focal")
    validator = factories.official(chile, role="validator", username="chile-validator")
    return {"staff": staff, "focal": focal, "validator": validator, "government": chile}


def choose(page: Page, field: str, search: str, option: str) -> None:
    """Pick a value in one of the admin's autocomplete (select2) widgets."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def open_assessment(page: Page, assessment: Assessment) -> None:
    page.goto(f"/admin/profiles/assessment/{assessment.pk}/change/")


def take_step(page: Page, name: str, button: str, *, timeout: float = 15_000) -> None:
    """Press one workflow button on the assessment page and expect it to succeed."""
    page.locator(f"#transition-{name}").get_by_role("button", name=button).click(timeout=timeout)
    expect(page.locator(".messagelist .success")).to_contain_text("Done")


def test_the_whole_process_from_draft_to_public_profile(
    page: Page, login, people, live_server, tmp_path: Path
):
    staff, focal, validator = people["staff"], people["focal"], people["validator"]
    indicators = list(
        Indicator.objects.filter(framework__slug=factories.NATIONAL)
        .current()
        .in_order()
        .values_list("code", flat=True)
    )
    first, second = indicators[0], indicators[1]

    # 1. IOM staff create the assessment in the admin.
    login(page, staff)
    page.goto("/admin/profiles/assessment/add/")
    choose(page, "government", "Chile", "Chile")
    choose(page, "framework", "GCM", "GCM-aligned")
    page.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assessment = Assessment.objects.get(government=people["government"], year=2024)
    assert assessment.status == AssessmentStatus.DRAFT

    # 2a. The focal point answers two indicators in the admin form.
    login(page, focal)
    open_assessment(page, assessment)
    block = page.locator(f'[id="indicator-{first}"]')
    block.get_by_label("Fully present").check()
    block.get_by_label("Justification").fill(FORM_JUSTIFICATION)
    block.get_by_label("Evidence references").fill("Health Act 2019, art. 4")
    page.locator(f'[id="indicator-{second}"]').get_by_label("Partially present").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Answer.objects.get(assessment=assessment, indicator__code=first).value == (
        "fully_present"
    )

    # 2b. ... then downloads the pre-filled workbook, completes it offline, uploads it.
    page.get_by_role("link", name="Spreadsheet: download / upload answers").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel workbook (.xlsx)").click()
    workbook_path = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook_path)
    assert workbook_path.name == "mgi-chl-2024-answers.xlsx"
    workbook = load_workbook(workbook_path)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    answer_col = header.index("answer") + 1
    justification_col = header.index("justification") + 1
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert sheet.cell(row=rows[first], column=justification_col).value == FORM_JUSTIFICATION
    for code, row in rows.items():
        if code not in (first, second):
            sheet.cell(row=row, column=answer_col, value="Absent")
            sheet.cell(row=row, column=justification_col, value=SHEET_JUSTIFICATION)
    workbook.save(workbook_path)

    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(workbook_path)
    page.get_by_role("button", name="Upload and preview changes").click()
    expect(page.get_by_role("heading", name="Check the changes before saving")).to_be_visible()
    changed = len(indicators) - 2
    expect(page.get_by_role("status")).to_contain_text(f"{changed} answer(s) would change")
    assert not Answer.objects.filter(assessment=assessment, value="absent").exists()
    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"{changed} answer(s) changed")
    assert Answer.objects.filter(assessment=assessment, value="absent").count() == changed

    # 3. Staff share the draft with the government for the consultation.
    login(page, staff)
    open_assessment(page, assessment)
    take_step(page, "share", "Share for consultation")
    expect(page.locator("#assessment-status")).to_have_text("In inter-ministerial consultation")

    # 4. A ministry's comment, entered by the focal point, is resolved by staff.
    login(page, focal)
    open_assessment(page, assessment)
    comment_form = page.locator("#add-comment")
    question = Indicator.objects.get(framework__slug=factories.NATIONAL, code=second).question
    comment_form.get_by_label("Indicator").select_option(label=f"{second} {question[:90]}")
    comment_form.get_by_label("Ministry or agency").fill("Ministry of Health")
    comment_form.get_by_label("Comment").fill("Clinics in the north are not yet covered.")
    comment_form.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments")).to_contain_text("Clinics in the north")

    login(page, staff)
    open_assessment(page, assessment)
    comment = ConsultationComment.objects.get(assessment=assessment)
    row = page.locator(f"#comment-{comment.pk}")
    row.get_by_label("Accept").check()
    row.get_by_label("Reason or note (required when declining)").fill("Noted in the text.")
    row.get_by_role("button", name="Resolve").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Accepted")
    comment.refresh_from_db()
    assert comment.resolution == Resolution.ACCEPTED

    take_step(page, "submit", "Submit for validation")

    # Nothing is public yet.
    page.context.clear_cookies()
    assert page.goto("/profiles/chl/").status == 404

    # 5. The government's validator signs off.
    login(page, validator)
    open_assessment(page, assessment)
    page.get_by_role("link", name="Validate (sign off)").click()
    expect(page.locator("#validated-en").get_by_text(FORM_JUSTIFICATION)).to_be_visible()
    # The exact signed content is there too, folded away until asked for.
    expect(page.locator("pre.mgi-canonical")).to_be_hidden()
    page.get_by_text("Show the exact content (JSON)").click()
    expect(page.locator("pre.mgi-canonical")).to_contain_text(FORM_JUSTIFICATION)
    page.get_by_label("Your name").fill("Ana Validator")
    page.get_by_label("Your title").fill("Director of Migration")
    page.get_by_label("Ministry or agency").fill("Ministry of the Interior")
    page.get_by_role("button", name="Validate (sign off)").click()
    expect(page.locator("#assessment-status")).to_have_text("Validated by the government")

    # 6. Staff publish now.
    login(page, staff)
    open_assessment(page, assessment)
    # Without REDIS_URL the page, PDF and data of every language are rendered during this
    # request (after the commit), so it takes longer than the other steps.
    take_step(page, "publish", "Publish", timeout=180_000)
    expect(page.locator("#assessment-status")).to_have_text("Published")
    publication = Publication.objects.get(assessment=assessment)
    assert publication.ready_at is not None
    assert list(
        StatusChange.objects.filter(assessment=assessment).values_list("transition", flat=True)
    ) == ["share", "submit", "validate", "publish"]

    # The government's next round is started; it is a draft.
    factories.AssessmentFactory(
        government=people["government"],
        year=2026,
        round_number=2,
        previous=assessment,
        introduction=DRAFT_SECRET,
    )

    # 7. An anonymous visitor reads the published profile, and nothing of the draft.
    page.context.clear_cookies()
    response = page.goto("/profiles/chl/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chile")
    expect(page.locator("main")).to_contain_text(FORM_JUSTIFICATION)
    expect(page.locator("main")).to_contain_text(SHEET_JUSTIFICATION)
    assert DRAFT_SECRET not in page.content()
    assert "2026" not in page.locator("h1").inner_text()
    assert page.goto("/profiles/chl/2026/").status == 404
    page.goto("/profiles/")
    assert DRAFT_SECRET not in page.content()
    admin = page.goto("/admin/profiles/assessment/")
    assert "/login/" in page.url, admin.status
