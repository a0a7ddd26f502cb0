"""Translations of an assessment's content: entered beside the original, flagged stale when
the original changes, and only current ones are validated and published."""

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
    assert [key for key, _, _ in response.context["form"].rows()] == list(texts)
    html = response.content.decode()
    assert "Health services are open to all migrants." in html
    assert html.count("<textarea") == len(texts)
    assert client.get(page(assessment, "en")).status_code == 404  # the original's language


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_translation_form_is_written_in_the_direction_of_its_language(
    client, staff, assessment, language, direction
):
    """An Arabic translation is typed right to left, even in an English admin."""
    client.force_login(staff)
    html = client.get(page(assessment, language)).content.decode()
    assert f'<form method="post" lang="{language}" dir="{direction}">' in html


def test_saving_stores_the_texts_and_the_hash_of_the_original(client, staff, assessment):
    client.force_login(staff)
    response = client.get(page(assessment))
    data = post_data(response, {"summary": "Texte du résumé.", "introduction": "Intro."})
    assert client.post(page(assessment), data).status_code == 302
    translation = ContentTranslation.objects.get(assessment=assessment, language="fr")
    assert translation.texts == {"summary": "Texte du résumé.", "introduction": "Intro."}
    built = content.build(assessment, include_translations=False)
    assert translation.source_hash == content.original_digest(built)
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision + 1


def test_a_translation_is_flagged_stale_when_the_original_changes(client, staff, assessment):
    client.force_login(staff)
    data = post_data(client.get(page(assessment)), {"summary": "Résumé."})
    client.post(page(assessment), data)
    assert 'id="stale-warning"' not in client.get(page(assessment)).content.decode()
    Assessment.objects.filter(pk=assessment.pk).update(summary="A rewritten summary.")
    html = client.get(page(assessment)).content.decode()
    assert 'id="stale-warning"' in html
    assert "stale: the original changed" in html
    assert "fr" not in content.build(assessment)["translations"]


def test_only_current_translations_are_signed_off(staff, validator, assessment):
    built = content.build(assessment, include_translations=False)
    ContentTranslation.objects.create(
        assessment=assessment,
        language="fr",
        texts={"summary": "Résumé."},
        source_hash=content.original_digest(built),
    )
    ContentTranslation.objects.create(
        assessment=assessment,
        language="es",
        texts={"summary": "Resumen."},
        source_hash="made-from-an-older-original",
    )
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    assert SignOff.objects.get(assessment=assessment).languages == ["en", "fr"]


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
