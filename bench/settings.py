"""The project's settings plus one benchmark-only URL (the trivial view), nothing else changed."""

from mgi_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
