"""Languages: complete translations, lang/dir attributes, a switcher that keeps the page."""

import io
import re
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from tests import factories
from tests.tools import require

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = ["fr", "es", "ar"]
# %(name)s, %(count)d, ... and bare %s / %d (the latter should not occur: placeholders are named).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx]")


def catalog(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture
def compiled(settings):
    """Compile the .po files and make Django reload its catalogues (as `make test` does)."""
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # the setting_changed signal drops caches


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    po = catalog(lang)
    assert not po.metadata_is_fuzzy, f"{lang}: the header is marked fuzzy"
    assert po.metadata.get("Language") == lang
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{lang}: untranslated: {untranslated}"
    assert fuzzy == [], f"{lang}: fuzzy: {fuzzy}"
    assert len(po.translated_entries()) > 100


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_survive_translation(lang):
    """A translated string has exactly the msgid's placeholders, so formatting never fails."""
    po = catalog(lang)
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    wrong = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            forms = entry.msgstr_plural
            if len(forms) != nplurals or not all(forms.values()):
                wrong.append((entry.msgid, f"needs {nplurals} plural forms"))
            wrong += [
                (entry.msgid, form) for form in forms.values() if placeholders(form) != expected
            ]
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def test_catalogues_declare_the_plural_rules_of_their_language():
    """Arabic has six plural forms; Spanish three (GNU gettext's rule for millions)."""
    assert "nplurals=6" in catalog("ar").metadata["Plural-Forms"]
    assert "nplurals=3" in catalog("es").metadata["Plural-Forms"]
    assert "nplurals=2" in catalog("fr").metadata["Plural-Forms"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogues_compile_with_gnu_msgfmt_checks(lang, tmp_path):
    """msgfmt --check validates format strings and plural forms as gettext tools see them."""
    msgfmt = require("msgfmt", "GNU gettext's msgfmt checks the catalogues: `make system-deps`")
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "lang", "direction", "heading"),
    [
        ("", "en", "ltr", "Migration Governance Profiles"),
        ("/fr", "fr", "ltr", "Profils de gouvernance des migrations"),
        ("/es", "es", "ltr", "Perfiles de gobernanza de la migración"),
        ("/ar", "ar", "rtl", "ملامح حوكمة الهجرة"),
    ],
)
def test_home_page_is_in_the_language_of_its_prefix(
    client, compiled, prefix, lang, direction, heading
):
    response = client.get(f"{prefix}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert heading in html


def switcher_links(html: str) -> dict[str, str]:
    """hreflang -> href of the language switcher's links."""
    nav = html.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    return dict(re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', nav)[i][::-1] for i in range(4))


@pytest.mark.django_db
def test_profile_page_links_itself_in_each_language_and_arabic_is_rtl(
    client, compiled, staff, validator, government
):
    """One published profile for both checks: publishing renders PDFs, which is slow."""
    assessment = factories.AssessmentFactory(government=government)
    factories.published(assessment, staff=staff, validator=validator)
    html = client.get(f"/fr/profiles/{government.slug}/").content.decode()
    assert switcher_links(html) == {
        "en": f"/profiles/{government.slug}/",
        "fr": f"/fr/profiles/{government.slug}/",
        "es": f"/es/profiles/{government.slug}/",
        "ar": f"/ar/profiles/{government.slug}/",
    }
    response = client.get(f"/ar/profiles/{government.slug}/")
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


@pytest.mark.django_db
def test_switcher_keeps_the_filters_of_the_profiles_list(client):
    html = client.get("/es/profiles/?level=local&q=santiago").content.decode()
    assert switcher_links(html) == {
        "en": "/profiles/?level=local&amp;q=santiago",
        "fr": "/fr/profiles/?level=local&amp;q=santiago",
        "es": "/es/profiles/?level=local&amp;q=santiago",
        "ar": "/ar/profiles/?level=local&amp;q=santiago",
    }


@pytest.mark.django_db
def test_switcher_names_each_language_in_itself_and_marks_the_current_one(client):
    html = client.get("/es/").content.decode()
    nav = html.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="' in html.split('class="language-switcher"', 1)[1][:80]
    assert re.search(r'lang="fr" dir="ltr"[^>]*>Français</a>', nav)
    assert re.search(r'lang="ar" dir="rtl"[^>]*>العربيّة</a>', nav)
    # The current language is the page's: it inherits the page's lang and dir.
    assert re.search(r'hreflang="es" aria-current="true">Español</a>', nav)
    assert nav.count("aria-current") == 1


@pytest.mark.parametrize(
    ("lang", "path", "expected"),
    [
        ("fr", "/fr/no-such-page/", {"en": "/no-such-page/", "ar": "/ar/no-such-page/"}),
        ("en", "/no-such-page/?q=x", {"en": "/no-such-page/?q=x", "es": "/es/no-such-page/?q=x"}),
        ("ar", "/ar/", {"en": "/", "fr": "/fr/"}),
    ],
)
def test_switcher_moves_unresolvable_paths_between_prefixes(lang, path, expected):
    """A 404 page's switcher still points at the same path in the other languages."""
    template = Template(
        "{% load language_switcher %}{% language_links as links %}"
        "{% for l in links %}{{ l.code }}={{ l.url }};{% endfor %}"
    )
    with translation.override(lang):
        rendered = template.render(Context({"request": RequestFactory().get(path)}))
    urls = dict(part.split("=", 1) for part in rendered.strip(";").split(";"))
    for code, url in expected.items():
        assert urls[code] == url.replace("&", "&amp;")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "region"),
    [
        ("", "South America"),
        ("/fr", "Amérique du Sud"),
        ("/es", "América del Sur"),
        ("/ar", "أمريكا الجنوبية"),
    ],
)
def test_region_filter_names_regions_in_the_page_language(client, prefix, region):
    assert region in client.get(f"{prefix}/profiles/").content.decode()


@pytest.fixture
def translated_samples(db, django_capture_on_commit_callbacks):
    """Sample profiles translated in full, written in French or Arabic, and one stale."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "load_sample_data", only=["phl", "montreal-can", "jor", "alb"], stdout=io.StringIO()
        )


def test_sample_profiles_are_read_in_the_readers_language(client, translated_samples):
    untranslated_note = 'id="translation-note"'
    french = client.get("/fr/profiles/phl/").content.decode()
    assert "le cadre juridique inventé" in french and untranslated_note not in french
    assert "Sample justification" not in french
    # Every government text is translated: sources and issuers, evidence, figures' units.
    assert "Loi sur les migrations de Philippines (exemple)" in french
    assert "Gouvernement de Philippines (exemple)" in french
    assert "<td>personnes</td>" in french and "Chiffre d&#x27;exemple" in french
    for english in ("Government of", "Sample figure", "Sample Migration Act", "<td>people</td>"):
        assert english not in french
    assert "el marco jurídico inventado" in client.get("/es/profiles/phl/").content.decode()
    arabic = client.get("/ar/profiles/phl/").content.decode()
    assert "تعليل نموذجي" in arabic and untranslated_note not in arabic

    # Written in Arabic and translated in full, its evidence included.
    assert "تعليل نموذجي" in client.get("/ar/profiles/jor/").content.decode()
    english = client.get("/profiles/jor/").content.decode()
    assert "Sample justification" in english and untranslated_note not in english
    french = client.get("/fr/profiles/jor/").content.decode()
    assert "le cadre juridique inventé" in french and untranslated_note not in french
    assert not re.search(r'<span lang="ar" dir="rtl">[^<]*المادة', french)

    # Written in French: French readers read it as written; others see it marked as French.
    montreal = client.get("/fr/profiles/montreal-can/").content.decode()
    assert "le cadre juridique inventé" in montreal and untranslated_note not in montreal
    spanish = client.get("/es/profiles/montreal-can/").content.decode()
    assert '<div class="prose" lang="fr" dir="ltr">' in spanish
    # Nothing of it is translated into Spanish: one sentence says so, no list of parts.
    assert "aún no están traducidos al español; se muestran en francés" in spanish
    assert 'class="original-note"' not in spanish


def test_a_stale_field_is_not_shown_and_the_page_says_which_part_is_not(client, translated_samples):
    """Albania's summary changed after its French translation: only the summary is stale."""
    french = client.get("/fr/profiles/alb/").content.decode()
    note = french.split('id="translation-note"', 1)[1].split("</div>", 1)[0]
    assert "ne sont pas encore traduites en français" in note
    assert "affichées en anglais (langue originale)" in note
    assert re.findall(r'<a href="#([\w-]+)">', note) == ["summary"]
    summary = french.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert '<p class="original-note">' in summary
    assert '<div class="prose" lang="en" dir="ltr">' in summary
    assert "Updated after it was translated (sample)." in summary
    # Everything else is the current French translation.
    assert "le cadre juridique inventé" in french
    assert french.count('class="original-note"') == 1
