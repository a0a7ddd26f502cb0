"""Celery app: workers render publication files (pages, PDFs, data) off the web process.

Configured from Django settings (the `CELERY_` names in mgi_portal/settings.py):
Redis is the broker when `REDIS_URL` is set; without it tasks run eagerly, in
process, through the same task code. The tasks are in profiles/publishing/tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")

app = Celery("mgi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["profiles.publishing"])
