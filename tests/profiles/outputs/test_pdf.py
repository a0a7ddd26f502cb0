"""Profile PDFs: real WeasyPrint renders, checked with poppler (pdftotext, pdfinfo).

Rendering is the slow part (about 2 s per language for a national profile on
this machine), so one module fixture publishes one profile, keeps the four
stored PDFs' bytes and rolls the database back; the download tests publish
their own (smaller, local) profiles.
"""

import datetime
import re
import subprocess
import unicodedata
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profiles import content as profile_content
from profiles import roles, workflow
from profiles.models import (
    Answer,
    ContentTranslation,
    ContextFigure,
    FileKind,
    PublicationFile,
    Source,
)
from profiles.outputs import document, pdf
from tests import factories
from tests.factories import SIGN_OFF, AssessmentFactory, GovernmentFactory, LocalGovernmentFactory
from tests.tools import require


@pytest.fixture(scope="module", autouse=True)
def _poppler():
    require("pdftotext", "poppler-utils reads the PDFs; install it with `make system-deps`")


pytestmark = [
    pytest.mark.usefixtures("with_pdfs"),
    # Marked so pytest-django runs these with the other database tests, before the
    # transactional (browser) tests flush the framework data out of the test database.
    pytest.mark.django_db,
]

KNOWN = "Health centres serve every migrant regardless of status, per the Health Act 2019."
EVIDENCE = "Health Act 2019, article 4"
SUMMARY_AR = "ملخص مترجم للملف."  # a validated Arabic translation of the summary
SOURCE = ("Migration Law 21.325", "Congress of the Republic")
SOURCE_FR = ("Loi sur les migrations 21.325", "Congrès de la République")  # its translation
XSS = '<script>alert("x")</script><img src="http://example.com/x.png"> & <b>bold</b>'
DIMENSIONS = [
    "Migrants' rights",
    "Whole of government approach",
    "Partnerships",
    "Well-being of migrants",
    "Mobility dimension of crises",
    "Safe, orderly and regular migration",
]


def run(*args: str, data: bytes) -> str:
    # Fixed poppler commands on bytes we rendered: no untrusted input reaches the shell.
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()  # noqa: S603


def text_of(data: bytes) -> str:
    """The PDF's text in reading order, whitespace collapsed (pages split by form feeds)."""
    return run("pdftotext", "-enc", "UTF-8", "-", "-", data=data)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def info(data: bytes) -> dict[str, str]:
    lines = run("pdfinfo", "-", data=data).splitlines()
    return {
        key: value.strip() for key, value in (line.split(":", 1) for line in lines if ":" in line)
    }


def objects(data: bytes) -> bytes:
    """Every stream decompressed, so catalog entries in object streams can be searched."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return data + b"".join(found)


def arabic_letters(text: str) -> list[str]:
    """Arabic letters as a sorted multiset: pdftotext may give lam-alef in visual order,
    and presentation forms, so compare letters, not their order."""
    letters = unicodedata.normalize("NFKC", text)
    return sorted(ch for ch in letters if "\u0621" <= ch <= "\u064a")


def _title_in(publication, language: str) -> str:
    with translation.override(language):
        return document.profile_title(publication.content)


def _html_in(publication, language: str) -> str:
    """The HTML that WeasyPrint lays out for `language`."""
    with translation.override(language):
        return render_to_string(
            "profiles/pdf/profile.html", pdf.context(publication, language=language)
        )


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """Publish one national profile for real, keep its four PDFs, roll everything back."""
    media = tmp_path_factory.mktemp("media")
    isolated = override_settings(
        MEDIA_ROOT=media,
        REDIS_URL="",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), isolated, transaction.atomic():
        government = GovernmentFactory(country="CL")
        staff = factories.UserFactory(username="pdf-staff", is_staff=True)
        staff.groups.add(Group.objects.get(name=roles.IOM_STAFF))
        validator = factories.official(government, role="validator", username="pdf-val")
        assessment = AssessmentFactory(government=government, year=2024, is_sample=True)
        factories.answer_all(assessment)
        for position, (kind, value) in enumerate(
            [("population", 19_600_000), ("migrant_stock", 1_600_000), ("emigrants", 650_000)]
        ):
            ContextFigure.objects.create(
                assessment=assessment,
                kind=kind,
                value=value,
                unit="people",
                year=2023,
                source="UN DESA (test)",
                position=position,
            )
        first, second = Answer.objects.filter(assessment=assessment).order_by("pk")[:2]
        Answer.objects.filter(pk=first.pk).update(justification=KNOWN, evidence=EVIDENCE)
        Answer.objects.filter(pk=second.pk).update(justification=XSS)
        source = Source.objects.create(
            assessment=assessment, title=SOURCE[0], issuer=SOURCE[1], year=2021
        )
        first.sources.add(source)
        original = profile_content.build(assessment, include_translations=False)
        made_from = profile_content.source_hashes(profile_content.translatable_texts(original))
        ContentTranslation.objects.create(
            assessment=assessment,
            language="ar",
            texts={"summary": SUMMARY_AR},
            source_hashes=made_from,
        )
        ContentTranslation.objects.create(
            assessment=assessment,
            language="fr",
            texts={
                f"source:{source.pk}:title": SOURCE_FR[0],
                f"source:{source.pk}:issuer": SOURCE_FR[1],
            },
            source_hashes=made_from,
        )
        factories.published(assessment, staff=staff, validator=validator)
        files = PublicationFile.objects.filter(publication__assessment=assessment)
        result = {
            "pdfs": {f.language: f.file.read() for f in files.filter(kind=FileKind.PDF)},
            "names": {f.language: f.file.name for f in files.filter(kind=FileKind.PDF)},
            "rows": list(files.filter(kind=FileKind.PDF).values("language", "sha256", "size")),
            "content_hash": assessment.publications.get().content_hash,
            "titles": {
                language: _title_in(assessment.publications.get(), language)
                for language in ("en", "fr", "es", "ar")
            },
            "dimension_names_fr": [
                d.localized("short_name", "fr") for d in assessment.framework.dimensions.all()
            ],
            "dimension_names_ar": [
                d.localized("short_name", "ar") for d in assessment.framework.dimensions.all()
            ],
            "html": {
                language: _html_in(assessment.publications.get(), language)
                for language in ("en", "ar")
            },
        }
        transaction.set_rollback(True)
    return result


def test_a_pdf_is_stored_per_ui_language_with_its_hash_size_and_filename(rendered):
    assert sorted(rendered["pdfs"]) == ["ar", "en", "es", "fr"]
    import hashlib

    for row in rendered["rows"]:
        data = rendered["pdfs"][row["language"]]
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["size"] == len(data)
    assert rendered["names"]["en"].endswith("/MGI-Profile-Chile-2024-v1-en.pdf")


def test_english_pdf_has_the_profile_content(rendered):
    data = rendered["pdfs"]["en"]
    assert data.startswith(b"%PDF-")
    meta = info(data)
    assert int(meta["Pages"]) > 3
    text = flat(text_of(data))
    assert "Migration Governance Indicators Profile 2024 | Chile" in text
    for name in DIMENSIONS:
        assert name in text
    assert KNOWN in text and f"Evidence: {EVIDENCE}" in text
    assert SIGN_OFF.name in text and SIGN_OFF.statement in text
    # The sign-off states the fingerprint and what it covers, as the page does.
    assert rendered["content_hash"] in text.replace(" ", "")
    assert "It covers everything this version publishes" in text
    for heading in ("Contents", "Introduction", "Migration context", "Summary", "Key sources"):
        assert heading in text
    assert "Well-developed areas" in text
    assert "Areas with potential for further development" in text
    assert "reconstructed by the portal team" in text  # the framework's wording note
    assert "CC BY 4.0" in text and "http://127.0.0.1:8000/profiles/chl/2024/v1/" in text


def test_every_page_of_sample_data_says_so_and_numbers_itself(rendered):
    pages = text_of(rendered["pdfs"]["en"]).split("\f")[:-1]
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert "Sample data" in page, number
        assert f"Page {number} of {len(pages)}" in flat(page)


def test_table_of_contents_gives_real_page_numbers(rendered):
    pages = [flat(page) for page in text_of(rendered["pdfs"]["en"]).split("\f")]
    contents = pages[1]
    assert "Contents" in contents
    for section in ("Key sources", "Annex: answers and justifications", "Migration context"):
        number = int(re.search(re.escape(section) + r"[ .]*(\d+)", contents).group(1))
        # The section starts on the listed page, whose running header names it too.
        assert pages[number - 1].count(section) >= 2, (section, number)
    # A long section keeps naming itself in the header of its later pages.
    annex = int(re.search(r"Annex: answers and justifications[ .]*(\d+)", contents).group(1))
    assert "Annex: answers and justifications" in pages[annex]


def test_pdf_is_tagged_with_title_and_language(rendered):
    for language, data in rendered["pdfs"].items():
        meta = info(data)
        assert meta["Tagged"].strip() == "yes", language
        assert meta["Title"] == rendered["titles"][language], language
    structure = run("pdfinfo", "-struct", "-", data=rendered["pdfs"]["en"])
    assert "Table" in structure and "Figure" in structure
    assert b"/Lang (fr)" in objects(rendered["pdfs"]["fr"])
    assert b"/Lang (ar)" in objects(rendered["pdfs"]["ar"])
    assert b"/Alt (" in objects(rendered["pdfs"]["en"])  # the chart's text alternative
    assert 'pdfuaid:part="1"' in run("pdfinfo", "-meta", "-", data=rendered["pdfs"]["en"])


def test_user_text_is_escaped_and_never_fetched(rendered):
    # Compared without whitespace: the long URL wraps inside its table cell.
    text = re.sub(r"\s", "", text_of(rendered["pdfs"]["en"]))
    assert re.sub(r"\s", "", XSS) in text


def test_french_pdf_translates_framework_text_and_notes_untranslated_content(rendered):
    text = flat(text_of(rendered["pdfs"]["fr"]))
    for name in rendered["dimension_names_fr"]:
        assert name in text
    assert KNOWN in text  # no French translation exists: the original is shown
    assert "2024" in text and "Chili" in text


def test_french_pdf_shows_translated_source_titles_and_which_parts_are_not(rendered):
    text = flat(text_of(rendered["pdfs"]["fr"]))
    # In the key sources and in the annex row of the answer that cites it.
    assert text.count(SOURCE_FR[0]) >= 2 and SOURCE_FR[1] in text
    assert SOURCE[0] not in text and SOURCE[1] not in text
    # The cover lists the parts still in English; the sources are not among them.
    cover = flat(text_of(rendered["pdfs"]["fr"]).split("\f")[0])
    assert "ne sont pas encore traduites en français" in cover
    assert "affichées en anglais (langue originale)" in cover
    assert "Introduction" in cover and "Principales sources" not in cover
    # The English and Spanish documents show the original title.
    assert SOURCE[0] in flat(text_of(rendered["pdfs"]["es"]))


def test_arabic_pdf_is_right_to_left_with_arabic_text(rendered):
    data = rendered["pdfs"]["ar"]
    assert data.startswith(b"%PDF-")
    text = text_of(data)
    letters = arabic_letters(text)
    for name in rendered["dimension_names_ar"]:
        wanted = arabic_letters(name)
        assert wanted and all(letters.count(ch) >= wanted.count(ch) for ch in set(wanted))
    # Every Arabic word of the first dimension's name appears (as letters, order-free).
    found_words = {tuple(arabic_letters(word)) for word in text.split()}
    for word in rendered["dimension_names_ar"][0].split():
        assert tuple(arabic_letters(word)) in found_words
    # Untranslated English inside the Arabic layout wraps across table columns, so
    # its words (not the whole sentence) are looked for.
    # Its punctuation may be reordered by the bidi algorithm, so compare words only.
    words = set(re.findall(r"\w+", text))
    assert set(re.findall(r"\w+", KNOWN)) <= words


def test_only_text_in_another_language_than_the_document_is_marked(rendered):
    """English justifications are marked English and left-to-right in the Arabic
    document (so they are shaped and ordered as English), and not in the English one."""
    english, arabic = rendered["html"]["en"], rendered["html"]["ar"]
    known = f"<div>{KNOWN}</div>"
    assert known in english
    # Everything in the English document is English: only the root says so.
    assert re.findall(r'\b(?:lang|dir)="[^"]*"', english) == ['lang="en"', 'dir="ltr"']
    assert f'<div lang="en" dir="ltr">{KNOWN}</div>' in arabic
    # A translated text is in the document's language: not marked.
    assert f'<div class="prose"><p>{SUMMARY_AR}</p></div>' in arabic
    # Our own Arabic label inside an English evidence line keeps its direction.
    with translation.override("ar"):
        label = _("Evidence").replace(" ", "\u00a0")
    evidence = f'<div class="evidence" lang="en" dir="ltr">\u2067{label}\u2069: {EVIDENCE}</div>'
    assert evidence in arabic
    assert f'<div class="evidence">Evidence: {EVIDENCE}</div>' in english


def test_language_marks_escape_and_isolate_labels():
    from profiles.templatetags import pdf_text

    assert pdf_text.lang_attrs("") == ""
    # A foreign text always gets its direction too; the document's own language gets nothing.
    assert pdf_text.lang_attrs("fr") == ' lang="fr" dir="ltr"'
    assert pdf_text.lang_attrs("ar") == ' lang="ar" dir="rtl"'
    assert pdf_text.lang_attrs("en") == ""
    with translation.override("ar"):
        assert pdf_text.lang_attrs("en") == ' lang="en" dir="ltr"'
        assert pdf_text.lang_attrs("ar") == ""
    assert pdf_text.label_in("<b>Evidence</b>", "") == "&lt;b&gt;Evidence&lt;/b&gt;"
    with translation.override("ar"):
        marked = pdf_text.label_in("<b> x", "en")
    assert marked == "\u2067&lt;b&gt;\u00a0x\u2069"  # escaped, unbroken, right-to-left
    with translation.override("fr"):
        assert pdf_text.label_in("Preuves", "es") == "\u2066Preuves\u2069"


def test_fetcher_serves_our_static_files_and_refuses_everything_else(settings):
    fetcher = pdf._fetcher()
    css = fetcher(settings.MGI_SITE_URL + "/static/css/pdf.css")
    assert b"@page" in css.read()
    for url in (
        "http://example.com/static/css/pdf.css",
        "https://127.0.0.1:8000/static/css/pdf.css",
        settings.MGI_SITE_URL + "/static/../../../etc/passwd",
        settings.MGI_SITE_URL + "/media/publications/1/x.pdf",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError):
            fetcher(url)


# --- Downloads -----------------------------------------------------------------


@pytest.fixture
def local_assessment(staff):
    government = LocalGovernmentFactory()
    validator = factories.official(government, role="validator", username="santiago-val")
    return AssessmentFactory(government=government, year=2024), validator


def pdf_url(publication, language="en"):
    return reverse(
        "profiles:pdf",
        kwargs={
            "slug": publication.government.slug,
            "year": publication.year,
            "version": publication.version,
            "language": language,
        },
    )


def test_live_pdf_is_served_from_storage_with_caching_headers(
    client, staff, local_assessment, django_assert_num_queries, settings
):
    assessment, validator = local_assessment
    factories.published(assessment, staff=staff, validator=validator)
    publication = assessment.publications.get()
    stored = publication.files.get(kind=FileKind.PDF, language="en")
    url = pdf_url(publication)
    assert url == "/profiles/santiago-chl/2024/v1/pdf/en/"

    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == stored.size
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(stored.size)
    assert response["ETag"] == f'"{stored.sha256}"'
    # A browser keeps the version a year; nginx's page cache or a CDN asks again after
    # MGI_SHARED_CACHE_SECONDS, so a withdrawal reaches every new visitor that soon.
    assert response["Cache-Control"] == "public, max-age=31536000, s-maxage=60, immutable"
    assert response["Content-Language"] == "en"
    assert 'filename="MGI-Profile-Santiago-2024-v1-en.pdf"' in response["Content-Disposition"]
    assert "Local Migration Governance Indicators Profile 2024 | Santiago" in text_of(body)

    not_modified = client.get(url, headers={"If-None-Match": f'"{stored.sha256}"'})
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == f'"{stored.sha256}"'
    assert not_modified["Cache-Control"] == response["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405

    ar = client.get(pdf_url(publication, "ar"))
    assert ar.status_code == 200 and "Santiago-2024-v1-ar.pdf" in ar["Content-Disposition"]
    assert ar["Content-Language"] == "ar"
    # The English PDF under the French prefix is still the English document.
    assert client.get("/fr" + url)["Content-Language"] == "en"
    settings.MGI_SHARED_CACHE_SECONDS = 5
    assert "s-maxage=5," in client.get(url)["Cache-Control"]
    assert client.get(pdf_url(publication, "de")).status_code == 404

    latest = client.get("/fr/profiles/santiago-chl/pdf/")
    assert latest.status_code == 302
    with translation.override("fr"):
        assert latest["Location"] == pdf_url(publication, "fr")
    assert latest["Location"] == "/fr/profiles/santiago-chl/2024/v1/pdf/fr/"

    # Withdrawn: every PDF URL of the version is gone.
    workflow.apply(workflow.WITHDRAW, assessment, by=staff, note="Wrong figures.")
    for language in ("en", "fr", "es", "ar"):
        assert client.get(pdf_url(publication, language)).status_code == 410
    # A cache revalidating its copy learns of the withdrawal too, not "not modified".
    revalidation = client.get(url, headers={"If-None-Match": f'"{stored.sha256}"'})
    assert revalidation.status_code == 410
    assert client.get("/profiles/santiago-chl/pdf/").status_code == 404


def test_draft_and_embargoed_versions_have_no_answering_pdf_url(client, staff, local_assessment):
    assessment, validator = local_assessment
    draft_url = "/profiles/santiago-chl/2024/v1/pdf/en/"
    assert client.get(draft_url).status_code == 404  # a draft: nothing published
    assert client.get("/profiles/santiago-chl/pdf/").status_code == 404

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    factories.published(assessment, staff=staff, validator=validator, release_at=tomorrow)
    publication = assessment.publications.get()
    assert publication.files.filter(kind=FileKind.PDF).count() == 4  # rendered, not public
    for language in ("en", "fr", "es", "ar"):
        assert client.get(pdf_url(publication, language)).status_code == 404
    assert client.get("/profiles/santiago-chl/pdf/").status_code == 404


def test_rerender_pdfs_replaces_files_in_place(staff, local_assessment, capsys):
    assessment, validator = local_assessment
    factories.published(assessment, staff=staff, validator=validator)
    before = {f.language: f.file.name for f in PublicationFile.objects.filter(kind="pdf")}
    other = GovernmentFactory(country="GH")
    call_command("rerender", "--pdfs", government=other.slug)
    assert "pdfs rendered for 0 publication(s)" in capsys.readouterr().out
    call_command("rerender", "--pdfs", government="santiago-chl")
    assert "pdfs rendered for 1 publication(s)" in capsys.readouterr().out
    after = {f.language: f.file.name for f in PublicationFile.objects.filter(kind="pdf")}
    assert after == before  # same names, not suffixed copies
    with pytest.raises(CommandError):
        call_command("rerender", "--pdfs", government="nowhere")
