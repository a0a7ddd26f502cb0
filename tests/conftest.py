"""Shared fixtures: the shipped frameworks are loaded once per test database."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from indicators import loader
from mgi_portal.celery import app as celery_app
from profiles import roles
from tests import factories

PDF_RENDERER = "profiles.outputs.pdf.store_pdfs"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real framework files into the test database once."""
    with django_db_blocker.unblock():
        loader.sync()
        roles.ensure_groups()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Production requires 2FA for admin users; tests/security/test_accounts.py turns it on.
    settings.MGI_REQUIRE_2FA = False
    # Publishing stores the data files and pages for real; PDFs take seconds each, so
    # only the tests that check PDFs (tests/profiles/test_pdf.py, `with_pdfs`) make them.
    settings.MGI_PUBLICATION_RENDERERS = [
        path for path in settings.MGI_PUBLICATION_RENDERERS if path != PDF_RENDERER
    ]
    cache.clear()  # cached public pages must not leak from one test into the next
    # Requests to /fr/ etc. leave their language active in the thread; start from English.
    translation.activate("en")


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_eagerly():
    """Celery tasks run in process, through the task code a worker runs in production.

    Settings make them eager when REDIS_URL is unset; this holds even when the
    environment running the tests sets it, and for module-scoped fixtures that
    publish. Errors in a task fail the test.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def with_pdfs(settings):
    """Publishing in this test renders PDFs too, as in production."""
    settings.MGI_PUBLICATION_RENDERERS = [*settings.MGI_PUBLICATION_RENDERERS, PDF_RENDERER]


@pytest.fixture
def staff(db):
    """An IOM staff member (acts for every government)."""
    user = factories.UserFactory(username="staff", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.IOM_STAFF))
    return user


@pytest.fixture
def government(db):
    return factories.GovernmentFactory()


@pytest.fixture
def validator(government):
    """The validator of `government`."""
    return factories.official(government, role="validator", username="validator")


@pytest.fixture
def focal_point(government):
    """The focal point of `government`."""
    return factories.official(government, role="focal_point", username="focal")
