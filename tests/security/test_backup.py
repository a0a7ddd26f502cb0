"""Backup and restore: the round trip gives back the same publications, byte for byte.

These tests commit (pg_dump and pg_restore work on committed data), so the
test database is emptied after each; the shipped frameworks are loaded again
before each test and after the module, for the tests that follow.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from indicators import loader
from indicators.models import Framework
from profiles import content as profile_content
from profiles import roles
from profiles.models import Publication, PublishedAnswer
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back_after_module(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        loader.sync()
        roles.ensure_groups()


@pytest.fixture(autouse=True)
def _no_files(settings):
    """Files (PDFs, pages) are in the storage backend, not in the database backup: skip them."""
    settings.MGI_PUBLICATION_RENDERERS = []


@pytest.fixture(autouse=True)
def _reference_data():
    if not Framework.objects.exists():
        loader.sync()
        roles.ensure_groups()


def _publications() -> list[tuple]:
    return list(
        Publication.objects.order_by("pk").values_list(
            "pk", "government__slug", "year", "version", "content_hash", "content", "ready_at"
        )
    )


def test_backup_and_restore_round_trip(staff, validator, government, tmp_path, capsys):
    """Back up, damage the data, restore: the same publications with the same hashes."""
    factories.published(
        factories.AssessmentFactory(government=government, year=2022),
        staff=staff,
        validator=validator,
    )
    local = factories.LocalGovernmentFactory()
    local_validator = factories.official(local, role="validator", username="local-validator")
    factories.published(
        factories.AssessmentFactory(government=local), staff=staff, validator=local_validator
    )
    before = _publications()
    answers = PublishedAnswer.objects.count()
    assert len(before) == 2 and answers > 0
    backup = tmp_path / "mgi.backup"
    call_command("backup", output=backup)
    backup_report = capsys.readouterr().out.strip().splitlines()[-1]

    # Damage: tampered hashes, a withdrawal, lost rows.
    Publication.objects.update(
        content_hash="0" * 64, withdrawn_at=timezone.now(), withdrawn_reason="damage"
    )
    PublishedAnswer.objects.all().delete()

    call_command("restore", backup, yes=True)
    restore_report = capsys.readouterr().out.strip().splitlines()[-1]
    after = _publications()
    assert after == before
    assert PublishedAnswer.objects.count() == answers
    assert not Publication.objects.filter(withdrawn_at__isnull=False).exists()
    for publication in Publication.objects.all():
        assert profile_content.digest(publication.content) == publication.content_hash
    assert restore_report == backup_report  # publications=2 digest=<same>


def test_restore_refuses_without_consent_or_with_a_bad_file(staff, validator, government, tmp_path):
    """Without --yes, or from a file that is not a backup, nothing is changed."""
    factories.published(
        factories.AssessmentFactory(government=government), staff=staff, validator=validator
    )
    before = _publications()
    backup = tmp_path / "mgi.backup"
    call_command("backup", output=backup)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", backup)
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a database backup\n" * 100)
    with pytest.raises(CommandError):
        call_command("restore", garbage, yes=True)
    with pytest.raises(CommandError):
        call_command("restore", tmp_path / "missing.backup", yes=True)
    assert _publications() == before


def test_backup_folder_keeps_the_newest(tmp_path):
    for _ in range(3):
        call_command("backup", output_dir=tmp_path, keep=2)
    assert len(list(tmp_path.glob("mgi-*"))) == 2
    assert not list(tmp_path.glob("*.partial"))
