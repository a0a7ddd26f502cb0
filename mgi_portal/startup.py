"""What a web worker does once, after Django is set up and before its first request.

`settle()` loads what every request will need (the URL configuration, which
imports every view, and the compiled templates of the public pages) and then
moves every object alive at that moment out of the garbage collector's reach
(`gc.freeze()`). Those objects live as long as the process; without the freeze,
each full collection walks all of them again, and a request that happens to
trigger one took 100-300 ms instead of 20-50 (bench/README.md, "GC tail").

Called by `mgi_portal.wsgi` (so by every gunicorn worker) and by the benchmarks
after their warm-up, so they measure what a deployed worker does.
"""

import gc
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver


def settle() -> None:
    """Load the URLconf and public templates, collect once, then freeze what is left."""
    get_resolver().url_patterns  # noqa: B018 -- imports every view module
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).glob("profiles/*.html")):
            get_template(path.relative_to(directory).as_posix())
    gc.collect()
    gc.freeze()
