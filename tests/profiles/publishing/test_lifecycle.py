"""The publication lifecycle runs through its Celery tasks, as production does.

Tests run the tasks eagerly (tests/conftest.py), so publishing, withdrawing and
an embargo's end execute `profiles.publishing.tasks` for real; Celery's own
signals say which tasks ran. The last test turns eager mode off to show what a
web process does in production: it only hands the task to the broker, after commit.
"""

import datetime
import time

import pytest
from celery import signals
from celery.exceptions import Retry
from django.test import TestCase
from django.utils import timezone

from mgi_portal.celery import app as celery_app
from profiles import workflow
from profiles.models import Publication, PublicationFile
from profiles.outputs import opendata
from profiles.publishing import lifecycle
from tests import factories

pytestmark = pytest.mark.django_db

RENDER = "profiles.publishing.tasks.render_publication"
REBUILD = "profiles.publishing.tasks.rebuild_opendata"
DATA_ONLY = ["profiles.outputs.exports.render_publication_data"]


@pytest.fixture(autouse=True)
def _data_files_only(settings):
    """The data renderer is enough to see files made; pages and PDFs are tested elsewhere."""
    settings.MGI_PUBLICATION_RENDERERS = DATA_ONLY


@pytest.fixture
def succeeded():
    """(task name, args) of every task that ran to success during the test, in order."""
    ran: list[tuple[str, tuple]] = []

    def record(sender, **kwargs) -> None:
        ran.append((sender.name, tuple(sender.request.args or ())))

    signals.task_success.connect(record, weak=False)
    yield ran
    signals.task_success.disconnect(record)


def _validated(government, staff, validator, **kwargs):
    assessment = factories.AssessmentFactory(government=government, year=2024, **kwargs)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(
        workflow.VALIDATE, assessment, by=validator, sign_off=factories.sign_off_for(assessment)
    )
    return assessment


def test_publishing_renders_the_files_in_the_render_task(
    client, government, staff, validator, succeeded
):
    assessment = _validated(government, staff, validator)
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
        publication = Publication.objects.get(assessment=assessment)
        assert publication.ready_at is None and not succeeded  # nothing before the commit
    assert callbacks
    assert succeeded == [(RENDER, (publication.pk,)), (REBUILD, ([publication.pk],))]
    publication.refresh_from_db()
    assert publication.ready_at is not None
    assert set(
        PublicationFile.objects.filter(publication=publication).values_list("kind", flat=True)
    ) == {"csv", "json", "zip"}
    assert opendata.read_manifest()["counts"]["publications"] == 1
    assert client.get(publication.get_absolute_url()).status_code == 200


def test_withdrawing_forgets_cached_pages_and_rebuilds_the_dataset_in_a_task(
    client, government, staff, validator, succeeded
):
    assessment = _validated(government, staff, validator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    url = Publication.objects.get(assessment=assessment).get_absolute_url()
    assert client.get(url).status_code == 200  # now cached for anonymous visitors
    succeeded.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, assessment, by=staff, note="Wrong figures.")
    assert succeeded == [(REBUILD, ())]
    assert opendata.read_manifest()["counts"]["publications"] == 0
    response = client.get(url)
    assert response.status_code == 410 and "Wrong figures." in response.content.decode()


def test_an_embargo_ends_with_a_dataset_rebuild_task_on_the_next_request(
    client, government, staff, validator, succeeded
):
    assessment = _validated(government, staff, validator)
    release = timezone.now() + datetime.timedelta(seconds=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, assessment, by=staff, release_at=release)
    manifest = opendata.read_manifest()  # built by the render task, before the release
    assert manifest["counts"]["publications"] == 0 and manifest["valid_until"]
    succeeded.clear()
    time.sleep(max(0.0, (release - timezone.now()).total_seconds()) + 0.1)
    assert client.get("/data/").status_code == 200
    released = Publication.objects.get(assessment=assessment)
    assert succeeded == [(REBUILD, ([released.pk],))]  # the publication released, only
    assert lifecycle.current_dataset()["counts"]["publications"] == 1
    assert opendata.read_manifest()["valid_until"] is None


def failing_renderer(publication: Publication) -> None:
    """A renderer whose output cannot be made (a PDF engine that crashes, a full disk)."""
    raise OSError("No space left on device")


def test_a_failing_render_reaches_the_caller_and_leaves_nothing_public(
    client, government, staff, validator, settings
):
    """Run eagerly, the first failure is raised (as the Retry a worker would schedule)."""
    settings.MGI_PUBLICATION_RENDERERS = [*DATA_ONLY, f"{__name__}.failing_renderer"]
    assessment = _validated(government, staff, validator)
    with (
        pytest.raises(Retry) as raised,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    assert isinstance(raised.value.exc, OSError)
    publication = Publication.objects.get(assessment=assessment)
    assert publication.ready_at is None  # its data files exist, but it is not public
    assert client.get(publication.get_absolute_url()).status_code == 404


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


def test_in_production_the_web_process_only_queues_the_render_after_commit(
    government, staff, validator, with_a_broker, succeeded
):
    assessment = _validated(government, staff, validator)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    assert with_a_broker.qsize() == 0  # not before the commit
    for callback in callbacks:
        callback()
    message = with_a_broker.get(timeout=1)
    publication = Publication.objects.get(assessment=assessment)
    assert (
        message.headers["task"] == RENDER and message.headers["argsrepr"] == f"({publication.pk},)"
    )
    publication.refresh_from_db()
    assert publication.ready_at is None and not succeeded  # a worker renders it, not this process
