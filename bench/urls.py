"""The project's URLs plus `/bench/same-bytes`, a trivial Django view returning a fixed body.

It runs through the same middleware as every page, so comparing a profile page
with it isolates what the profile view itself costs.
"""

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from mgi_portal.urls import urlpatterns as project_urlpatterns


@cache
def _body() -> bytes:
    return Path(os.environ["MGI_BENCH_BODY"]).read_bytes()


def same_bytes(request: HttpRequest) -> HttpResponse:
    """Return the bytes of the page under test, read once per worker."""
    return HttpResponse(_body(), content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/same-bytes", same_bytes), *project_urlpatterns]
