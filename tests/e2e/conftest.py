"""Browser-test fixtures: Debian's Chromium driven by Playwright's sync API against `live_server`.

Shared by every browser test (workflow, accessibility): `browser` (one Chromium
per session), `context` and `page` (fresh cookies per test, `base_url` set to
the live server, so `page.goto("/profiles/")` works), and `login(page, user)`,
which signs a user in through the real admin login form.

The fixtures use the plain `playwright` package (in requirements-dev.txt) and
override pytest-playwright's fixtures of the same names when that plugin is
installed, so the suite behaves the same with or without it. Nothing here ever
downloads a browser: it is /usr/bin/chromium from Debian (`make system-deps`).

Tests that use `live_server` get pytest-django's `transactional_db`, whose
teardown flushes every table, including the frameworks and groups that
tests/conftest.py loads once per session; `_restore_session_data` puts them back
after each browser-test module so the tests that run afterwards still find them.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse

from indicators import loader
from indicators.models import Framework
from profiles import roles
from tests.tools import require

# Playwright's sync API runs an event loop in the main thread; Django refuses ORM
# calls from a thread with a running loop unless this is set. It must be set
# before the first browser starts, and stays set for the session.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MGI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"  # tests/factories.UserFactory's password
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser test (`pytest -m "not e2e"` skips them)."""
    for item in items:
        if "/tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole session."""
    require(CHROMIUM, f"Chromium not found at {CHROMIUM}: run `make system-deps` (needs root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, live_server) -> Iterator:
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    ctx = browser.new_context(base_url=live_server.url, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Iterator:
    """A tab in `context`."""
    tab = context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def login() -> Callable:
    """`login(page, user)`: sign in through the admin login form, as a person would."""

    def sign_in(page, user, *, password: str = PASSWORD) -> None:
        page.context.clear_cookies()
        page.goto(reverse("admin:login"))
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        if "/login/" in page.url:
            raise AssertionError(
                f"{user} could not sign in: {page.locator('.errornote').all_inner_texts()}"
            )

    return sign_in


@pytest.fixture(scope="module", autouse=True)
def _restore_session_data(django_db_blocker) -> Iterator:
    """Reload the shipped frameworks and groups after a module's live_server tests flushed them.

    Module scope on purpose: pytest-django's database fixtures are autouse plugin
    fixtures, torn down after any function-scoped fixture of ours, so only a
    wider-scoped fixture runs after the flush. Tests that need the frameworks
    within a module reload them themselves (see `people` in test_workflow.py).
    """
    yield
    with django_db_blocker.unblock():
        if not Framework.objects.exists():
            loader.sync()
        roles.ensure_groups()
