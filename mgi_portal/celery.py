"""Celery app: workers render publication files (PDFs, pages, data) off the web process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")

app = Celery("mgi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["profiles.publishing"])  # profiles/publishing/tasks.py
