"""Framework admin: every page renders for an administrator, with constant query counts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from indicators.models import Area, Dimension, Framework, GCMObjective, Indicator, SDGDomain
from profiles import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [Framework, Dimension, Area, Indicator, GCMObjective, SDGDomain]


@pytest.fixture
def administrator(client):
    user = UserFactory(username="administrator")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    client.force_login(user)
    return user


def changelist(model):
    return reverse(f"admin:indicators_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_page_render(client, administrator, model):
    response = client.get(changelist(model))
    assert response.status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:indicators_{model._meta.model_name}_change", args=[obj.pk])
    assert client.get(change).status_code == 200


def test_indicator_changelist_query_count_does_not_grow_with_rows(
    client, administrator, django_assert_num_queries
):
    # 100 rows per page: the local framework fits one page, all frameworks fill three.
    client.get(changelist(Indicator))  # warm the content-type cache, shared by later requests
    local = Framework.objects.get(slug="mgi-local-2019")
    with django_assert_num_queries(9):
        client.get(
            changelist(Indicator),
            {"framework__id__exact": local.pk},
        )
    with django_assert_num_queries(9):
        client.get(changelist(Indicator))


@pytest.mark.parametrize("model", [Dimension, Area, Framework], ids=lambda m: m.__name__)
def test_changelists_query_count_is_the_same_for_one_or_all_frameworks(
    client, administrator, django_assert_max_num_queries, model
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    local = Framework.objects.get(slug="mgi-local-2019")
    lookup = {
        Dimension: "framework__id__exact",
        Area: "dimension__framework__id__exact",
        Framework: "level__exact",
    }[model]
    value = local.pk if model is not Framework else "local"
    with CaptureQueriesContext(connection) as one:
        client.get(changelist(model), {lookup: value})
    with CaptureQueriesContext(connection) as everything:
        client.get(changelist(model))
    assert len(one) == len(everything)


def test_framework_text_is_searchable(client, administrator):
    response = client.get(changelist(Indicator), {"q": "MGI-D1.1-01"})
    assert "MGI-D1.1-01" in response.content.decode()


def test_government_officials_cannot_open_framework_admin(client):
    user = UserFactory(username="official")
    user.groups.add(Group.objects.get(name=roles.GOVERNMENT_OFFICIALS))
    client.force_login(user)
    assert client.get(changelist(Indicator)).status_code == 403
