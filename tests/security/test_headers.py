"""Response headers a browser enforces: CSP, HSTS, framing, referrer, permissions, cookies."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from mgi_portal import headers
from tests import factories
from tests.security.surfaces import crawl, public_urls

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_public_pages_send_a_strict_content_security_policy(client):
    """Scripts and styles only from our own files; no inline code; no framing by other sites."""
    response = client.get("/")
    csp = _csp(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_admin_and_api_send_the_same_headers(client):
    for url in (reverse("admin:login"), "/api/v1/publications/", "/healthz"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert "Permissions-Policy" in response, url


def test_pages_work_under_the_policy(staff, validator, government):
    """No public page relies on what the policy blocks: inline scripts, handlers, styles."""
    import re

    publication = factories.published(
        factories.AssessmentFactory(government=government), staff=staff, validator=validator
    ).publications.get()
    offenders = []
    # Data blocks (JSON-LD) are not run, so the policy does not apply to them.
    inline_script = re.compile(
        rb"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>\s*\S",
        re.IGNORECASE,
    )
    handler = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    style_attribute = re.compile(rb"<[^>]+\sstyle\s*=", re.IGNORECASE)
    inline_style = re.compile(rb"<style[\s>]", re.IGNORECASE)

    visited = []

    def visit(url, response):
        visited.append(url)
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            return
        for name, pattern in (
            ("inline script", inline_script),
            ("on* handler", handler),
            ("style attribute", style_attribute),
            ("<style>", inline_style),
        ):
            if pattern.search(response.content):
                offenders.append(f"{url}: {name}")

    crawl(
        Client(),
        ["/", "/api/v1/docs/", *public_urls([publication])],
        limit=120,
        per_view=2,
        visit=visit,
    )
    assert "/api/v1/docs/" in visited  # the API reference is held to the same markup rules
    assert not offenders, offenders


def test_the_api_reference_relaxes_only_what_redoc_needs(client):
    """Redoc's styles are written inline and its search runs in a blob: worker; nothing else.

    Measured in Chromium: without `worker-src blob:` the search box finds nothing;
    scripts still come only from our files, so no injected script can run.
    """
    site = _csp(client.get("/"))
    docs = _csp(client.get("/api/v1/docs/"))
    assert docs.pop("style-src") == ["'self'", "'unsafe-inline'"]
    assert docs.pop("worker-src") == ["blob:"]
    site.pop("style-src")
    assert docs == site
    assert docs["script-src"] == ["'self'"]


def test_hsts_and_secure_cookies_in_production(client, settings):
    """Over HTTPS with the production settings: HSTS, and cookies marked Secure and HttpOnly."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    user = factories.UserFactory(username="cookie-user", is_staff=True)
    login_url = reverse("admin:login")
    page = client.get(login_url, secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"]
    response = client.post(
        login_url,
        {"username": user.username, "password": "correct horse battery staple"},
        secure=True,
    )
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def _production_env(**extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="test-" + "k9Vx2Qw7" * 8,
        DJANGO_ALLOWED_HOSTS="mgi.example.org",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_SECURE_COOKIES="true",
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_BEHIND_TLS_PROXY="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_LOG_FORMAT="json",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_production_environment():
    """`manage.py check --deploy` reports nothing with the documented production variables."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_logs_are_json():
    """With DJANGO_LOG_FORMAT=json each log record is one JSON object (for log shippers)."""
    import json

    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('mgi.test').warning('hello %s', 'world')"
    )
    result = subprocess.run(  # noqa: S603 (fixed argument lists)
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**_production_env(), "DJANGO_SETTINGS_MODULE": "mgi_portal.settings"},
    )
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "hello world"
    assert record["level"] == "WARNING" and record["logger"] == "mgi.test"


def test_nginx_configuration_is_valid(tmp_path):
    """The nginx templates render to a configuration nginx accepts (Debian's nginx)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by `make system-deps`"
    subprocess.run(  # noqa: S603 (fixed argument lists)
        [  # noqa: S607 (openssl from PATH)
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    for folder in ("run", "log", "cache", "static"):
        (tmp_path / folder).mkdir()
    values = {
        "UPSTREAM_SERVERS": "    server 127.0.0.1:18101;\n    server 127.0.0.1:18102;",
        "SERVER_NAME": "localhost",
        "HTTP_LISTEN": "127.0.0.1:18080",
        "HTTPS_LISTEN": "127.0.0.1:18443",
        "HTTPS_PORT_SUFFIX": ":18443",
        "TLS_CERT": str(tmp_path / "cert.pem"),
        "TLS_KEY": str(tmp_path / "key.pem"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "ADMIN_PATH": settings.MGI_ADMIN_PATH,
        "CACHE_DIR": str(tmp_path / "cache"),
        "SECURITY_HEADERS": str(tmp_path / "security_headers.conf"),
        "PAGE_CACHE_SECONDS": "60",
        "RUN_DIR": str(tmp_path / "run"),
        "LOG_DIR": str(tmp_path / "log"),
        "ACCESS_LOG": str(tmp_path / "log/access.log") + " json",
        "SITE_CONF": str(tmp_path / "site.conf"),
        "USER_LINE": "",
    }
    (tmp_path / "security_headers.conf").write_text(headers.nginx_add_headers())
    for name, target in (("nginx.conf", "nginx.conf"), ("mgi-portal.conf", "site.conf")):
        text = (ROOT / "deploy/nginx" / f"{name}.template").read_text()
        for key, value in values.items():
            text = text.replace(f"@@{key}@@", value)
        assert "@@" not in text
        (tmp_path / target).write_text(text)
    site = (tmp_path / "site.conf").read_text()
    # Published files only through Django's liveness check; nothing under media/ by path.
    assert "location /media/ {\n        return 404;" in site
    result = subprocess.run(  # noqa: S603 (fixed argument lists)
        [
            nginx,
            "-t",
            "-c",
            str(tmp_path / "nginx.conf"),
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "log/error.log"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_nginx_sends_exactly_the_security_headers_django_sends(client, settings):
    """One definition: the nginx lines are generated from what Django puts on a response."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/about/", secure=True)
    lines = headers.nginx_add_headers().splitlines()
    nginx = dict(
        line.removeprefix("add_header ").removesuffix(" always;").split(" ", 1)
        for line in lines
        if line.startswith("add_header ")
    )
    assert set(nginx) == set(headers.response_headers())
    for name, value in nginx.items():
        assert response[name] == value.strip('"'), name
    assert "Permissions-Policy" in nginx and "Strict-Transport-Security" in nginx


def test_production_settings_can_pool_postgresql_connections():
    """DJANGO_DB_POOL_SIZE turns on psycopg 3's pool (and Django's own reuse off)."""
    if connection.vendor != "postgresql":
        pytest.skip("The pool is a PostgreSQL feature; this run uses SQLite (CI runs both).")
    code = (
        "from django.conf import settings; from django.db import connection; "
        "connection.ensure_connection(); "
        "print(type(connection.pool).__name__, settings.DATABASES['default']['CONN_MAX_AGE'])"
    )
    env = {
        **_production_env(),
        "DJANGO_SETTINGS_MODULE": "mgi_portal.settings",
        # The test database itself: it exists for as long as this test runs.
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "DJANGO_DB_POOL_SIZE": "3",
    }
    result = subprocess.run(  # noqa: S603 (fixed argument lists)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.stdout.split() == ["ConnectionPool", "0"], result.stderr
