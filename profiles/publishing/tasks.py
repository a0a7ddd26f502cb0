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

from profiles.outputs import opendata
from profiles.publishing import generation, rendering


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_publication(publication_id: int) -> None:
    """Render and store a publication's files; retried if it fails or its worker dies.

    Once the files are stored the publication is ready, so cached public pages are
    forgotten and the open dataset is rebuilt to include it.
    """
    rendering.render_files(publication_id)
    generation.public_content_changed()
    rebuild_opendata.delay_on_commit()


@shared_task(base=DjangoTask, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rebuild_opendata() -> None:
    """Rebuild the open dataset files after a publication became ready, was released or withdrawn.

    Serialised by a lock in the cache (`opendata.rebuild_serialised`): a rebuild
    asked for while another runs makes that one run again.
    """
    opendata.rebuild_serialised()
