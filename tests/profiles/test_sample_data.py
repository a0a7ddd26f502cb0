"""Sample data: realistic variety, always flagged as sample, loaded through the real workflow."""

import pytest
from django.core.management import call_command

from profiles import sample_data
from profiles.models import Assessment, AssessmentStatus, Government, Publication

pytestmark = pytest.mark.django_db


def test_sample_set_covers_levels_regions_statuses_and_rounds():
    national = [s for s in sample_data.SAMPLES if not s.name]
    local = [s for s in sample_data.SAMPLES if s.name]
    assert len(national) >= 8
    assert len(local) >= 3
    from profiles import regions

    assert len({regions.of_country(s.country).region for s in sample_data.SAMPLES}) >= 4
    stages = {r.stage for s in sample_data.SAMPLES for r in s.rounds}
    assert {"draft", "consultation", "submitted", "returned", "validated", "published"} <= stages
    assert any(len(s.rounds) == 2 for s in sample_data.SAMPLES)


def test_command_loads_marked_samples_and_is_idempotent(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # files render after commit
        call_command("load_sample_data", only=["chl", "gha", "accra-gha"])
    out = capsys.readouterr().out
    assert "chl 2023: published" in out

    assert set(Government.objects.values_list("slug", flat=True)) == {"chl", "gha", "accra-gha"}
    assert Assessment.objects.count() == 5
    assert not Assessment.objects.filter(is_sample=False).exists()
    assert all("Sample data" in a.introduction for a in Assessment.objects.all())
    assert not Publication.objects.filter(is_sample=False).exists()

    chile_2023 = Assessment.objects.get(government__slug="chl", year=2023)
    assert chile_2023.round_number == 2
    assert chile_2023.previous.year == 2018
    assert chile_2023.framework.slug == "mgi-national-2022"
    assert chile_2023.previous.framework.slug == "mgi-national-2016"
    assert chile_2023.follow_ups.exists()
    assert (
        Assessment.objects.get(government__slug="gha", year=2025).status == AssessmentStatus.DRAFT
    )
    assert Publication.objects.live().count() == 4

    call_command("load_sample_data", only=["chl", "gha", "accra-gha"])
    assert Assessment.objects.count() == 5
    assert Publication.objects.count() == 4


def test_published_sample_content_says_it_is_sample():
    call_command("load_sample_data", only=["accra-gha"])
    publication = Publication.objects.get()
    assert publication.content["is_sample"] is True
    assert publication.content["government"]["level"] == "local"
    assert publication.content_hash == publication.sign_off.content_hash


def test_loading_without_frameworks_fails_clearly(monkeypatch):
    from django.core.management import CommandError

    from indicators.models import Framework

    Framework.objects.filter(slug="mgi-local-2019").update(slug="renamed")
    with pytest.raises(CommandError, match="sync_framework"):
        call_command("load_sample_data")
    assert not Assessment.objects.exists()
