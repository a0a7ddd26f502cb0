"""Celery tasks: the slow half of the publication lifecycle, run after commit.

`lifecycle` dispatches them with `delay_on_commit`, so a worker never looks for
a row the web request has not committed yet. With `REDIS_URL` set a worker runs
them; without it (`make run`, tests) settings make Celery run them eagerly, in
process, so every test exercises this code, not a shortcut around it.

The task names (`profiles.publishing.tasks.render_publication`, ...) appear in
worker logs, which `bench/faults.py` reads: renaming them means updating it.
"""

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.core.cache import cache

from profiles.outputs import opendata
from profiles.publishing import generation, rendering

# The downloads at /data/ lag publications by at most this many seconds; assembling
# them is O(dataset), so it must not run once per publication (`rebuild_opendata`).
ASSEMBLY_INTERVAL = 5 * 60
ASSEMBLY_PENDING_KEY = "opendata:assembly-pending"


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_publication(publication_id: int) -> None:
    """Render and store a publication's files; retried if it fails or its worker dies.

    Once the files are stored the publication is ready, so the cached public pages
    showing it are forgotten and the open dataset is brought up to date to include it.
    """
    rendering.render_files(publication_id)
    generation.publication_changed(publication_id)
    rebuild_opendata.delay_on_commit()


@shared_task(
    bind=True, base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def rebuild_opendata(self) -> None:
    """Update the open dataset after a publication became ready, was released or withdrawn.

    Only the parts of publications that changed are written (`opendata.refresh`),
    so this costs the same whatever the size of the dataset. The downloads are
    assembled from the parts by `assemble_opendata`, at most once per
    `ASSEMBLY_INTERVAL` however many publications come in between. Run eagerly
    (no worker: `make run`, tests) nobody could wait out that delay, so the
    downloads are assembled at once. Serialised by a lock in the cache
    (`opendata.update_serialised`): an update asked for while another runs makes
    that one run again.
    """
    if self.request.is_eager:
        opendata.update_serialised(assemble_downloads=True)
        return
    opendata.update_serialised(assemble_downloads=False)
    if cache.add(ASSEMBLY_PENDING_KEY, "1", timeout=ASSEMBLY_INTERVAL + 10 * 60):
        since = opendata.seconds_since_assembly()
        wait = 0.0 if since is None else max(0.0, ASSEMBLY_INTERVAL - since)
        assemble_opendata.apply_async(countdown=wait)


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def assemble_opendata() -> None:
    """Assemble the whole-dataset downloads from the stored parts (after a refresh)."""
    cache.delete(ASSEMBLY_PENDING_KEY)  # changes from now on schedule the next assembly
    opendata.update_serialised(assemble_downloads=True)
