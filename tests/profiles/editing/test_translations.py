"""Translations of an assessment's content: entered beside the original, each field flagged
stale when its own original changes, and only current fields are validated and published."""

import pytest
from django.urls import reverse

from profiles import content, workflow
from profiles.models import Assessment, AssessmentStatus, ContentTranslation, SignOff
from tests import factories
from tests.factories import AssessmentFactory, sign_off_for
from tests.profiles.editing.test_admin import at, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(government):
    assessment = AssessmentFactory(government=government)
    factories.answer_all(assessment)
    return assessment


def page(assessment, language="fr") -> str:
    return reverse("admin:profiles_assessment_translation", args=[assessment.pk, language])


def originals(assessment) -> dict[str, str]:
    return content.translatable_texts(content.build(assessment, include_translations=False))


def post_data(response, translations: dict[str, str]) -> dict:
    form = response.context["form"]
    data = {"opened_revision": form["opened_revision"].value()}
    for name, key in form.keys.items():
        data[name] = translations.get(key, "")
    return data


def test_page_lists_every_text_with_the_original_beside_an_input(client, staff, assessment):
    client.force_login(staff)
    response = client.get(page(assessment))
    texts = originals(assessment)
    assert [key for key, _, _, _ in response.context["form"].rows()] == list(texts)
    html = response.content.decode()
    assert "Health services are open to all migrants." in html
    assert html.count("<textarea") == len(texts)
    assert html.count('class="mgi-field-missing"') == len(texts)  # nothing translated yet
    assert client.get(page(assessment, "en")).status_code == 404  # the original's language


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_translation_form_is_written_in_the_direction_of_its_language(
    client, staff, assessment, language, direction
):
    """An Arabic translation is typed right to left, even in an English admin."""
    client.force_login(staff)
    html = client.get(page(assessment, language)).content.decode()
    assert f'<form method="post" lang="{language}" dir="{direction}">' in html


def test_saving_records_per_field_the_original_each_text_was_made_from(client, staff, assessment):
    client.force_login(staff)
    response = client.get(page(assessment))
    data = post_data(response, {"summary": "Texte du résumé.", "introduction": "Intro."})
    assert client.post(page(assessment), data).status_code == 302
    translation = ContentTranslation.objects.get(assessment=assessment, language="fr")
    assert translation.texts == {"summary": "Texte du résumé.", "introduction": "Intro."}
    texts = originals(assessment)
    assert translation.source_hashes == {
        "summary": content.text_hash(texts["summary"]),
        "introduction": content.text_hash(texts["introduction"]),
    }
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision + 1


def _translate(client, assessment, translations: dict[str, str]):
    data = post_data(client.get(page(assessment)), translations)
    return client.post(page(assessment), data, follow=True)


def _rewrite_summary(assessment, text="A rewritten summary."):
    Assessment.objects.filter(pk=assessment.pk).update(summary=text)
    workflow.bump_revision(assessment)


def test_only_the_field_whose_original_changed_is_stale(client, staff, assessment):
    client.force_login(staff)
    _translate(client, assessment, {"summary": "Résumé.", "introduction": "Intro FR."})
    assert 'id="stale-warning"' not in client.get(page(assessment)).content.decode()
    _rewrite_summary(assessment)

    html = client.get(page(assessment)).content.decode()
    assert 'id="stale-warning"' in html
    assert html.count('class="mgi-field-stale"') == 1
    assert html.count('class="mgi-field-current"') == 1
    row = html[html.index('class="mgi-field-stale"') :]
    row = row[: row.index("</tr>")]
    # The stale field shows the new original beside its translation.
    assert "New original:" in row and "A rewritten summary." in row and "Résumé." in row
    assert "current: 1 · stale: 1 · missing:" in html
    # Readers get the current field translated and the stale one in the original.
    assert content.build(assessment)["translations"] == {"fr": {"introduction": "Intro FR."}}


def test_saving_a_stale_field_unchanged_changes_nothing(client, staff, assessment):
    client.force_login(staff)
    _translate(client, assessment, {"summary": "Résumé.", "introduction": "Intro FR."})
    _rewrite_summary(assessment)
    assessment.refresh_from_db()
    before = ContentTranslation.objects.get(assessment=assessment, language="fr")

    response = _translate(client, assessment, {"summary": "Résumé.", "introduction": "Intro FR."})
    assert "Nothing changed in the translation." in messages_of(response)
    after = ContentTranslation.objects.get(assessment=assessment, language="fr")
    assert (after.texts, after.source_hashes, after.updated_at) == (
        before.texts,
        before.source_hashes,
        before.updated_at,
    )
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision
    assert "summary" not in content.build(assessment)["translations"]["fr"]


def test_editing_a_stale_fields_translation_makes_it_current(client, staff, assessment):
    client.force_login(staff)
    _translate(client, assessment, {"summary": "Résumé.", "introduction": "Intro FR."})
    _rewrite_summary(assessment)
    _translate(client, assessment, {"summary": "Un résumé réécrit.", "introduction": "Intro FR."})
    assert content.build(assessment)["translations"]["fr"] == {
        "summary": "Un résumé réécrit.",
        "introduction": "Intro FR.",
    }
    html = client.get(page(assessment)).content.decode()
    assert 'id="stale-warning"' not in html and 'class="mgi-field-stale"' not in html


def test_only_current_translated_fields_are_signed_off(staff, validator, assessment):
    texts = originals(assessment)
    ContentTranslation.objects.create(
        assessment=assessment,
        language="fr",
        texts={"summary": "Résumé.", "introduction": "Intro."},
        source_hashes={
            "summary": content.text_hash(texts["summary"]),
            "introduction": content.text_hash("An introduction since rewritten."),
        },
    )
    ContentTranslation.objects.create(
        assessment=assessment,
        language="es",
        texts={"summary": "Resumen."},
        source_hashes={"summary": content.text_hash("A summary since rewritten.")},
    )
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    assert SignOff.objects.get(assessment=assessment).languages == ["en", "fr"]
    assert content.build(assessment)["translations"] == {"fr": {"summary": "Résumé."}}


def test_translations_change_only_while_the_assessment_is_editable(
    client, staff, validator, assessment
):
    client.force_login(staff)
    data = post_data(client.get(page(assessment)), {"summary": "Résumé."})
    at(assessment, AssessmentStatus.CONSULTATION)
    assert client.post(page(assessment), data).status_code == 403
    html = client.get(page(assessment)).content.decode()
    assert "<textarea" not in html
    at(assessment, AssessmentStatus.DRAFT)
    client.force_login(validator)
    assert client.get(page(assessment)).status_code == 200
    assert client.post(page(assessment), data).status_code == 403
    assert not ContentTranslation.objects.exists()


def test_a_translation_saved_from_a_stale_page_is_refused(client, staff, focal_point, assessment):
    client.force_login(staff)
    stale = post_data(client.get(page(assessment)), {"summary": "Old page."})
    workflow.bump_revision(assessment)  # someone saved the assessment meanwhile
    response = client.post(page(assessment), stale, follow=True)
    assert any("Someone else saved" in m for m in messages_of(response))
    assert not ContentTranslation.objects.exists()
