"""WSGI entry point (gunicorn mgi_portal.wsgi): each worker settles before its first request."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mgi_portal.settings")
application = get_wsgi_application()

from mgi_portal import startup  # noqa: E402 -- needs Django set up by the line above

startup.settle()
