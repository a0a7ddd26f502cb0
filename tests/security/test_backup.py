"""Backup and restore: the round trip gives back the same publications, byte for byte.

A backup is the database dump plus every stored file (pages, data files, the open
dataset, archived sources) with their SHA-256, from a local folder or an S3 bucket
(a real S3 API: moto's server, tests/conftest.py). Restored onto a new, empty
store and an empty database, every publication comes back with the same content
hash and every file with the same SHA-256, and the site serves the same bytes.

These tests commit (pg_dump and pg_restore work on committed data), so the
test database is emptied after each; the shipped frameworks are loaded again
before each test and after the module, for the tests that follow.
"""

import hashlib
import io
import tarfile
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from indicators import loader
from indicators.models import Framework
from profiles import content as profile_content
from profiles import roles
from profiles.management import stored_files
from profiles.models import Publication, PublicationFile, PublishedAnswer, Source
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back_after_module(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        loader.sync()
        roles.ensure_groups()


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
    # The database dump (.sqlite3 or PostgreSQL's .dump) beside its stored-files archive.
    dumps = sorted(p for p in tmp_path.glob("mgi-*") if not p.name.endswith(".files.tar"))
    assert len(dumps) == 2
    assert sorted(tmp_path.glob("mgi-*")) == sorted(
        [*dumps, *(stored_files.archive_path(dump) for dump in dumps)]
    )
    assert not list(tmp_path.glob("*.partial"))


@pytest.fixture(params=["filesystem", "s3"])
def new_store(request, settings, tmp_path):
    """The storage the site uses (a local folder or an S3 bucket), and a way to swap it
    for a new, empty one of the same kind: the machine or bucket a restore starts from."""
    if request.param == "filesystem":

        def empty():
            settings.MEDIA_ROOT = tmp_path / f"media-{uuid.uuid4().hex}"

        return empty
    client, _bucket = request.getfixturevalue("s3_storage")

    def empty():
        bucket = f"mgi-restore-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        default = settings.STORAGES["default"]
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default["OPTIONS"], "bucket_name": bucket}},
        }

    return empty


def _stored() -> dict[str, str]:
    """Every file in the storage, name -> SHA-256, read through the storage API."""
    return {
        name: hashlib.sha256(default_storage.open(name, "rb").read()).hexdigest()
        for name in stored_files.walk(default_storage)
    }


def _published_with_files(staff, validator, government) -> Publication:
    """A publication with its page bodies and data files, the open dataset, an archived source."""
    assessment = factories.AssessmentFactory(government=government, year=2024)
    source = Source(assessment=assessment, title="Migration Act")
    source.archived_copy.save("act.pdf", ContentFile(b"%PDF the act as archived"))
    factories.published(assessment, staff=staff, validator=validator)
    return Publication.objects.get(assessment=assessment)


def test_restore_onto_an_empty_store_and_database_gives_back_every_file(
    new_store, client, staff, validator, government, tmp_path, capsys
):
    """Back up, lose the database and every file, restore: same hashes, same downloads."""
    publication = _published_with_files(staff, validator, government)
    csv_url = publication.get_absolute_url() + "data.csv"
    served = b"".join(client.get(csv_url).streaming_content)
    files = _stored()
    kinds = {name.split("/")[0] for name in files}
    assert {"publications", "opendata", "sources"} <= kinds, kinds
    before = _publications()
    backup = tmp_path / "mgi.backup"
    call_command("backup", output=backup)
    backup_report = capsys.readouterr().out.strip().splitlines()[-2:]

    new_store()  # a new machine or bucket: nothing stored
    call_command("flush", interactive=False)  # and an empty database
    assert not _stored() and not Publication.objects.exists()

    call_command("restore", backup, yes=True)
    restore_report = capsys.readouterr().out.strip().splitlines()[-2:]
    assert restore_report == backup_report  # files=N digest=… and publications=1 digest=…
    assert _publications() == before
    assert _stored() == files
    for row in PublicationFile.objects.all():
        assert files[row.file.name] == row.sha256
    for restored in Publication.objects.all():
        assert profile_content.digest(restored.content) == restored.content_hash
    response = client.get(csv_url)
    assert b"".join(response.streaming_content) == served
    assert client.get(publication.get_absolute_url()).status_code == 200


def test_a_damaged_or_missing_files_archive_restores_nothing(
    staff, validator, government, tmp_path
):
    publication = _published_with_files(staff, validator, government)
    backup = tmp_path / "mgi.backup"
    call_command("backup", output=backup)
    archive = stored_files.archive_path(backup)
    row = PublicationFile.objects.filter(publication=publication).first()
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(backup.read_bytes())
    with (
        tarfile.open(archive) as source,
        tarfile.open(stored_files.archive_path(damaged), "w") as target,
    ):
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == stored_files.PREFIX + row.file.name:
                data = bytes([data[0] ^ 1]) + data[1:]  # one bit changed, same size
            target.addfile(member, io.BytesIO(data))
    Publication.objects.update(withdrawn_at=timezone.now(), withdrawn_reason="after the backup")

    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", damaged, yes=True)
    archive.unlink()
    with pytest.raises(CommandError, match="--database-only"):
        call_command("restore", backup, yes=True)
    assert Publication.objects.get().withdrawn_reason == "after the backup"  # nothing changed

    call_command("restore", backup, yes=True, database_only=True)  # an older backup
    assert Publication.objects.get().withdrawn_at is None
