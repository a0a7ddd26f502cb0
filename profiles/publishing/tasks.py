"""Celery tasks: the slow half of the publication lifecycle, run after commit.

`lifecycle` dispatches them with `delay_on_commit`, so a worker never looks for
a row the web request has not committed yet. With `REDIS_URL` set a worker runs
them; without it (`make run`, tests) settings make Celery run them eagerly, in
process, so every test exercises this code, not a shortcut around it.

The task names (`profiles.publishing.tasks.render_publication`, ...) appear in
worker logs, which `bench/faults.py` reads: renaming them means updating it.
"""

from collections.abc import Sequence

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.cache import cache

from profiles.outputs import opendata
from profiles.publishing import generation, rendering, tallies

# The downloads at /data/ lag publications by at most this many seconds; assembling
# them is O(dataset), so it must not run once per publication (`rebuild_opendata`).
ASSEMBLY_INTERVAL = 5 * 60
ASSEMBLY_PENDING_KEY = "opendata:assembly-pending"
# Set while a `count_released` task is queued; it expires in case the task is lost.
TALLY_PENDING_KEY = "tallies:released-pending"
TALLY_PENDING_TIMEOUT = 5 * 60


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_publication(publication_id: int) -> None:
    """Render and store a publication's files; retried if it fails or its worker dies.

    Once the files are stored the publication is ready, so the cached public pages
    showing it are forgotten and the open dataset is brought up to date to include it.
    """
    rendering.render_files(publication_id)
    generation.publication_changed(publication_id)
    rebuild_opendata.delay_on_commit([publication_id])


@shared_task(
    bind=True, base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def rebuild_opendata(self, publication_ids: Sequence[int] = ()) -> None:
    """Update the open dataset after publications became ready, were released or withdrawn.

    Only the parts of `publication_ids` are written (`opendata.refresh`), so this
    costs the same whatever the size of the dataset. The downloads are assembled
    by `assemble_opendata`, at most once per `ASSEMBLY_INTERVAL` however many
    publications come in between. A withdrawal passes no ids: the assembly leaves
    out whatever is no longer live, so only the assembly is needed. Run eagerly
    (no worker: `make run`, tests) nobody could wait out that delay, so the
    downloads are assembled at once.
    """
    opendata.refresh(publication_ids)
    if self.request.is_eager:
        opendata.assemble_serialised()
        return
    if cache.add(ASSEMBLY_PENDING_KEY, "1", timeout=ASSEMBLY_INTERVAL + 10 * 60):
        since = opendata.seconds_since_assembly()
        wait = 0.0 if since is None else max(0.0, ASSEMBLY_INTERVAL - since)
        assemble_opendata.apply_async(countdown=wait)


def assembly_pending() -> bool:
    """Whether an assembly of the downloads is scheduled and has not started yet."""
    return bool(cache.get(ASSEMBLY_PENDING_KEY))


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def assemble_opendata() -> None:
    """Assemble the whole-dataset downloads from the stored parts and compact the journal."""
    cache.delete(ASSEMBLY_PENDING_KEY)  # changes from now on schedule the next assembly
    opendata.assemble_serialised()


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def count_released() -> None:
    """Count, in the answer tallies, the publications whose embargo has ended."""
    cache.delete(TALLY_PENDING_KEY)  # a release from now on queues the next task
    tallies.released()
