"""The open dataset as a Frictionless Data Package, built incrementally from stored parts."""

import datetime
import io
import json
import time
import zipfile
from pathlib import Path

import frictionless
import pandas as pd
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone

from mgi_portal.celery import app as celery_app
from profiles import workflow
from profiles.models import Answer, AnswerValue, Publication
from profiles.outputs import opendata
from profiles.publishing import tasks
from tests import factories

pytestmark = pytest.mark.django_db

ASSEMBLE = "profiles.publishing.tasks.assemble_opendata"


@pytest.fixture(autouse=True)
def _data_rendering_only(settings):
    """Publish with the data renderer only: pages and PDFs are tested elsewhere, and slow."""
    settings.MGI_PUBLICATION_RENDERERS = ["profiles.outputs.exports.render_publication_data"]
    cache.clear()


@pytest.fixture
def chile(government, staff, validator):
    """Chile's profile in two versions (a correction), with varied answers and texts."""
    assessment = factories.AssessmentFactory(government=government, year=2023)
    factories.answer_all(assessment, text='=HYPERLINK("http://x","y")')
    Answer.objects.filter(pk=assessment.answers.order_by("pk").first().pk).update(
        value=AnswerValue.NOT_APPLICABLE
    )
    Answer.objects.filter(pk=assessment.answers.order_by("pk").last().pk).update(
        value=AnswerValue.ABSENT, justification="Two\nlines, with a comma"
    )
    factories.published(assessment, staff=staff, validator=validator)
    workflow.apply(workflow.REVISE, assessment, by=staff, note="Typo")
    factories.published(assessment, staff=staff, validator=validator)
    return assessment


def _publish_peru(staff):
    peru = factories.GovernmentFactory(country="PE")
    validator = factories.official(peru, role="validator", username="validator-pe")
    assessment = factories.AssessmentFactory(government=peru, year=2024)
    factories.published(assessment, staff=staff, validator=validator)
    return assessment


def _download(client, name: str) -> zipfile.ZipFile:
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("name", ["mgi-open-data-csv.zip", "mgi-open-data-all-versions-csv.zip"])
def test_every_dataset_zip_is_a_valid_frictionless_data_package(
    client, chile, staff, tmp_path, name
):
    _publish_peru(staff)
    _download(client, name).extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in descriptor["resources"]}
    answers = resources["answers"]["schema"]
    assert answers["primaryKey"] == ["government_slug", "year", "version", "indicator_code"]
    assert {"fields": ["government_slug", "year", "version"]} in [
        {"fields": key["fields"]} for key in answers["foreignKeys"]
    ]
    answer = next(f for f in answers["fields"] if f["name"] == "answer")
    assert answer["constraints"]["enum"] == list(AnswerValue.values)
    assert "$ref" not in json.dumps(descriptor) and "profile" not in descriptor

    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name for task in report.tasks} >= {"answers", "publications", "frameworks"}


def test_a_broken_row_fails_the_validation(client, chile, tmp_path):
    """The schema has teeth: an answer outside the codes or a dangling key is reported."""
    _download(client, "mgi-open-data-csv.zip").extractall(tmp_path)
    answers = pd.read_csv(tmp_path / "answers.csv", dtype=str, keep_default_na=False)
    answers.loc[0, "answer"] = "mostly"
    answers.loc[1, "version"] = "9"
    answers.to_csv(tmp_path / "answers.csv", index=False)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = {error[0] for error in report.flatten(["type"])}
    assert not report.valid and {"constraint-error", "foreign-key"} <= errors


def test_publishing_one_more_profile_writes_only_its_part(client, chile, staff):
    before = opendata.read_index()["parts"]
    assert len(before) == 2  # both live versions of Chile
    _publish_peru(staff)
    after = opendata.read_index()["parts"]
    assert {k: v for k, v in after.items() if k in before} == before  # untouched
    (new,) = (entry for key, entry in after.items() if key not in before)
    assert new["government"] == "per" and new["path"].startswith("opendata/parts/per/")

    # The assembled files hold the same rows as a full rebuild from the database.
    incremental = _download(client, "mgi-open-data-all-versions-csv.zip")
    answers = incremental.read("answers.csv")
    opendata.rebuild()
    assert _download(client, "mgi-open-data-all-versions-csv.zip").read("answers.csv") == answers
    latest = pd.read_csv(_download(client, "mgi-open-data-csv.zip").open("publications.csv"))
    assert sorted(zip(latest["government_slug"], latest["version"], strict=True)) == [
        ("chl", 2),
        ("per", 1),
    ]
    frame = pd.read_csv(io.BytesIO(answers), dtype=str, keep_default_na=False)
    assert "Two\nlines, with a comma" in set(frame["justification"])
    assert '\'=HYPERLINK("http://x","y")' in set(frame["justification"])


def test_withdrawing_removes_the_parts_and_keeps_the_previous_downloads_one_generation(
    client, chile, staff
):
    parts = [entry["path"] for entry in opendata.read_index()["parts"].values()]
    served = opendata.read_manifest()["files"]["csv"]["path"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, chile, by=staff, note="Mistake")
    assert opendata.read_index()["parts"] == {}
    assert not any(default_storage.exists(path) for path in parts)
    manifest = opendata.read_manifest()
    assert manifest["counts"]["publications"] == 0
    # A download begun from the manifest before the switch can still finish.
    assert served in manifest["previous_paths"] and default_storage.exists(served)


@pytest.fixture
def with_a_broker():
    """Celery as in production (not eager), with the in-memory broker the settings name."""
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write() as connection:
            queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
            queue.clear()
            yield queue
            queue.clear()
            queue.close()
    finally:
        celery_app.conf.task_always_eager = True  # as tests/conftest.py set it


def test_with_a_worker_a_refresh_writes_a_journal_entry_and_schedules_one_later_assembly(
    chile, staff, with_a_broker
):
    manifest, index = opendata.read_manifest(), opendata.read_index()
    peru = _publish_peru(staff)  # its render task goes to the broker; a worker would run:
    publication = _ready(peru)
    tasks.rebuild_opendata([publication.pk])  # as a worker runs it: not eager
    (entry,) = [_stored_json(name) for name in _journal()]  # Peru's part, noted...
    assert [part["government"] for part in entry["parts"].values()] == ["per"]
    assert opendata.read_index() == index  # ...the index of every part is not rewritten...
    assert opendata.read_manifest() == manifest  # ...nor are the downloads, yet
    assembly = [m for m in _drain(with_a_broker) if m.headers["task"] == ASSEMBLE]
    assert len(assembly) == 1 and assembly[0].headers["eta"]  # after ASSEMBLY_INTERVAL
    tasks.rebuild_opendata([publication.pk])  # another change before it ran: no second assembly
    assert not [m for m in _drain(with_a_broker) if m.headers["task"] == ASSEMBLE]

    tasks.assemble_opendata()  # the worker, once the interval has passed
    assert opendata.read_manifest()["counts"]["governments"] == 2
    assert _journal() == []  # compacted into the index
    assert [part["government"] for part in opendata.read_index()["parts"].values()] == [
        "chl",
        "chl",
        "per",
    ]


def _ready(assessment) -> Publication:
    """What the render task (queued, not run) would have done last: the publication is ready."""
    publication = Publication.objects.get(assessment=assessment)
    Publication.objects.filter(pk=publication.pk).update(ready_at=timezone.now())
    return publication


def _journal() -> list[str]:
    try:
        return sorted(default_storage.listdir(opendata.JOURNAL)[1])
    except FileNotFoundError:
        return []


def _stored_json(name: str) -> dict:
    with default_storage.open(f"{opendata.JOURNAL}/{name}") as handle:
        return json.loads(handle.read())


def _stored_files(settings) -> dict[str, tuple[int, int]]:
    """Every stored file (path -> modification time and size): what a step wrote shows."""
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    }


def _changed(before: dict, after: dict) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


@pytest.fixture
def grown(chile, staff, more):
    """`more` governments besides Chile with a live publication each, published the real way."""
    for country in ["AR", "BR", "CO", "EC", "UY"][:more]:
        government = factories.GovernmentFactory(country=country)
        validator = factories.official(government, role="validator", username=f"v-{country}")
        assessment = factories.AssessmentFactory(government=government, year=2024)
        factories.published(assessment, staff=staff, validator=validator)


@pytest.mark.parametrize("more", [0, 4])
def test_with_a_worker_publishing_or_withdrawing_costs_the_same_at_any_size(
    chile, staff, grown, with_a_broker, settings, django_assert_num_queries, more
):
    """The worker's open-data step: the same queries and files with 2 or 6 live publications."""
    assert Publication.objects.live().count() == 2 + more
    publication = _ready(_publish_peru(staff))
    before = _stored_files(settings)
    # its keys (twice: refresh, csv_parts), its row, answers (2), findings (2), context figures
    with django_assert_num_queries(8):
        tasks.rebuild_opendata([publication.pk])
    written = _changed(before, _stored_files(settings))
    (part,) = (path for path in written if path.startswith("opendata/parts/per/"))
    (entry,) = (path for path in written if path.startswith(f"{opendata.JOURNAL}/"))
    assert written == {part, entry}

    _drain(with_a_broker)
    before = _stored_files(settings)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, chile, by=staff, note="Mistake")
    with django_assert_num_queries(0):  # the assembly leaves withdrawn publications out
        tasks.rebuild_opendata()
    assert _changed(before, _stored_files(settings)) == set()


DATA_TABLES = ("publications.csv", "answers.csv", "findings.csv", "context_figures.csv")


def _tables(client) -> dict[str, bytes]:
    """The data tables of both whole-dataset ZIPs, as a visitor downloads them."""
    return {
        f"{name}/{table}": _download(client, name).read(table)
        for name in ("mgi-open-data-csv.zip", "mgi-open-data-all-versions-csv.zip")
        for table in DATA_TABLES
    }


def _assert_same_as_a_full_rebuild(client) -> dict[str, bytes]:
    incremental = _tables(client)
    opendata.rebuild()
    assert _tables(client) == incremental
    return incremental


def test_after_publish_release_and_withdraw_the_downloads_are_the_live_set(
    client, chile, staff, government, validator
):
    """Assembled from the journal, the downloads equal a full rebuild's, byte for byte."""
    peru = _publish_peru(staff)
    tables = _assert_same_as_a_full_rebuild(client)
    assert b"\r\nper," in tables["mgi-open-data-csv.zip/publications.csv"]

    # Under embargo: rendered, but in no download until its release.
    assessment = factories.AssessmentFactory(government=government, year=2025)
    release = timezone.now() + datetime.timedelta(seconds=2)
    factories.published(assessment, staff=staff, validator=validator, release_at=release)
    tables = _tables(client)
    assert b",2025," not in tables["mgi-open-data-all-versions-csv.zip/publications.csv"]
    time.sleep(max(0.0, (release - timezone.now()).total_seconds()) + 0.1)
    assert client.get("/data/").status_code == 200  # the first request after the release
    tables = _assert_same_as_a_full_rebuild(client)
    assert b",2025," in tables["mgi-open-data-all-versions-csv.zip/publications.csv"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, peru, by=staff, note="Mistake")
    tables = _assert_same_as_a_full_rebuild(client)
    assert b"\r\nper," not in tables["mgi-open-data-all-versions-csv.zip/publications.csv"]


def _drain(queue) -> list:
    return [queue.get(timeout=1) for _ in range(queue.qsize())]


def test_the_data_page_codebook_comes_from_the_package_schema(client, chile):
    html = client.get("/data/").content.decode()
    assert "datapackage.json" in html
    assert "fully_present, partially_present, absent, not_applicable" in html
    assert "government_slug, year, version, indicator_code" in html  # the primary key


def test_build_opendata_rebuilds_every_part(chile, tmp_path):
    old = {entry["path"] for entry in opendata.read_index()["parts"].values()}
    Path(default_storage.path(next(iter(old)))).unlink()  # a lost part
    opendata.rebuild()
    paths = {entry["path"] for entry in opendata.read_index()["parts"].values()}
    assert paths == old and all(default_storage.exists(path) for path in paths)


def test_on_s3_the_manifest_and_index_are_replaced_in_place(client, s3_storage, chile, staff):
    """An object store replaces a key in one PUT: no second manifest, no moment without one."""
    _publish_peru(staff)
    opendata.rebuild()
    s3, bucket = s3_storage
    names = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert names.count(opendata.MANIFEST) == 1 and names.count(opendata.INDEX) == 1
    assert not [n for n in names if n.startswith("opendata/manifest") and n != opendata.MANIFEST]
    assert not [n for n in names if n.startswith(opendata.JOURNAL)]  # listed, then compacted
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=opendata.MANIFEST)["Body"].read())
    assert manifest["counts"]["governments"] == 2
    publications = pd.read_csv(_download(client, "mgi-open-data-csv.zip").open("publications.csv"))
    assert sorted(publications["government_slug"]) == ["chl", "per"]


def test_each_profile_has_its_own_valid_data_package_linked_from_its_page(client, chile, tmp_path):
    page = client.get("/profiles/chl/2023/v2/").content.decode()
    assert 'href="/profiles/chl/2023/v2/data.zip"' in page and "Data package (ZIP)" in page
    response = client.get("/profiles/chl/2023/v2/data.zip")
    assert response["Content-Type"] == "application/zip"
    assert "mgi-chl-2023-v2.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    archive.extractall(tmp_path)
    assert set(archive.namelist()) == {
        "datapackage.json",
        "publications.csv",
        "answers.csv",
        "findings.csv",
        "context_figures.csv",
        "LICENCE",
    }
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # The same rows as this version's rows in the whole dataset.
    whole = _download(client, "mgi-open-data-csv.zip").read("answers.csv")
    assert (tmp_path / "answers.csv").read_bytes() == whole
    assert client.get("/fr/profiles/chl/2023/v1/data.zip").status_code == 200
