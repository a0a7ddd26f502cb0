"""Shared storage: the whole publication path against a real S3 API (moto's server mode).

With `MGI_S3_BUCKET` set, two app servers share one object store instead of a local
folder. These tests switch STORAGES to django-storages' S3 backend against the
session's S3 server (tests/conftest.py, `s3_storage`: a new bucket per test) and
check what a visitor and an editor see: files land in the bucket, downloads and
profile pages come from it with the stored bytes and their ETag/304, withdrawal,
the spreadsheet preview and the open dataset work there. Nothing is read from
MEDIA_ROOT, which stays empty.
"""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase

from profiles import workflow
from profiles.editing import uploads
from profiles.models import AnswerValue, FileKind, Publication, PublicationFile, Source
from profiles.outputs import files
from tests import factories
from tests.profiles.editing.test_spreadsheets import upload

pytestmark = pytest.mark.django_db

PROFILE = "/profiles/chl/2024/v1/"


def objects(s3) -> dict[str, bytes]:
    """Every object in the test's bucket: name -> bytes, read with the S3 API itself."""
    client, bucket = s3
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.fixture
def publication(s3_storage, government, staff, validator):
    """Chile 2024 published through the real workflow, its files rendered into the bucket."""
    assessment = factories.AssessmentFactory(government=government, year=2024)
    factories.published(assessment, staff=staff, validator=validator)
    return Publication.objects.get(assessment=assessment)


def test_every_publication_file_is_in_the_bucket_with_its_sha256(s3_storage, publication, settings):
    stored = objects(s3_storage)
    rows = PublicationFile.objects.filter(publication=publication)
    assert {row.kind for row in rows} == {FileKind.HTML, FileKind.CSV, FileKind.JSON, FileKind.ZIP}
    for row in rows:
        assert hashlib.sha256(stored[row.file.name]).hexdigest() == row.sha256, row.file.name
    assert any(name.startswith("opendata/") for name in stored)  # the open dataset too
    assert not (settings.MEDIA_ROOT).exists()  # nothing on the local disk


def test_a_data_download_comes_from_the_bucket_with_its_etag_and_304(
    client, s3_storage, publication, settings
):
    row = PublicationFile.objects.get(publication=publication, kind=FileKind.CSV)
    settings.MGI_ACCEL_REDIRECT = "/_published/"  # nginx has no path into a bucket: ignored
    response = client.get(f"{PROFILE}data.csv")
    assert response.status_code == 200 and "X-Accel-Redirect" not in response
    body = b"".join(response.streaming_content)
    assert body == objects(s3_storage)[row.file.name]
    assert response["ETag"] == f'"{row.sha256}"' and response["Content-Length"] == str(row.size)
    again = client.get(f"{PROFILE}data.csv", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_a_pdf_stored_by_the_one_writer_is_served_from_the_bucket(client, s3_storage, publication):
    data = b"%PDF-1.7\n" + b"profile " * 1000 + b"\n%%EOF\n"
    files.store(publication, kind=FileKind.PDF, language="en", data=data, filename="mgi.pdf")
    again = b"%PDF-1.7\nsecond rendering\n%%EOF\n"  # a re-render keeps the name
    row = files.store(publication, kind=FileKind.PDF, language="en", data=again, filename="mgi.pdf")
    assert objects(s3_storage)[row.file.name] == again
    assert sum(name.endswith(".pdf") for name in objects(s3_storage)) == 1

    url = f"{PROFILE}pdf/en/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == again
    assert response["ETag"] == f'"{hashlib.sha256(again).hexdigest()}"'
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_the_profile_page_body_is_read_from_the_bucket(client, s3_storage, publication):
    """Changing the stored body in the bucket changes the page: it is not rendered again."""
    row = PublicationFile.objects.get(publication=publication, kind=FileKind.HTML, language="en")
    client_, bucket = s3_storage
    body = objects(s3_storage)[row.file.name].replace(b"</", b"<p>FROM-THE-BUCKET</p></", 1)
    client_.put_object(Bucket=bucket, Key=row.file.name, Body=body)
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert "FROM-THE-BUCKET" in response.content.decode()
    assert client.get(PROFILE, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_withdrawal_with_files_in_the_bucket(client, s3_storage, publication, staff):
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, publication.assessment, by=staff, note="Wrong figures.")
    assert client.get(PROFILE).status_code == 410
    assert client.get(f"{PROFILE}data.csv").status_code == 404
    response = client.get("/data/mgi-open-data-csv.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "chl" not in archive.read("answers.csv").decode()


def test_the_open_dataset_is_written_to_and_served_from_the_bucket(client, s3_storage, publication):
    assert client.get("/data/").status_code == 200
    response = client.get("/data/mgi-open-data-csv.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body in objects(s3_storage).values()
    assert "chl" in zipfile.ZipFile(io.BytesIO(body)).read("answers.csv").decode()
    again = client.get("/data/mgi-open-data-csv.zip", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_a_spreadsheet_upload_is_kept_in_the_bucket_until_confirmed(
    client, s3_storage, government, focal_point
):
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment, value=AnswerValue.ABSENT, text="No law yet.")
    client.force_login(focal_point)
    response = upload(client, assessment, "answers_good.xlsx")
    assert response.status_code == 302
    kept = [name for name in objects(s3_storage) if name.startswith("spreadsheet-imports/")]
    assert len(kept) == 1
    preview = client.get(response["Location"])
    assert "3 answer(s) would change (8 cell(s))" in preview.content.decode()

    plan = preview.context["plan"]
    confirm = response["Location"].replace("/preview/", "/confirm/")
    done = client.post(confirm, {"revision": plan.revision, "fingerprint": plan.fingerprint})
    assert done.status_code == 302
    assert assessment.answers.get(indicator__code="MGI-D1.1-01").value == "fully_present"
    assert not [name for name in objects(s3_storage) if name.startswith("spreadsheet-imports/")]


def test_an_archived_source_is_stored_in_the_bucket(s3_storage, government):
    assessment = factories.AssessmentFactory(government=government)
    source = Source(assessment=assessment, title="Migration Act")
    source.archived_copy.save("act.pdf", ContentFile(b"%PDF archived act"))
    assert source.archived_copy.name == f"sources/{assessment.pk}/act.pdf"
    assert objects(s3_storage)[source.archived_copy.name] == b"%PDF archived act"
    assert default_storage.open(source.archived_copy.name).read() == b"%PDF archived act"


def test_abandoned_uploads_are_swept_from_the_bucket(s3_storage):
    """An object store has no folders: the sweep lists names under the prefix instead."""
    kept = default_storage.save("spreadsheet-imports/7/abandoned.xlsx", ContentFile(b"PK draft"))
    assert kept in objects(s3_storage)
    assert uploads.sweep_uploads(max_age=datetime.timedelta(0)) == 1
    assert not objects(s3_storage)
