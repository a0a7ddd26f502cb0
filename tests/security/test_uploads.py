"""What government officials type, upload and comment, as an attacker would type it.

Every text field a focal point (or a ministry in consultation) can fill carries
its own marked payload: a `<script>`, an attribute break-out (`"><img onerror>`)
and a `javascript:` address. Published, each must reach the public page, the PDF
and the API as text, and no address that is not a web address may become a link
(forms refuse such addresses; a stored one is shown, never linked). Consultation
comments never reach a public surface. CSV and XLSX exports neutralise every
text cell that a spreadsheet would run as a formula, in every column.

Spreadsheet uploads themselves (zip bombs, oversized files, file names, the
preview) are tested in tests/profiles/editing/test_spreadsheets.py.
"""

import csv
import io
import json
import re
import subprocess
import zipfile
import zlib

import openpyxl
import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from profiles import workflow
from profiles.editing import spreadsheets
from profiles.models import (
    Answer,
    AnswerValue,
    Assessment,
    ConsultationComment,
    ContextFigure,
    FileKind,
    Finding,
    FindingKind,
    FollowUp,
    Publication,
    PublicationFile,
    Resolution,
    Source,
)
from profiles.workflow import consultation
from tests import factories
from tests.profiles.editing.test_admin import form_data
from tests.security.surfaces import body, crawl, public_urls
from tests.tools import require

pytestmark = pytest.mark.django_db

PDF_RENDERER = "profiles.outputs.pdf.store_pdfs"

# Markers that exist only if a payload reached an HTML page unescaped.
UNESCAPED = (b"<script>alert(", b"<img src=x onerror", b"onerror=alert(7)>")
SCRIPT_LINK = re.compile(
    rb"""(?i)\b(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(?:javascript|vbscript|data):"""
)
ACTIVE_TYPES = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml")
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


def hostile(field: str) -> str:
    """The payload for one field, marked with the field's name."""
    return (
        f'<script>alert("{field}")</script>"><img src=x onerror=alert("{field}")> '
        f'javascript:alert("{field}")'
    )


SHORT = '"><img src=x onerror=alert(7)>'  # fits the 40 characters of a figure's unit
# The texts of the published follow-up round, and where the public reads each.
FIELDS = [
    "introduction",
    "summary",
    "justification",
    "evidence",
    "finding_well",
    "finding_potential",
    "source_title",
    "source_issuer",
    "figure_label",
    "figure_source",
    "follow_up_note",
]
COMMENT_FIELDS = ["comment_text", "comment_ministry", "resolution_note"]


def _hostile_follow_up(*, staff, validator, focal_point, government, settings):
    """Round 1 published plainly; round 2, every text hostile, published with its PDFs."""
    settings.MGI_PUBLICATION_RENDERERS = [
        r for r in settings.MGI_PUBLICATION_RENDERERS if r != PDF_RENDERER
    ]
    first = factories.AssessmentFactory(government=government, year=2020)
    factories.published(first, staff=staff, validator=validator)
    earlier = Finding.objects.get(assessment=first, kind=FindingKind.POTENTIAL)

    second = factories.AssessmentFactory(
        government=government,
        year=2024,
        round_number=2,
        previous=first,
        introduction=hostile("introduction"),
        summary=hostile("summary"),
    )
    factories.answer_all(second, value=AnswerValue.PARTIALLY, text=hostile("justification"))
    Finding.objects.filter(assessment=second).delete()
    dimension = second.framework.dimensions.get(code=2)
    Finding.objects.create(
        assessment=second,
        dimension=dimension,
        kind=FindingKind.WELL_DEVELOPED,
        text=hostile("finding_well"),
        is_good_practice=True,
    )
    Finding.objects.create(
        assessment=second,
        dimension=dimension,
        kind=FindingKind.POTENTIAL,
        text=hostile("finding_potential"),
    )
    # Addresses are stored directly, as a shell or an old backup could: the admin
    # forms refuse them (see the tests below), the pages must not link them.
    source = Source.objects.create(
        assessment=second,
        title=hostile("source_title"),
        issuer=hostile("source_issuer"),
        year=2020,
        url="javascript:alert('source_url')",
    )
    Source.objects.create(
        assessment=second,
        title="Decree 12",
        year=2021,
        url="data:text/html,<script>alert('data_url')</script>",
    )
    answers = Answer.objects.filter(assessment=second).order_by("pk")
    answers.update(evidence=hostile("evidence"))
    answers.first().sources.add(source)
    ContextFigure.objects.create(
        assessment=second,
        kind="other",
        label=hostile("figure_label"),
        value=1000,
        unit=SHORT,
        year=2020,
        source=hostile("figure_source"),
        source_url="JaVaScRiPt:alert('figure_url')",
    )
    FollowUp.objects.create(
        assessment=second,
        finding=earlier,
        progress="partly_addressed",
        note=hostile("follow_up_note"),
    )

    workflow.apply(workflow.SHARE, second, by=staff)
    comment = consultation.add_comment(
        second,
        by=focal_point,
        indicator=answers.first().indicator,
        ministry=hostile("comment_ministry"),
        text=hostile("comment_text"),
    )
    consultation.resolve_comment(
        comment, by=staff, resolution=Resolution.DECLINED, note=hostile("resolution_note")
    )
    workflow.apply(workflow.SUBMIT, second, by=staff)
    workflow.apply(workflow.VALIDATE, second, by=validator, sign_off=factories.sign_off_for(second))
    settings.MGI_PUBLICATION_RENDERERS = [*settings.MGI_PUBLICATION_RENDERERS, PDF_RENDERER]
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, second, by=staff)
    return Publication.objects.get(assessment=second)


def _strings(value) -> list[str]:
    """Every string in a decoded JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _pdf_objects(data: bytes) -> bytes:
    """The PDF with every stream decompressed, so link annotations can be searched."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return data + b"".join(found)


def _pdf_text(data: bytes) -> str:
    pdftotext = require(
        "pdftotext", "poppler-utils reads the PDFs; install it with `make system-deps`"
    )
    # A fixed poppler command on bytes we rendered: no untrusted input reaches the shell.
    result = subprocess.run(  # noqa: S603
        [pdftotext, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"\s", "", result.stdout.decode())


def test_hostile_text_in_every_field_is_text_on_the_page_in_the_pdf_and_in_the_api(
    staff, validator, focal_point, government, settings
):
    publication = _hostile_follow_up(
        staff=staff,
        validator=validator,
        focal_point=focal_point,
        government=government,
        settings=settings,
    )
    client = Client()

    # The public page: every field shown, escaped; no address but a web one is a link.
    for language in ("en", "ar"):
        with translation.override(language):
            page_url = publication.get_absolute_url()
        page = client.get(page_url)
        assert page.status_code == 200, page_url
        html = page.content
        assert not [m for m in UNESCAPED if m in html], page_url
        assert not SCRIPT_LINK.search(html), SCRIPT_LINK.search(html).group(0)
        text = html.decode()
        missing = [f for f in FIELDS if escape(hostile(f)) not in text]
        assert missing == [], f"{page_url}: not shown (escaped): {missing}"
        assert escape(SHORT) in text
        for field in COMMENT_FIELDS:
            assert field not in text  # consultation comments are never public

    # The PDF: every field is text (an unescaped tag would not be printed), and its
    # only links are web addresses.
    pdf = PublicationFile.objects.get(publication=publication, kind=FileKind.PDF, language="en")
    data = pdf.file.read()
    uris = re.findall(rb"/URI\s*\((.*?)\)\s*[/>]", _pdf_objects(data), re.DOTALL)
    assert uris, "the PDF has no links at all (its permalink should be one)"
    assert [u for u in uris if not re.match(rb"https?://", u.strip())] == []
    assert not re.search(rb"(?i)javascript:|vbscript:|data:text", b" ".join(uris))
    printed = _pdf_text(data)
    in_pdf = [f for f in FIELDS if re.sub(r"\s", "", hostile(f)) not in printed]
    assert in_pdf == [], f"not printed as text in the PDF: {in_pdf}"
    assert not [f for f in COMMENT_FIELDS if f in printed]

    # The API: the same texts as data (JSON strings), never interpreted or altered;
    # the browsable API shows them escaped.
    api = client.get(f"/api/v1/publications/{publication.pk}/")
    assert api["Content-Type"].startswith("application/json")
    assert api["X-Content-Type-Options"] == "nosniff"
    strings = _strings(json.loads(api.content))
    assert [f for f in FIELDS if hostile(f) not in strings] == []
    assert "javascript:alert('source_url')" in strings  # data, not a link
    assert not [f for f in COMMENT_FIELDS if any(f in s for s in strings)]
    browsable = client.get(f"/api/v1/publications/{publication.pk}/", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    assert not [m for m in UNESCAPED if m in browsable.content]
    assert not SCRIPT_LINK.search(browsable.content)

    # Everything else public (lists, search, good practices, indicator pages, files,
    # open data, API lists), found by crawling: no unescaped markup, no script link,
    # no comment, no server error.
    failures = []

    def visit(url, response):
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        data = body(response)
        content_type = response.get("Content-Type", "")
        if content_type.startswith(ACTIVE_TYPES):
            failures.extend(f"{url}: {m!r}" for m in UNESCAPED if m in data)
            if SCRIPT_LINK.search(data):
                failures.append(f"{url}: {SCRIPT_LINK.search(data).group(0)!r}")
        failures.extend(f"{url}: {f}" for f in COMMENT_FIELDS if f.encode() in data)

    crawl(client, ["/", "/good-practices/", *public_urls([publication])], limit=200, visit=visit)
    assert failures == []


def test_consultation_comments_are_escaped_on_the_admin_page(
    client, staff, focal_point, government
):
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    indicator = Answer.objects.filter(assessment=assessment).first().indicator
    comment = consultation.add_comment(
        assessment,
        by=focal_point,
        indicator=indicator,
        ministry=hostile("comment_ministry"),
        text=hostile("comment_text"),
    )
    consultation.resolve_comment(
        comment, by=staff, resolution=Resolution.DECLINED, note=hostile("resolution_note")
    )
    for user in (staff, focal_point):
        client.force_login(user)
        for address in (
            reverse("admin:profiles_assessment_change", args=[assessment.pk]),
            reverse("admin:profiles_consultationcomment_changelist"),
            reverse("admin:profiles_consultationcomment_change", args=[comment.pk]),
        ):
            page = client.get(address)
            assert page.status_code == 200, (user, address)
            assert not [m for m in UNESCAPED if m in page.content], (user, address)
            assert not SCRIPT_LINK.search(page.content), (user, address)
        page = client.get(reverse("admin:profiles_assessment_change", args=[assessment.pk]))
        text = page.content.decode()
        for field in COMMENT_FIELDS:
            assert escape(hostile(field)) in text, (user, field)
    assert ConsultationComment.objects.get(pk=comment.pk).text == hostile("comment_text")


# --- Addresses: no `javascript:` can be saved through the portal ------------------------


@pytest.fixture
def draft(government):
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment)
    return assessment


@pytest.mark.parametrize("address", SCRIPT_URLS)
def test_the_assessment_page_refuses_script_addresses_for_sources_and_figures(
    client, focal_point, draft, address
):
    client.force_login(focal_point)
    change = reverse("admin:profiles_assessment_change", args=[draft.pk])
    data = form_data(client.get(change))
    data.update(
        {
            "sources-TOTAL_FORMS": "1",
            "sources-0-title": "Law 21.325",
            "sources-0-kind": "law",
            "sources-0-url": address,
            "context_figures-TOTAL_FORMS": "1",
            "context_figures-0-kind": "migrant_stock",
            "context_figures-0-value": "1625074",
            "context_figures-0-unit": "people",
            "context_figures-0-year": "2023",
            "context_figures-0-source": "INE",
            "context_figures-0-source_url": address,
            "context_figures-0-position": "0",
        }
    )
    revision = Assessment.objects.get(pk=draft.pk).revision
    response = client.post(change, data)
    assert response.status_code == 200  # the page again, with the errors
    errors = {
        (inline.formset.prefix, name)
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        for name in form.errors
    }
    assert {("sources", "url"), ("context_figures", "source_url")} <= errors
    assert not Source.objects.filter(assessment=draft).exists()
    assert not ContextFigure.objects.filter(assessment=draft).exists()
    assert Assessment.objects.get(pk=draft.pk).revision == revision


@pytest.mark.parametrize("address", SCRIPT_URLS)
def test_the_source_and_figure_pages_refuse_script_addresses(client, staff, draft, address):
    client.force_login(staff)
    response = client.post(
        reverse("admin:profiles_source_add"),
        {"assessment": draft.pk, "title": "Law", "kind": "law", "url": address},
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:profiles_contextfigure_add"),
        {
            "assessment": draft.pk,
            "kind": "migrant_stock",
            "value": "1",
            "unit": "people",
            "year": "2023",
            "source": "INE",
            "source_url": address,
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "source_url" in response.context["adminform"].form.errors
    assert not Source.objects.filter(assessment=draft).exists()
    assert not ContextFigure.objects.filter(assessment=draft).exists()


@pytest.mark.parametrize("address", SCRIPT_URLS)
def test_models_refuse_script_addresses_on_validation(draft, address):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Source(assessment=draft, title="Law", url=address).full_clean()
    assert "url" in refused.value.error_dict
    figure = ContextFigure(
        assessment=draft,
        kind="migrant_stock",
        value=1,
        unit="people",
        year=2023,
        source="INE",
        source_url=address,
    )
    with pytest.raises(ValidationError) as refused:
        figure.full_clean()
    assert "source_url" in refused.value.error_dict


@pytest.mark.parametrize("column", ["url", "source_url"])
def test_the_spreadsheet_import_cannot_set_an_address(draft, staff, column):
    """Uploads write answers only; a column of addresses is refused, nothing changes."""
    assert not {"url", "source_url"} & set(spreadsheets.COLUMNS)
    data = (
        ",".join([*spreadsheets.COLUMNS, column])
        + "\nMGI-D1.1-01,,,,Absent,No law.,,javascript:alert(1)\n"
    ).encode()
    revision = Assessment.objects.get(pk=draft.pk).revision
    plan = spreadsheets.plan(draft, data, filename="a.csv", by=staff)
    assert [str(e) for e in plan.errors] == [f"row 1: unexpected column “{column}” (column H)."]
    with pytest.raises(spreadsheets.SpreadsheetError):
        spreadsheets.apply(draft, data, filename="a.csv", by=staff)
    assert Assessment.objects.get(pk=draft.pk).revision == revision


# --- Exports: no text cell runs as a formula, in any column -------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\t@SUM(A1)",
    "\r-2+3",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NAME = "=cmd|' /C calc'!A0"  # a local government's name, as staff typed it
# The columns whose text an official (or staff, for the name) typed.
USER_COLUMNS = {
    "publications": ["government_name"],
    "answers": ["government_name", "justification", "evidence", "source_titles"],
    "findings": ["government_name", "text"],
    "context_figures": ["government_name", "label", "unit", "source", "source_url"],
}


@pytest.fixture
def formula_publication(staff, settings):
    """A live local profile whose every typed text starts like a formula."""
    settings.MGI_PUBLICATION_RENDERERS = ["profiles.outputs.exports.render_publication_data"]
    government = factories.LocalGovernmentFactory(name=NAME, country="CL")
    validator = factories.official(government, role="validator", username="formula-validator")
    assessment = factories.AssessmentFactory(government=government, year=2023)
    factories.answer_all(assessment)
    answers = list(Answer.objects.filter(assessment=assessment).order_by("pk"))
    for n, answer in enumerate(answers):
        answer.justification = FORMULAS[n % len(FORMULAS)]
        answer.evidence = FORMULAS[(n + 1) % len(FORMULAS)]
    Answer.objects.bulk_update(answers, ["justification", "evidence"])
    dimension = assessment.framework.dimensions.get(code=3)
    for n, text in enumerate(FORMULAS):
        source = Source.objects.create(assessment=assessment, title=text, year=2000 + n)
        answers[n].sources.add(source)
        Finding.objects.create(
            assessment=assessment, dimension=dimension, kind=FindingKind.POTENTIAL, text=text
        )
        ContextFigure.objects.create(
            assessment=assessment,
            kind="other",
            label=text,
            value=n,
            unit=text,
            year=2020,
            source=text,
            source_url=text,
            position=n,
        )
    factories.published(assessment, staff=staff, validator=validator)
    return Publication.objects.get(assessment=assessment)


def _starts_like_a_formula(cells) -> list[str]:
    return [c[:30] for c in cells if isinstance(c, str) and c.startswith(TRIGGERS)]


def _neutralised(cells, *, xlsx: bool = False) -> set[str]:
    """The payloads found with the apostrophe that neutralises them."""
    found = set()
    for cell in cells:
        if not isinstance(cell, str):
            continue
        for text in [*FORMULAS, NAME]:
            expected = "'" + text
            # In XLSX a carriage return is written as the escape _x000D_ (Excel reads it
            # back as one) or normalised to a line feed by XML.
            variants = {expected.replace("\r", "_x000D_"), expected.replace("\r", "\n")}
            if cell == expected or (xlsx and cell in variants):
                found.add(text)
    return found


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _check_table(name: str, rows: list[list], *, xlsx: bool = False) -> None:
    header, *cells = rows
    assert cells, f"{name}: no rows"
    flat = [c for row in cells for c in row]
    assert _starts_like_a_formula(flat) == [], name
    for column in USER_COLUMNS.get(name, []):
        values = [row[header.index(column)] for row in cells]
        assert _neutralised(values, xlsx=xlsx), f"{name}.{column}: no neutralised payload"
    if name in ("answers", "context_figures"):
        assert _neutralised(flat, xlsx=xlsx) == {*FORMULAS, NAME}, name


def test_every_text_column_of_every_csv_export_is_neutralised(client, formula_publication):
    response = client.get("/data/mgi-open-data-csv.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    for member in archive.namelist():
        if member.endswith(".csv"):
            _check_table(member.removesuffix(".csv"), _csv_rows(archive.read(member)))
    publication = formula_publication
    one = client.get(
        f"/profiles/{publication.government.slug}/{publication.year}/v{publication.version}/data.csv"
    )
    assert one.status_code == 200
    _check_table("answers", _csv_rows(body(one)))


def test_every_text_column_of_the_xlsx_export_is_neutralised(client, formula_publication):
    response = client.get("/data/mgi-open-data.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    for sheet in workbook:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], sheet.title
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        _check_table(sheet.title, rows, xlsx=True)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_answers_spreadsheet_download_is_neutralised(
    client, staff, formula_publication, extension
):
    client.force_login(staff)
    assessment = formula_publication.assessment
    response = client.get(
        reverse(
            "admin:profiles_assessment_spreadsheet_download",
            kwargs={"object_id": assessment.pk, "extension": extension},
        )
    )
    assert response.status_code == 200
    if extension == "csv":
        rows = _csv_rows(response.content)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, *cells = rows
    flat = [c for row in cells for c in row]
    assert _starts_like_a_formula(flat) == []
    for column in ("justification", "evidence"):
        values = [row[header.index(column)] for row in cells]
        assert _neutralised(values, xlsx=extension == "xlsx") == set(FORMULAS), column
