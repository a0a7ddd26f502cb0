"""What a translator translates: every government text a profile shows, each under its own key.

`translatable_texts()` must cover every text of the content that a government
writes, so the walk below fails for a text field added to the content later
without a translation key (or an entry in NOT_GOVERNMENT_TEXT saying why it
needs none). The page test then shows every key is applied: a profile translated
in full shows no government text in its original language.
"""

import re

import pytest

from profiles import content as profile_content
from profiles.models import (
    ContentTranslation,
)
from profiles.workflow import signoff
from tests.factories import AssessmentFactory
from tests.profiles.publications import follow_up_with_every_text, publish

pytestmark = pytest.mark.django_db

#: Content paths whose text no government writes, and why they need no translation key.
NOT_GOVERNMENT_TEXT = {
    r"framework\.\w+": "the framework's name and wording note: the framework files' text",
    r".*\.i18n\..*": "framework wording in each portal language (the framework files)",
    r"dimensions\[\d+\]\.(short_name|long_name|migof_element)": "framework wording",
    r"dimensions\[\d+\]\.areas\[\d+\]\.(code|name)": "framework wording",
    r"dimensions\[\d+\]\.areas\[\d+\]\.indicators\[\d+\]\.(code|question|equivalent)": (
        "framework wording and codes"
    ),
    r"government\.name": "a place's proper name (a country's name is translated by the UI)",
    r"sources\[\d+\]\.(url|archived_copy)": "addresses, not text",
    r"context_figures\[\d+\]\.(value|source_url)": "a number and an address",
    r"translations\..*": "the translations themselves",
}


def _exempt(path: str) -> bool:
    return any(re.fullmatch(pattern, path) for pattern in NOT_GOVERNMENT_TEXT)


@pytest.fixture
def follow_up(government, staff, validator, settings):
    """A follow-up round with a distinct text in every government-written field."""
    baseline = publish(
        AssessmentFactory(government=government, year=2019),
        staff=staff,
        validator=validator,
        settings=settings,
    ).assessment
    return follow_up_with_every_text(baseline)


def test_every_government_text_of_the_content_has_a_translation_key(follow_up):
    content = profile_content.build(follow_up, include_translations=False)
    covered = set(profile_content.translatable_texts(content).values())
    walked = dict(signoff.signed_texts(content))
    uncovered = {path: text for path, text in walked.items() if not _exempt(path)}
    uncovered = {path: text for path, text in uncovered.items() if text not in covered}
    assert uncovered == {}, "add these to content.translatable_texts() and content.localized()"
    # The walk saw every kind of government text, the follow-up's included.
    for text in ("Evidence four, article 12.", "units six", "Follow-up note eight."):
        assert text in walked.values()


def test_a_profile_translated_in_full_shows_no_original_government_text(
    client, follow_up, staff, validator, settings
):
    content = profile_content.build(follow_up, include_translations=False)
    originals = profile_content.translatable_texts(content)
    translated = {key: f"[fr {number}]" for number, key in enumerate(originals)}
    ContentTranslation.objects.create(
        assessment=follow_up,
        language="fr",
        texts=translated,
        source_hashes=profile_content.source_hashes(originals),
    )
    publication = publish(follow_up, staff=staff, validator=validator, settings=settings)
    assert set(publication.content["translations"]["fr"]) == set(originals)

    page = client.get("/fr" + publication.get_absolute_url()).content.decode()
    body = page.split('<main id="main"', 1)[1]
    assert 'id="translation-note"' not in body and 'class="original-note"' not in body
    shown = [key for key, text in originals.items() if text in body]
    assert shown == [], "shown in the original language on a fully translated page"
    missing = [key for key, text in translated.items() if text not in body]
    assert missing == []


def test_field_states_are_per_field():
    originals = {"summary": "New summary.", "introduction": "Intro.", "finding:1": "A finding."}
    hashes = profile_content.source_hashes({"summary": "Old summary.", "introduction": "Intro."})
    texts = {"summary": "Résumé.", "introduction": "Intro FR."}
    assert profile_content.field_states(originals, texts, hashes) == {
        "summary": profile_content.STALE,
        "introduction": profile_content.CURRENT,
        "finding:1": profile_content.MISSING,
    }
    # A translated field with no record of its original (converted from a stale
    # whole-translation hash) is stale, never current.
    assert profile_content.field_states(originals, texts, {})["introduction"] == "stale"
