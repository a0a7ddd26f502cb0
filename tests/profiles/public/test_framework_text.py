"""Framework text (names, wording notes, guidance, dimension names) in the reader's language.

The text comes from the framework files' translation columns; where a file has no
translation, the English original is shown marked `lang="en" dir="ltr"`, never passed
off as the page's language.
"""

import pytest

from indicators.models import Framework, Indicator

pytestmark = pytest.mark.django_db

INDICATOR = "/indicators/mgi-national-2022/MGI-D1.1-01/"


def _untranslate(slug: str, *fields: str) -> None:
    """Remove `fields` from every language of a framework's translations."""
    framework = Framework.objects.get(slug=slug)
    framework.i18n = {
        language: {k: v for k, v in texts.items() if k not in fields}
        for language, texts in framework.i18n.items()
    }
    framework.save()


@pytest.mark.parametrize(
    ("prefix", "name", "note"),
    [
        ("/fr", "Indicateurs locaux de gouvernance des migrations", "une paraphrase"),
        ("/es", "Indicadores de Gobernanza de la Migración a nivel local", "una paráfrasis"),
        ("/ar", "مؤشرات حوكمة الهجرة على المستوى المحلي", "إعادة صياغة"),
    ],
)
def test_the_framework_page_names_frameworks_in_the_readers_language(client, prefix, name, note):
    html = client.get(f"{prefix}/indicators/").content.decode()
    assert f'<h2 id="framework-{Framework.objects.get(slug="mgi-local-2019").pk}">{name} ' in html
    assert "Local Migration Governance Indicators" not in html
    assert note in html  # the translated list still says it is paraphrased
    assert "is paraphrased and reconstructed" not in html


def test_an_untranslated_framework_name_is_marked_as_english(client):
    _untranslate("mgi-local-2019", "name", "wording_note")
    html = client.get("/ar/indicators/").content.decode()
    assert '<span lang="en" dir="ltr">Local Migration Governance Indicators</span>' in html
    assert '<p class="note"><span lang="en" dir="ltr">Indicator wording in this file' in html
    assert "مؤشرات حوكمة الهجرة (الوطنية)" in html  # the translated ones stay unmarked


@pytest.mark.parametrize(
    ("prefix", "guidance"),
    [
        ("", "Cite the health law or regulation;"),
        ("/fr", "Citer la loi ou le règlement sur la santé\u00a0;"),
        ("/es", "Citar la ley o el reglamento de salud;"),
        ("/ar", "اذكر قانون الصحة أو اللائحة ذات الصلة؛"),
    ],
)
def test_indicator_guidance_and_framework_name_follow_the_page_language(client, prefix, guidance):
    indicator = Indicator.objects.get(framework__slug="mgi-national-2022", code="MGI-D1.1-01")
    html = client.get(prefix + INDICATOR).content.decode()
    assert f"<p>{guidance}" in html
    assert indicator.framework.localized("name", prefix[1:] or "en") in html
    if prefix:
        assert "Cite the health law" not in html
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        assert ' lang="en"' not in main  # nothing on the page fell back to English


def test_profile_filter_names_framework_versions_in_the_page_language(client):
    html = client.get("/fr/profiles/").content.decode()
    assert (
        '<option value="mgi-national-2022">Indicateurs de gouvernance des migrations (national), '
        "édition alignée sur le Pacte mondial sur les migrations (v2.0)</option>"
    ) in html


def test_profile_filter_marks_a_framework_name_shown_in_english(client):
    _untranslate("mgi-local-2019", "name")
    for prefix in ("/ar", "/fr"):
        html = client.get(f"{prefix}/profiles/").content.decode()
        assert (
            '<option value="mgi-local-2019" lang="en" dir="ltr">'
            "Local Migration Governance Indicators (v1.0)</option>"
        ) in html, prefix
        assert '<option value="mgi-national-2022">' in html  # translated: not marked
    english = client.get("/profiles/").content.decode()
    assert (
        '<option value="mgi-local-2019">Local Migration Governance Indicators (v1.0)</option>'
    ) in english


def test_a_profile_names_its_framework_in_the_readers_language_and_freezes_what_it_shows(
    government, staff, validator, settings
):
    """The profile page and its cover take the framework's name and note from the frozen
    content, in the page's language; guidance, which a profile does not show, is not frozen."""
    from django.test import Client

    from tests.factories import AssessmentFactory
    from tests.profiles.publications import publish

    publication = publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    framework = publication.content["framework"]
    assert set(framework["i18n"]["fr"]) == {"name", "wording_note"}
    indicator = publication.content["dimensions"][0]["areas"][0]["indicators"][0]
    assert {field for texts in indicator["i18n"].values() for field in texts} == {"question"}

    html = Client().get(f"/fr{publication.get_absolute_url()}").content.decode()
    assert "Indicateurs de gouvernance des migrations (national), édition alignée" in html
    assert "une paraphrase" in html
    assert "GCM-aligned edition" not in html
