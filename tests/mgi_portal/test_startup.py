"""A web worker settles before its first request: nothing left to load, its objects frozen."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_loads_its_templates_and_freezes_what_it_holds():
    """The WSGI module settles on import, as each gunicorn worker imports it.

    Run in a child process: freezing this test process would keep every object the
    rest of the suite creates before it out of the garbage collector's reach.
    """
    script = (
        "import gc; from mgi_portal.wsgi import application; "
        "from django.template import engines; "
        "loader = engines['django'].engine.template_loaders[0]; "
        "print(gc.get_freeze_count(), 'profiles/profile_list.html' in "
        "{key.split('-')[0] for key in loader.get_template_cache})"
    )
    result = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    frozen, compiled = result.stdout.split()
    assert int(frozen) > 10_000  # Django, the project and the templates
    assert compiled == "True"  # the first request compiles no template
