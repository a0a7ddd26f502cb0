"""The MGI Portal project package. Importing the Celery app here lets tasks register."""

from mgi_portal.celery import app as celery_app

__all__ = ["celery_app"]
