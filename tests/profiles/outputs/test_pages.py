"""Profile pages are rendered once at publication, per language, and served as stored."""

import hashlib
import re

import pytest
from django.utils import translation

from profiles.models import FileKind, Government, PublicationFile
from profiles.outputs import document, pages
from profiles.publishing import rendering
from tests.factories import AssessmentFactory, LocalGovernmentFactory
from tests.profiles.publications import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def chile(government, staff, validator, settings):
    return publish(
        AssessmentFactory(government=government),
        staff=staff,
        validator=validator,
        settings=settings,
    )


def test_page_renderer_is_registered_for_publication():
    assert pages.render_profile_pages in rendering.renderers()


def test_publication_stores_one_page_body_per_language_with_its_hash(chile):
    rows = {r.language: r for r in PublicationFile.objects.filter(publication=chile, kind="html")}
    assert sorted(rows) == ["ar", "en", "es", "fr"]
    for row in rows.values():
        data = row.file.read()
        assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size
        assert b"Introduction text." in data
    assert 'dir="rtl"' not in rows["ar"].file.open().read().decode()  # a body, not a page


def test_the_view_serves_the_stored_body_rather_than_rendering_it(client, chile):
    row = PublicationFile.objects.get(publication=chile, kind=FileKind.HTML, language="fr")
    row.file.save(row.file.name.rsplit("/", 1)[-1], __import__("io").BytesIO(b"<p>STORED</p>"))
    html = client.get("/fr/profiles/chl/").content.decode()
    assert "<p>STORED</p>" in html and "Introduction text." not in html
    assert "Introduction text." in client.get("/profiles/chl/").content.decode()


def test_a_missing_stored_body_is_rendered_on_demand(client, chile):
    PublicationFile.objects.filter(publication=chile, kind=FileKind.HTML).delete()
    assert "Introduction text." in client.get("/es/profiles/chl/").content.decode()


def test_rendering_again_replaces_the_files(chile):
    pages.render_profile_pages(chile)
    assert PublicationFile.objects.filter(publication=chile, kind="html").count() == 4


def test_title_citation_and_json_ld_come_from_the_publication(chile):
    content = chile.content
    assert document.profile_title(content) == "Migration Governance Indicators Profile 2024 | Chile"
    local = {**content, "government": {**content["government"], "level": "local", "name": "X"}}
    assert document.profile_title(local).startswith("Local Migration Governance Indicators Profile")
    cite = document.citation(chile, content)
    assert "version 1" in cite.plain and "/profiles/chl/2024/v1/" in cite.plain
    assert cite.bibtex.startswith("@misc{mgi-chl-2024-v1,") and chile.content_hash in cite.bibtex
    ld = pages.dataset_json_ld(chile, content, [])
    assert '"@type": "Dataset"' in ld and "<" not in ld


def test_bar_chart_mirrors_for_arabic():
    from django.utils import translation

    with translation.override("en"):
        ltr = pages.bar_rows([("a", 10, "10"), ("b", 5, "5")])
    with translation.override("ar"):
        rtl = pages.bar_rows([("a", 10, "10"), ("b", 5, "5")])
    assert ltr["rows"][0]["bar_x"] == 0 and ltr["rows"][1]["bar_width"] == 230
    assert rtl["rows"][0]["bar_x"] == 600 - 460 and rtl["direction"] == "rtl"


def test_world_map_marks_assessed_countries_only():
    svg = pages.world_map(["CL", "GH", "<x"], label_id="cap")
    assert '<path id="c-CL" class="assessed"' in svg and '<path id="c-GH" class="assessed"' in svg
    assert '<path id="c-FR" class="assessed"' not in svg and 'aria-labelledby="cap"' in svg


def test_local_page_body_names_the_local_government(staff, settings):
    from tests import factories

    local = LocalGovernmentFactory()
    validator = factories.official(local, role="validator", username="lv")
    publication = publish(
        AssessmentFactory(government=local, year=2023),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    body = pages.render_body(publication, "en")
    assert "Validated by Ana Validator, Director, Ministry of the Interior" in body


def test_the_document_reads_the_frozen_content_not_the_live_government(chile):
    """A government changed since never changes an old version when it is rendered again."""
    Government.objects.filter(pk=chile.government_id).update(country="AR")
    chile.refresh_from_db()
    with translation.override("en"):
        doc = document.build(chile, "en")
    assert doc.government_name == "Chile"
    assert doc.title == "Migration Governance Indicators Profile 2024 | Chile"
    assert doc.citation.bibtex.startswith("@misc{mgi-chl-2024-v1,")


@pytest.mark.parametrize("prefix", ["", "/fr", "/es", "/ar"])
def test_every_page_links_open_data_the_api_and_the_accessibility_statement(client, chile, prefix):
    """Nothing hidden: each public page's footer leads to /data/, the API and the statement."""
    paths = [
        "/",
        "/profiles/",
        "/profiles/chl/",
        "/profiles/chl/2024/v1/",
        "/indicators/",
        "/indicators/gcm/",
        "/good-practices/",
        "/about/",
        "/data/",
        "/accessibility/",
        "/no-such-page/",
    ]
    for path in paths:
        html = client.get(prefix + path).content.decode()
        assert f'href="{prefix}/data/"' in html, path
        assert 'href="/api/v1/docs/"' in html, path
        assert f'href="{prefix}/accessibility/"' in html, path


def test_accessibility_statement_names_the_standard_its_limits_and_a_contact(client):
    html = client.get("/fr/accessibility/").content.decode()
    assert '<html lang="fr"' in html
    assert "WCAG" in html and "2.2" in html
    assert 'id="limits-heading"' in html and 'href="mailto:' in html
    assert "/fr/accessibility/" in client.get("/sitemap-pages.xml").content.decode()


@pytest.mark.parametrize(
    "path", ["/good-practices/?level=nowhere", "/profiles/?level=nowhere", "/fr/profiles/?level=x"]
)
def test_a_form_with_errors_starts_with_a_focused_summary_linking_each_field(client, path):
    """The GOV.UK error summary: focused on load, each error links to its field, whose
    aria-describedby names the error message's id."""
    html = client.get(path).content.decode()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'tabindex="-1" autofocus' in summary
    assert '<a href="#id_level">' in summary
    assert html.index('class="error-summary"') < html.index("<form")
    field = re.search(r"<select[^>]*\bid=\"id_level\"[^>]*>", html).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert 'aria-invalid="true"' in field
    assert any(f'id="{name}"' in html and "field-error" in html for name in described)
    assert 'id="id_level_error"' in html and "id_level_error" in described


def test_a_valid_form_has_no_error_summary(client):
    assert (
        'class="error-summary"' not in client.get("/good-practices/?level=local").content.decode()
    )


def test_contents_number_each_dimension_once(client, chile):
    """ "1. Migrants' rights", not "4. 1. Migrants' rights": the list adds no numbers of its own."""
    toc = client.get("/profiles/chl/").content.decode().split('class="toc"', 1)[1]
    toc = toc.split("</nav>", 1)[0]
    assert "<ol" not in toc
    assert re.search(r'<a href="#dimension-1">1\. [^<]+</a>', toc)


def test_chart_labels_left_in_the_original_say_their_language_on_page_and_pdf(
    government, staff, validator, settings
):
    """An untranslated custom label in an Arabic chart is English, not laid out right to left."""
    from profiles.models import ContextFigure
    from profiles.outputs import pdf

    assessment = AssessmentFactory(government=government)
    for position, label in enumerate(["Seasonal farm workers", "Cross-border commuters"]):
        ContextFigure.objects.create(
            assessment=assessment,
            kind="other",
            label=label,
            value=1000 * (position + 1),
            unit="people",
            year=2023,
            source="Labour ministry",
            position=position,
        )
    publication = publish(assessment, staff=staff, validator=validator, settings=settings)
    arabic = pages.render_body(publication, "ar")
    assert 'class="bar-label" lang="en" direction="ltr">Seasonal farm workers</text>' in arabic
    english = pages.render_body(publication, "en")
    assert 'class="bar-label">Seasonal farm workers</text>' in english
    with translation.override("ar"):
        bars = pdf.context(publication, language="ar")["bars"]
    assert [bar.label_lang for bar in bars] == ["en", "en"]
