"""The assessment page in admin: data entry, locking, concurrent edits, workflow buttons.

Query counts are pinned exactly and shown not to grow with the number of
indicators (national 2022 framework vs Local MGI) or rows (N vs 2N).
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from profiles import workflow
from profiles.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ContextFigure,
    Finding,
    FindingKind,
    FollowUp,
    Publication,
    SignOff,
    Source,
    StatusChange,
)
from profiles.workflow import signoff
from tests import factories
from tests.factories import (
    AssessmentFactory,
    GovernmentFactory,
    LocalGovernmentFactory,
    sign_off_for,
)

pytestmark = pytest.mark.django_db
S = AssessmentStatus


def change_url(assessment) -> str:
    return reverse("admin:profiles_assessment_change", args=[assessment.pk])


def transition_url(assessment, name: str) -> str:
    return reverse("admin:profiles_assessment_transition", args=[assessment.pk, name])


def _plain(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def form_data(response) -> dict:
    """What a browser would post back from an unchanged admin change page."""
    data = {}

    def add(form):
        for name in form.fields:
            value = _plain(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    form = response.context["adminform"].form
    add(form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for inline_form in inline.formset.forms:
            add(inline_form)
    for answer_form in form.answers or []:
        add(answer_form)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def status_of(assessment) -> str:
    return Assessment.objects.values_list("status", flat=True).get(pk=assessment.pk)


def at(assessment, status):
    """Put an assessment in a status directly (test setup only)."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def assessment(government):
    return AssessmentFactory(government=government)


# --- The data-entry page ------------------------------------------------------------


def test_change_page_shows_every_indicator_grouped_with_completeness(
    client, focal_point, assessment
):
    indicators = list(Indicator.objects.filter(framework=assessment.framework).current())
    answered = indicators[0]
    Answer.objects.create(assessment=assessment, indicator=answered, value="absent")
    client.force_login(focal_point)
    response = client.get(change_url(assessment))
    html = response.content.decode()
    assert html.count('class="mgi-indicator"') == len(indicators) >= 90
    assert all(f'id="indicator-{i.code}"' in html for i in indicators)
    groups = response.context["adminform"].form.answers.groups
    assert [g.dimension.code for g in groups] == [1, 2, 3, 4, 5, 6]
    assert sum(g.total for g in groups) == len(indicators)
    assert sum(g.answered for g in groups) == 1
    assert f"Completeness: 1 of {len(indicators)} indicators answered" in html
    for name in ("value", "justification", "evidence", "sources"):
        assert f'name="answer-{answered.pk}-{name}"' in html


def test_creating_an_assessment_creates_a_blank_answer_per_current_indicator(
    client, staff, government
):
    client.force_login(staff)
    framework = AssessmentFactory.build(government=government).framework
    response = client.post(
        reverse("admin:profiles_assessment_add"),
        {
            "government": government.pk,
            "framework": framework.pk,
            "year": 2025,
            "round_number": 1,
            "original_language": "en",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assessment = Assessment.objects.get(government=government, year=2025)
    current = Indicator.objects.filter(framework=framework).current().count()
    assert assessment.answers.count() == current
    assert not assessment.answers.exclude(value="").exists()


def test_focal_point_saves_answers_and_the_revision_moves_on(client, focal_point, assessment):
    factories.answer_all(assessment, value="")
    source = Source.objects.create(assessment=assessment, title="Migration Act 2021")
    indicator = Indicator.objects.filter(framework=assessment.framework).current().first()
    client.force_login(focal_point)
    data = form_data(client.get(change_url(assessment)))
    data.update(
        {
            f"answer-{indicator.pk}-value": "partially_present",
            f"answer-{indicator.pk}-justification": "Article 5 covers it in part.",
            f"answer-{indicator.pk}-sources": [str(source.pk)],
            "summary": "A new summary.",
        }
    )
    response = client.post(change_url(assessment), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    answer = Answer.objects.get(assessment=assessment, indicator=indicator)
    assert (answer.value, answer.justification) == (
        "partially_present",
        "Article 5 covers it in part.",
    )
    assert list(answer.sources.all()) == [source]
    assert Assessment.objects.get(pk=assessment.pk).summary == "A new summary."
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision + 1
    assert Answer.objects.filter(assessment=assessment).exclude(value="").count() == 1


def test_a_stale_page_is_refused_with_a_message_and_overwrites_nothing(
    client, staff, focal_point, assessment
):
    """Two editors open the page; the second save is refused, the first one's work stays."""
    factories.answer_all(assessment, value="")
    indicator = Indicator.objects.filter(framework=assessment.framework).current().first()
    key = f"answer-{indicator.pk}-justification"
    client.force_login(staff)
    staff_data = form_data(client.get(change_url(assessment)))
    client.force_login(focal_point)
    focal_data = form_data(client.get(change_url(assessment)))
    assert (
        client.post(change_url(assessment), {**focal_data, key: "Focal point's text"}).status_code
        == 302
    )
    client.force_login(staff)
    response = client.post(change_url(assessment), {**staff_data, key: "Staff's text"})
    assert response.status_code == 200
    assert "Someone else saved this assessment since you opened it" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, indicator=indicator).justification == (
        "Focal point's text"
    )


def test_one_invalid_answer_refuses_the_whole_save(client, focal_point, assessment):
    factories.answer_all(assessment, value="")
    first, second = Indicator.objects.filter(framework=assessment.framework).current()[:2]
    client.force_login(focal_point)
    data = form_data(client.get(change_url(assessment)))
    data[f"answer-{first.pk}-justification"] = "Stored only if all is valid."
    data[f"answer-{second.pk}-value"] = "maybe"
    data["summary"] = "Changed summary"
    response = client.post(change_url(assessment), data)
    assert response.status_code == 200
    assert "Some answers need correcting" in response.content.decode()
    assert not Answer.objects.filter(justification="Stored only if all is valid.").exists()
    assert Assessment.objects.get(pk=assessment.pk).summary == "Summary text."


def test_validator_reads_the_page_but_cannot_edit(client, validator, focal_point, assessment):
    factories.answer_all(assessment)
    client.force_login(focal_point)
    data = form_data(client.get(change_url(assessment)))
    client.force_login(validator)
    response = client.get(change_url(assessment))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="answer-' not in html and "Because." in html
    assert response.context["has_change_permission"] is False
    response = client.post(change_url(assessment), {**data, "summary": "Validator edit"})
    assert response.status_code in (302, 403)
    assert Assessment.objects.get(pk=assessment.pk).summary == "Summary text."


def test_saving_a_locked_assessment_says_why_and_changes_nothing(client, focal_point, assessment):
    """The page was opened as a draft; staff shared it meanwhile; the save is refused."""
    client.force_login(focal_point)
    data = form_data(client.get(change_url(assessment)))
    at(assessment, S.CONSULTATION)
    response = client.post(change_url(assessment), {**data, "summary": "Too late"}, follow=True)
    assert any("can only change as a draft" in m for m in messages_of(response))
    assert Assessment.objects.get(pk=assessment.pk).summary == "Summary text."


def test_only_staff_mark_good_practices(client, staff, focal_point, assessment):
    factories.answer_all(assessment)
    finding = assessment.findings.get(kind=FindingKind.WELL_DEVELOPED)
    Finding.objects.filter(pk=finding.pk).update(is_good_practice=False)
    prefix = "findings"
    client.force_login(focal_point)
    page = client.get(change_url(assessment))
    index = next(
        i
        for i, f in enumerate(page.context["inline_admin_formsets"][0].formset.forms)
        if f.instance.pk == finding.pk
    )
    assert f"{prefix}-{index}-is_good_practice" not in page.content.decode()
    data = form_data(page)
    data[f"{prefix}-{index}-is_good_practice"] = "on"
    assert client.post(change_url(assessment), data).status_code == 302
    assert Finding.objects.get(pk=finding.pk).is_good_practice is False
    client.force_login(staff)
    data = form_data(client.get(change_url(assessment)))
    data[f"{prefix}-{index}-is_good_practice"] = "on"
    assert client.post(change_url(assessment), data).status_code == 302
    assert Finding.objects.get(pk=finding.pk).is_good_practice is True


def test_follow_up_round_lists_the_previous_rounds_areas_for_development(
    client, staff, validator, focal_point, government
):
    first = AssessmentFactory(government=government, year=2019)
    factories.answer_all(first)
    potential = first.findings.get(kind=FindingKind.POTENTIAL)
    second = AssessmentFactory(government=government, year=2023, round_number=2, previous=first)
    client.force_login(focal_point)
    page = client.get(change_url(second))
    formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is FollowUp
    )
    assert [f.initial.get("finding") for f in formset.forms] == [potential.pk]
    assert [pk for pk, _ in formset.forms[0].fields["finding"].choices if pk] == [potential.pk]
    data = form_data(page)
    prefix = formset.prefix
    data.update(
        {f"{prefix}-0-progress": "partly_addressed", f"{prefix}-0-note": "A bill is drafted."}
    )
    response = client.post(change_url(second), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    follow_up = FollowUp.objects.get(assessment=second)
    assert (follow_up.finding, follow_up.progress) == (potential, "partly_addressed")


def test_sources_and_context_figures_are_entered_on_the_same_page(client, staff, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    page = client.get(change_url(assessment))
    data = form_data(page)
    data.update(
        {
            "sources-TOTAL_FORMS": "1",
            "sources-0-title": "Law 21.325",
            "sources-0-kind": "law",
            "sources-0-archived_copy": SimpleUploadedFile("law.pdf", b"%PDF-1.4 law"),
            "context_figures-TOTAL_FORMS": "1",
            "context_figures-0-kind": "migrant_stock",
            "context_figures-0-value": "1625074",
            "context_figures-0-unit": "people",
            "context_figures-0-year": "2023",
            "context_figures-0-source": "INE",
            "context_figures-0-position": "0",
        }
    )
    response = client.post(change_url(assessment), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source = Source.objects.get(assessment=assessment)
    assert source.archived_copy.read() == b"%PDF-1.4 law"
    assert ContextFigure.objects.get(assessment=assessment).value == 1625074


# --- Query counts -----------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# session, user, 2x permissions, assessment, membership, answers, their sources, source
# choices, indicators (with area and dimension), dimension choices, findings, sources,
# figures, comments, government and framework (selected autocomplete values), previous-round
# choices (the same government's earlier rounds), history.
CHANGE_PAGE_QUERIES = 19


def test_change_page_query_count_does_not_grow_with_indicators(
    client, focal_point, government, django_assert_num_queries
):
    """National (97 indicators) and Local MGI (fewer) pages cost the same, pinned."""
    national = AssessmentFactory(government=government)
    local = AssessmentFactory(government=LocalGovernmentFactory())
    factories.official(local.government, role="focal_point", username="local-focal")
    for assessment in (national, local):
        factories.answer_all(assessment)
        Source.objects.create(assessment=assessment, title="A law")
    sizes = {
        a.pk: Indicator.objects.filter(framework=a.framework).current().count()
        for a in (national, local)
    }
    assert sizes[national.pk] > 90 and sizes[local.pk] < 60
    client.force_login(focal_point)
    client.get(change_url(national))  # warm the content-type cache, as a running server has
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        client.get(change_url(national))
    client.force_login(Assessment.objects.get(pk=local.pk).government.memberships.get().user)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        client.get(change_url(local))


def test_saving_the_page_costs_the_same_for_one_or_many_changed_answers(
    client, focal_point, assessment
):
    factories.answer_all(assessment, value="")
    indicators = list(Indicator.objects.filter(framework=assessment.framework).current())
    client.force_login(focal_point)
    counts = []
    for changed in (indicators[:1], indicators[1:60]):
        data = form_data(client.get(change_url(assessment)))
        for indicator in changed:
            data[f"answer-{indicator.pk}-value"] = "absent"
        with CaptureQueriesContext(connection) as queries:
            assert client.post(change_url(assessment), data).status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Answer.objects.filter(assessment=assessment, value="absent").count() == 60


def populate(countries: list[str], staff, year: int = 2020):
    """A government per country, each with one of every kind of row the changelists list."""
    from tests.profiles.editing.test_isolation import government_world

    for country in countries:
        government = GovernmentFactory(country=country)
        validator = factories.official(government, role="validator", username=f"v-{country}")
        government_world(government, staff=staff, validator=validator, year=year)


CHANGELISTS = [
    "assessment",
    "answer",
    "finding",
    "source",
    "contextfigure",
    "followup",
    "contenttranslation",
    "consultationcomment",
    "statuschange",
    "signoff",
    "membership",
    "government",
    "publication",
]


def test_changelist_query_counts_do_not_grow_with_rows(client, staff, admin_user):
    """Every changelist costs the same with N and 2N rows of each kind."""
    client.force_login(staff)
    populate(["GH"], staff)
    first = {name: count_queries(client, f"/admin/profiles/{name}/") for name in CHANGELISTS}
    populate(["PE"], staff)  # a second government: twice the rows
    second = {name: count_queries(client, f"/admin/profiles/{name}/") for name in CHANGELISTS}
    assert first == second, first
    # 7 = session, user, 2x permissions, 2x count (filtered and total), the rows; plus
    # one query per list filter that lists values from the database.
    assert first == {
        "assessment": 9,
        "answer": 7,
        "finding": 8,
        "source": 7,
        "contextfigure": 7,
        "followup": 7,
        "contenttranslation": 7,
        "consultationcomment": 7,
        "statuschange": 8,
        "signoff": 7,
        "membership": 7,
        "government": 7,
        "publication": 7,
    }


# --- Workflow buttons ------------------------------------------------------------------


def test_page_offers_exactly_the_available_transitions_as_post_forms(
    client, staff, validator, assessment
):
    client.force_login(staff)
    html = client.get(change_url(assessment)).content.decode()
    assert f'action="{transition_url(assessment, "share")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert transition_url(assessment, "publish") not in html
    at(assessment, S.SUBMITTED)
    client.force_login(validator)
    html = client.get(change_url(assessment)).content.decode()
    assert reverse("admin:profiles_assessment_sign_off", args=[assessment.pk]) in html
    assert f'action="{transition_url(assessment, "return")}"' in html
    assert transition_url(assessment, "share") not in html


def test_share_button_moves_the_assessment_and_shows_the_history(client, staff, assessment):
    client.force_login(staff)
    response = client.post(transition_url(assessment, "share"), {"note": "Over to ministries"})
    assert response.status_code == 302
    assert status_of(assessment) == S.CONSULTATION
    change = StatusChange.objects.get(assessment=assessment)
    assert (change.transition, change.by, change.note) == ("share", staff, "Over to ministries")
    html = client.get(change_url(assessment)).content.decode()
    assert 'id="status-history"' in html and "Over to ministries" in html


@pytest.mark.parametrize(
    ("start", "name", "who", "message"),
    [
        (S.CONSULTATION, "submit", "staff", "Unanswered indicators"),
        (S.DRAFT, "publish", "staff", "Cannot publish an assessment that is draft"),
        (S.SUBMITTED, "return", "validator", "Give a reason"),
        (S.CONSULTATION, "reopen", "focal_point", "You may not reopen"),
        (S.SUBMITTED, "return", "staff", "You may not return"),
    ],
)
def test_refused_transitions_are_messages_and_change_nothing(
    client, start, name, who, message, request, assessment
):
    at(assessment, start)
    client.force_login(request.getfixturevalue(who))
    response = client.post(transition_url(assessment, name), {"note": ""}, follow=True)
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert status_of(assessment) == start
    assert not StatusChange.objects.exists()


def test_transitions_need_post_and_csrf(staff, assessment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get(transition_url(assessment, "share")).status_code == 405
    assert client.post(transition_url(assessment, "share")).status_code == 403
    assert status_of(assessment) == S.DRAFT


def test_validator_signs_off_on_a_page_showing_the_content(client, staff, validator, assessment):
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    url = reverse("admin:profiles_assessment_sign_off", args=[assessment.pk])
    client.force_login(validator)
    page = client.get(url)
    html = page.content.decode()
    assert "Health services are open to all migrants." in html and 'id="sign-off-form"' in html
    response = client.post(url, {"name": "Ana", "title": "", "ministry": "", "statement": ""})
    assert response.status_code == 200 and not SignOff.objects.exists()
    errors = response.content.decode().split('class="error-summary"', 1)[1].split("</div>")[0]
    assert 'href="#id_title"' in errors and 'href="#id_statement"' in errors  # links to fields
    shown = signoff.current_hash(assessment)
    assert f'name="reviewed_hash" value="{shown}"' in html
    response = client.post(
        url,
        {
            "name": "Ana Pérez",
            "title": "Director",
            "ministry": "Interior",
            "statement": "We validate.",
            "reviewed_hash": shown,
        },
    )
    assert response.status_code == 302
    sign_off = SignOff.objects.get(assessment=assessment)
    assert (sign_off.validator, sign_off.validator_name, sign_off.ministry) == (
        validator,
        "Ana Pérez",
        "Interior",
    )
    assert status_of(assessment) == S.VALIDATED


def test_the_validator_may_write_the_statement_in_each_language_validated(
    client, staff, validator, assessment, settings
):
    """French readers read the validator's own French words; Spanish ones, not validated
    in Spanish, read the original statement marked as English."""
    from django.test import Client, TestCase

    from profiles import content
    from profiles.models import ContentTranslation, Publication
    from tests.profiles.publications import PAGES_ONLY

    factories.answer_all(assessment)
    original = content.translatable_texts(content.build(assessment, include_translations=False))
    ContentTranslation.objects.create(
        assessment=assessment,
        language="fr",
        texts={key: f"FR {text}" for key, text in original.items()},
        source_hashes=content.source_hashes(original),
    )
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    url = reverse("admin:profiles_assessment_sign_off", args=[assessment.pk])
    client.force_login(validator)
    html = client.get(url).content.decode()
    assert 'name="statement_fr"' in html and 'lang="fr" dir="ltr"' in html
    assert 'name="statement_es"' not in html  # Spanish is not being validated
    response = client.post(
        url,
        {
            "name": "Ana Pérez",
            "title": "Director",
            "ministry": "Interior",
            "statement": "We validate this profile.",
            "statement_fr": "Nous validons ce profil.",
            "statement_es": "Validamos este perfil.",  # not offered: ignored
            "reviewed_hash": signoff.current_hash(assessment),
        },
    )
    assert response.status_code == 302
    sign_off = SignOff.objects.get(assessment=assessment)
    assert sign_off.statement_translations == {"fr": "Nous validons ce profil."}

    settings.MGI_PUBLICATION_RENDERERS = PAGES_ONLY
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    publication = Publication.objects.get(assessment=assessment)
    reader, path = Client(), publication.get_absolute_url()
    french = reader.get(f"/fr{path}").content.decode()
    assert '<blockquote class="statement"><p>Nous validons ce profil.</p>' in french
    spanish = reader.get(f"/es{path}").content.decode()
    original = '<blockquote class="statement" lang="en" dir="ltr"><p>We validate this profile.'
    assert original in spanish


def test_staff_cannot_use_the_sign_off_form(client, staff, assessment):
    at(assessment, S.SUBMITTED)
    client.force_login(staff)
    url = reverse("admin:profiles_assessment_sign_off", args=[assessment.pk])
    assert "You cannot validate" in client.get(url).content.decode()
    response = client.post(url, {"name": "x", "title": "x", "ministry": "x", "statement": "x"})
    assert response.status_code == 403
    assert status_of(assessment) == S.SUBMITTED


def _validated(assessment, staff, validator):
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))


def test_publish_at_a_scheduled_time_is_an_embargo(client, staff, validator, assessment):
    _validated(assessment, staff, validator)
    client.force_login(staff)
    release = (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(
        transition_url(assessment, "publish"),
        {"release_at": release.strftime("%Y-%m-%dT%H:%M"), "note": ""},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(assessment=assessment)
    assert publication.release_at == release
    assert not Publication.objects.live().exists()


def test_withdraw_needs_a_public_reason(client, staff, validator, assessment):
    _validated(assessment, staff, validator)
    workflow.apply(workflow.PUBLISH, assessment, by=staff)
    client.force_login(staff)
    client.post(transition_url(assessment, "withdraw"), {"note": " "})
    assert status_of(assessment) == S.PUBLISHED
    client.post(transition_url(assessment, "withdraw"), {"note": "Figures were wrong."})
    assert status_of(assessment) == S.WITHDRAWN
    assert Publication.objects.get(assessment=assessment).withdrawn_reason == "Figures were wrong."


def test_another_governments_workflow_urls_are_not_found(client, focal_point, validator):
    other = AssessmentFactory(government=GovernmentFactory(country="GH"))
    at(other, S.SUBMITTED)
    client.force_login(validator)
    for url in (
        transition_url(other, "return"),
        reverse("admin:profiles_assessment_sign_off", args=[other.pk]),
        reverse("admin:profiles_assessment_add_comment", args=[other.pk]),
        reverse("admin:profiles_assessment_translation", args=[other.pk, "fr"]),
    ):
        assert client.post(url, {"note": "x", "name": "x"}).status_code == 404
        assert client.get(url).status_code in (404, 405)
    assert status_of(other) == S.SUBMITTED
    assert not SignOff.objects.exists()


def test_editing_a_part_on_its_own_page_is_locked_and_bumps_the_revision(
    client, focal_point, assessment
):
    factories.answer_all(assessment, value="")
    source = Source.objects.create(assessment=assessment, title="Old title")
    url = reverse("admin:profiles_source_change", args=[source.pk])
    client.force_login(focal_point)
    data = {"assessment": assessment.pk, "title": "New title", "kind": "law"}
    assert client.post(url, data).status_code == 302
    assert Source.objects.get(pk=source.pk).title == "New title"
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision + 1
    at(assessment, S.CONSULTATION)
    assert client.post(url, {**data, "title": "Locked"}).status_code == 403
    assert Source.objects.get(pk=source.pk).title == "New title"


def test_a_published_governments_country_and_level_cannot_be_changed(
    client, staff, validator, assessment
):
    """Its profiles were signed under them; lists, filters and answer tallies place it by them."""
    government = assessment.government
    client.force_login(staff)
    url = reverse("admin:profiles_government_change", args=[government.pk])
    assert 'name="country"' in client.get(url).content.decode()
    factories.published(assessment, staff=staff, validator=validator)
    page = client.get(url).content.decode()
    assert 'name="country"' not in page and 'name="level"' not in page
    data = {"level": "local", "kind": government.kind, "country": "KE", "name": "", "slug": "x"}
    client.post(url, {**data, "slug": government.slug})
    government.refresh_from_db()
    assert (str(government.country), government.level) == ("CL", "national")
