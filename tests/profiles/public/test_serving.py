"""The one file server: every download (data, PDF, dataset) is sent the same way."""

import pytest
from django.core.files.storage import default_storage

from profiles.models import FileKind, PublicationFile
from profiles.outputs import exports
from profiles.public import serving
from tests.factories import AssessmentFactory
from tests.profiles.publications import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def chile(government, staff, validator, settings):
    publication = publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    exports.render_publication_data(publication)  # `publish` stored the page bodies only
    return publication


CSV_URL = "/profiles/chl/2024/v1/data.csv"


def test_a_download_streams_with_a_strong_etag_and_answers_304(client, chile):
    stored = PublicationFile.objects.get(publication=chile, kind=FileKind.CSV)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Length"] == str(stored.size)
    assert response["Content-Disposition"] == 'attachment; filename="mgi-chl-2024-v1.csv"'
    assert "X-Accel-Redirect" not in response

    for validator in (f'"{stored.sha256}"', f'W/"{stored.sha256}"', "*"):
        again = client.get(CSV_URL, headers={"If-None-Match": validator})
        assert again.status_code == 304, validator
        assert again["ETag"] == response["ETag"]
        assert again["Cache-Control"] == response["Cache-Control"]
    assert client.get(CSV_URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_behind_nginx_a_download_is_an_x_accel_redirect_with_the_same_headers(
    client, chile, settings
):
    stored = PublicationFile.objects.get(publication=chile, kind=FileKind.CSV)
    streamed = client.get(CSV_URL)
    settings.MGI_ACCEL_REDIRECT = "/_published/"

    response = client.get(CSV_URL)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_published/{stored.file.name}"
    assert default_storage.exists(stored.file.name)  # the path nginx will send
    for header in ("ETag", "Cache-Control", "Content-Type", "Content-Disposition"):
        assert response[header] == streamed[header], header
    # A client that has the file gets a 304 from Django; nginx is not asked.
    cached = client.get(CSV_URL, headers={"If-None-Match": streamed["ETag"]})
    assert cached.status_code == 304 and "X-Accel-Redirect" not in cached


def test_one_etag_for_composed_answers():
    assert serving.etag_for("page", 1, "en") == serving.etag_for("page", 1, "en")
    assert serving.etag_for("page", 1, "en") != serving.etag_for("page", 1, "fr")
    assert serving.etag_for("x").startswith('"') and len(serving.etag_for("x")) == 34
