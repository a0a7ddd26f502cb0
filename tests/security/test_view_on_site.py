"""The admin's "view on site" shortcut (/admin/r/<content type>/<id>/) reveals nothing.

Django's own view redirects anyone signed in to the admin to any object's public
address. Here it answers 404 unless the user sees the object in the admin (the
same scope as every admin list and form) and, for a publication, unless it is
live or the user is IOM staff.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from profiles.models import Government, Publication
from tests import factories

pytestmark = pytest.mark.django_db


def shortcut(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.fixture
def world(staff, validator, government):
    """Chile (A) with a live and an embargoed publication; Ghana (B) with an embargoed one."""
    later = timezone.now() + datetime.timedelta(days=30)
    live = factories.AssessmentFactory(government=government, year=2020)
    factories.published(live, staff=staff, validator=validator)
    embargoed = factories.AssessmentFactory(government=government, year=2024)
    factories.published(embargoed, staff=staff, validator=validator, release_at=later)
    draft = factories.AssessmentFactory(government=government, year=2025)

    ghana = factories.GovernmentFactory(country="GH")
    ghana_validator = factories.official(ghana, role="validator", username="gh-validator")
    ghana_focal = factories.official(ghana, role="focal_point", username="gh-focal")
    ghana_live = factories.AssessmentFactory(government=ghana, year=2021)
    factories.published(ghana_live, staff=staff, validator=ghana_validator)
    ghana_embargoed = factories.AssessmentFactory(government=ghana, year=2023)
    factories.published(ghana_embargoed, staff=staff, validator=ghana_validator, release_at=later)
    return {
        "chile": government,
        "chile_draft": draft,
        "chile_live": Publication.objects.get(assessment=live),
        "chile_embargoed": Publication.objects.get(assessment=embargoed),
        "ghana": ghana,
        "ghana_focal": ghana_focal,
        "ghana_live": Publication.objects.get(assessment=ghana_live),
        "ghana_embargoed": Publication.objects.get(assessment=ghana_embargoed),
    }


def test_another_governments_focal_point_gets_404_for_everything_of_a(client, world):
    client.force_login(world["ghana_focal"])
    for name in ("chile_draft", "chile", "chile_live", "chile_embargoed"):
        response = client.get(shortcut(world[name]))
        assert response.status_code == 404, name
        assert "Location" not in response
        assert world["chile"].slug not in response.content.decode()


def test_a_publication_that_is_not_live_is_404_for_anyone_but_staff(client, world):
    """Even for its own government's officials, and even with permission to view publications."""
    focal = world["ghana_focal"]
    client.force_login(focal)
    assert client.get(shortcut(world["ghana_embargoed"])).status_code == 404
    focal.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(focal)  # a fresh user object: permissions are cached per user
    assert client.get(shortcut(world["ghana_embargoed"])).status_code == 404
    assert client.get(shortcut(world["chile_embargoed"])).status_code == 404
    assert client.get(shortcut(world["chile_live"])).status_code == 404  # another government
    response = client.get(shortcut(world["ghana_live"]))
    assert response.status_code == 302
    assert response["Location"].endswith(world["ghana_live"].get_absolute_url())


def test_staff_get_the_redirect(client, staff, world):
    client.force_login(staff)
    for name in ("chile_embargoed", "chile_live", "ghana_embargoed", "chile"):
        response = client.get(shortcut(world[name]))
        assert response.status_code == 302, name
        assert response["Location"].endswith(world[name].get_absolute_url()), name
    # An assessment has no public address at all.
    assert client.get(shortcut(world["chile_draft"])).status_code == 404


def test_odd_addresses_never_reach_the_unscoped_view(client, staff, world):
    publication = world["chile_embargoed"]
    content_type = ContentType.objects.get_for_model(Publication).pk
    prefix = reverse("admin:view_on_site", args=[1, 1]).removesuffix("1/1/")
    odd = [
        f"{prefix}%20{content_type}/{publication.pk}/",  # int(" 12") is 12
        f"{prefix}{content_type}/%20{publication.pk}/",
        f"{prefix}0{content_type}/{publication.pk}/",
        f"{prefix}{content_type}/{publication.pk}/extra/",
        f"{prefix}999999/{publication.pk}/",
        f"{prefix}x/{publication.pk}/",
        f"{prefix}{content_type}/x/",
    ]
    client.force_login(world["ghana_focal"])
    for address in odd:
        response = client.get(address)
        assert response.status_code == 404, address
    # A model without an admin page has no "view on site" link, for anyone.
    client.force_login(staff)
    permission = ContentType.objects.get_for_model(Permission)
    assert client.get(reverse("admin:view_on_site", args=[permission.pk, 1])).status_code == 404


def test_signed_out_visitors_are_sent_to_the_login(client, world):
    response = client.get(shortcut(world["chile_embargoed"]))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert world["chile_embargoed"].get_absolute_url() not in response["Location"]


def test_the_admin_pages_link_the_shortcut_that_is_checked(client, staff, world):
    """The admin's own "View on site" links use these addresses, so they are the ones checked."""
    client.force_login(staff)
    government = Government.objects.get(pk=world["chile"].pk)
    page = client.get(reverse("admin:profiles_government_change", args=[government.pk]))
    assert shortcut(government) in page.content.decode()
