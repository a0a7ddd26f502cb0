"""Per-government isolation in admin: nothing of government B reaches a user of government A.

For every role and every admin page (changelist, raw-id popup, change, delete,
history, add, autocomplete) of every profiles model, the objects of government B
are neither shown nor changeable. IOM staff see every government by design, but
locked (non-draft) content is unchangeable for them too.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from profiles import roles, workflow
from profiles.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ConsultationComment,
    ContentTranslation,
    ContextFigure,
    Finding,
    FindingKind,
    FollowUp,
    Government,
    Membership,
    Publication,
    SignOff,
    Source,
    StatusChange,
)
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, sign_off_for

pytestmark = pytest.mark.django_db

MODELS = [
    Assessment,
    Answer,
    Finding,
    Source,
    ContextFigure,
    FollowUp,
    ContentTranslation,
    ConsultationComment,
    StatusChange,
    SignOff,
    Membership,
    Government,
    Publication,
]
MARKER = "Secret-of-gha"  # every text of government B (Ghana) carries it


def publish_without_rendering(assessment, *, staff, validator, marker="Secret"):
    """Walk the workflow to publication; files are not rendered (no commit in a test)."""
    factories.answer_all(assessment, text=f"{marker} justification")
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    return workflow.apply(workflow.PUBLISH, assessment, by=staff)


def government_world(government, *, staff, validator, year):
    """A published round and a draft follow-up round holding one of every kind of object."""
    marker = f"Secret-of-{government.slug}"
    first = AssessmentFactory(government=government, year=year, introduction=marker)
    publish_without_rendering(first, staff=staff, validator=validator, marker=marker)
    draft = AssessmentFactory(
        government=government, year=year + 2, round_number=2, previous=first, summary=marker
    )
    factories.answer_all(draft, text=f"{marker} draft")
    dimension = draft.framework.dimensions.get(code=2)
    Source.objects.create(assessment=draft, title=f"{marker} law")
    ContextFigure.objects.create(
        assessment=draft,
        kind="other",
        label=f"{marker} figure",
        value=1,
        unit="people",
        year=year,
        source=f"{marker} office",
    )
    FollowUp.objects.create(
        assessment=draft,
        finding=first.findings.get(kind=FindingKind.POTENTIAL),
        progress="partly_addressed",
        note=marker,
    )
    Finding.objects.create(assessment=draft, dimension=dimension, kind="potential", text=marker)
    ContentTranslation.objects.create(assessment=draft, language="fr", texts={"summary": marker})
    ConsultationComment.objects.create(assessment=draft, ministry=marker, text=marker)
    return first, draft


@pytest.fixture
def world(staff, government, validator):
    """Government A (Chile) and government B (Ghana), each with one of every object."""
    ghana = GovernmentFactory(country="GH")
    ghana_validator = factories.official(ghana, role="validator", username="gh-validator")
    factories.official(ghana, role="focal_point", username="gh-focal")
    government_world(government, staff=staff, validator=validator, year=2020)
    government_world(ghana, staff=staff, validator=ghana_validator, year=2020)
    return ghana


def objects_of(government):
    """Every profiles object belonging to `government`, by model."""
    result = {}
    for model in MODELS:
        model_admin = admin.site._registry[model]
        lookup = model_admin.government_lookup
        field = f"{lookup}__pk" if lookup else "pk"
        result[model] = list(model.objects.filter(**{field: government.pk}))
        assert result[model], f"the test world has no {model.__name__} of {government}"
    return result


def administrator():
    user = factories.UserFactory(username="administrator")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return user


@pytest.fixture(params=["focal_point", "validator", "administrator", "two_governments"])
def outsider(request, world, government, focal_point, validator):
    """A user of government A (or of A and C, or an administrator), never of B."""
    if request.param == "focal_point":
        return focal_point
    if request.param == "validator":
        return validator
    if request.param == "administrator":
        return administrator()
    user = factories.official(government, role="focal_point", username="two-hats")
    Membership.objects.create(
        user=user, government=GovernmentFactory(country="PE"), role="validator"
    )
    return user


def url(model, view, *args):
    from django.urls import reverse

    return reverse(f"admin:profiles_{model._meta.model_name}_{view}", args=args)


def ids_in_changelist(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


# Administrators assign roles for every government: they see all governments and
# memberships (but no assessment content).
ROLE_MANAGEMENT = {Government, Membership}


def hidden_models(user):
    if user.username == "administrator":
        return [m for m in MODELS if m not in ROLE_MANAGEMENT]
    return MODELS


def test_lists_and_raw_id_popups_show_nothing_of_another_government(client, outsider, world):
    """Changelists and `?_to_field=id&_popup=1` raw-id lookups list none of B's objects."""
    client.force_login(outsider)
    of_b = objects_of(world)
    for model in hidden_models(outsider):
        for query in ("", "?_to_field=id&_popup=1", "?q=Secret"):
            response = client.get(url(model, "changelist") + query)
            assert response.status_code in (200, 403), (model, query)
            if response.status_code == 200:
                assert not ids_in_changelist(response) & {o.pk for o in of_b[model]}, model
                assert MARKER not in response.content.decode(), model


def test_change_delete_and_history_of_another_governments_objects_are_refused(
    client, outsider, world
):
    """Opening, posting, deleting or reading the history of B's objects never succeeds."""
    client.force_login(outsider)
    for model, objects in objects_of(world).items():
        if model not in hidden_models(outsider):
            continue
        obj = objects[0]
        for view in ("change", "delete", "history"):
            response = client.get(url(model, view, obj.pk))
            assert response.status_code in (302, 403, 404), (model, view)
            assert MARKER not in response.content.decode()
        before = model.objects.filter(pk=obj.pk).values().get()
        client.post(url(model, "change", obj.pk), {"text": "taken", "note": "taken"})
        client.post(url(model, "delete", obj.pk), {"post": "yes"})
        assert model.objects.filter(pk=obj.pk).values().get() == before, model


def test_add_forms_offer_and_accept_none_of_another_governments_objects(
    client, outsider, world, government
):
    """Foreign-key choices on add pages exclude B; posting B's ids creates nothing."""
    client.force_login(outsider)
    b_assessments = list(Assessment.objects.filter(government=world))
    b_ids = {model: {o.pk for o in objs} for model, objs in objects_of(world).items()}
    for model in hidden_models(outsider):
        response = client.get(url(model, "add"))
        assert response.status_code in (200, 403), model
        if response.status_code == 200:
            form = response.context["adminform"].form
            for name, field in form.fields.items():
                related = getattr(getattr(field, "queryset", None), "model", None)
                if related in b_ids:
                    offered = set(field.queryset.values_list("pk", flat=True))
                    assert not offered & b_ids[related], (model, name)
        count = model.objects.count()
        for assessment in b_assessments:
            client.post(
                url(model, "add"),
                {
                    "assessment": assessment.pk,
                    "government": world.pk,
                    "title": "x",
                    "text": "x",
                    "kind": "law",
                    "dimension": 1,
                    "value": "",
                    "year": 2030,
                },
            )
        assert model.objects.count() == count, model


def autocomplete_fields():
    """(model, field) pairs whose admin offers an autocomplete to a profiles model."""
    pairs = []
    for model in MODELS:
        for name in admin.site._registry[model].autocomplete_fields:
            related = model._meta.get_field(name).related_model
            if related in MODELS:
                pairs.append((model, name, related))
    assert len(pairs) >= 8
    return pairs


def test_autocomplete_endpoints_return_nothing_of_another_government(client, outsider, world):
    """`/admin/autocomplete/` answers with the user's governments' objects only."""
    client.force_login(outsider)
    b_ids = {model: {str(o.pk) for o in objs} for model, objs in objects_of(world).items()}
    for model, field, related in autocomplete_fields():
        if related not in hidden_models(outsider):
            continue
        for term in ("", "Secret", "gh", "Ghana"):
            response = client.get(
                "/admin/autocomplete/",
                {
                    "app_label": "profiles",
                    "model_name": model._meta.model_name,
                    "field_name": field,
                    "term": term,
                },
            )
            assert response.status_code in (200, 403), (model, field)
            if response.status_code == 200:
                found = {r["id"] for r in response.json()["results"]}
                assert not found & b_ids[related], (model, field, term)


def test_officials_see_their_own_governments_objects(client, world, focal_point, government):
    """The scoping is not "nothing for anyone": A's focal point sees A's work."""
    client.force_login(focal_point)
    response = client.get(url(Assessment, "changelist"))
    assert {a.government_id for a in response.context["cl"].result_list} == {government.pk}
    assert len(response.context["cl"].result_list) == 2
    response = client.get(url(Source, "changelist"))
    assert len(response.context["cl"].result_list) == 1


def test_a_user_with_roles_in_two_governments_sees_both_and_only_them(client, world, government):
    peru = GovernmentFactory(country="PE")
    AssessmentFactory(government=peru, year=2021)
    user = factories.official(government, role="focal_point", username="two-hats")
    Membership.objects.create(user=user, government=peru, role="validator")
    client.force_login(user)
    response = client.get(url(Assessment, "changelist"))
    seen = {a.government_id for a in response.context["cl"].result_list}
    assert seen == {government.pk, peru.pk}


def test_staff_see_every_government_but_locked_content_is_unchangeable(client, staff, world):
    """Staff act for B too, but B's published round is locked on every editing path."""
    client.force_login(staff)
    published = Assessment.objects.get(government=world, status=AssessmentStatus.PUBLISHED)
    answer = published.answers.first()
    finding = published.findings.first()
    response = client.get(url(Assessment, "change", published.pk))
    assert response.status_code == 200
    assert 'name="answer-' not in response.content.decode()  # read-only page
    assert client.get(url(Answer, "change", answer.pk)).context["has_change_permission"] is False
    for model, obj in [(Assessment, published), (Answer, answer), (Finding, finding)]:
        before = model.objects.filter(pk=obj.pk).values().get()
        client.post(url(model, "change", obj.pk), {"text": "x", "value": "absent"})
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).values().get() == before
    count = Finding.objects.count()
    client.post(
        url(Finding, "add"),
        {
            "assessment": published.pk,
            "dimension": finding.dimension_id,
            "kind": "potential",
            "text": "x",
            "position": 0,
        },
    )
    assert Finding.objects.count() == count


def test_bulk_delete_action_is_not_offered(client, staff, world):
    """Deleting goes through one object's page, where the lock is checked."""
    client.force_login(staff)
    for model in MODELS:
        response = client.get(url(model, "changelist"))
        actions = response.context.get("action_form")
        if actions is not None:
            choices = [value for value, _ in actions.fields["action"].choices]
            assert "delete_selected" not in choices, model


def test_administrators_manage_roles_for_every_government_but_see_no_content(client, world):
    """Assigning roles is the administrator's job; assessment content is not theirs to read."""
    client.force_login(administrator())
    response = client.get(url(Membership, "changelist"))
    assert world.pk in {m.government_id for m in response.context["cl"].result_list}
    for model in (Assessment, Answer, Finding, Publication, SignOff):
        assert client.get(url(model, "changelist")).status_code == 403
