"""Celery tasks."""

from celery import shared_task

from profiles.publishing import lifecycle


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_publication(publication_id: int) -> None:
    """Render and store a publication's files; retried if it fails or its worker dies."""
    lifecycle.render_files(publication_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rebuild_opendata() -> None:
    """Rebuild the open dataset files after a publication became ready or was withdrawn."""
    from profiles.outputs import opendata

    opendata.rebuild_serialised()
