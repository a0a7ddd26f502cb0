"""Shared fixtures: the shipped frameworks are loaded once per test database."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from indicators import loader
from mgi_portal.celery import app as celery_app
from profiles import roles
from tests import factories

PDF_RENDERER = "profiles.outputs.pdf.store_pdfs"
S3_KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


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
    # only the tests that check PDFs (tests/profiles/outputs/test_pdf.py, `with_pdfs`) make them.
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


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API on loopback (moto's server mode) for the session: its endpoint URL.

    Started once, waited for at most 30 s, stopped at the end. moto is in
    requirements-dev.txt, so a missing one fails the tests instead of skipping them.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()  # noqa: S310 (an http URL we built, on loopback)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, s3_server):
    """Every stored file of this test goes to a new, empty bucket on the S3 server."""
    bucket = f"mgi-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
        region_name=S3_KEYS["region_name"],
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "file_overwrite": False,
                "default_acl": None,
                **S3_KEYS,
            },
        },
    }
    return client, bucket
