"""Settings for the MGI Portal, read from environment variables only.

Every variable is documented in `.env.example`. The defaults give a zero-setup
development site (SQLite, local-memory cache, PDFs rendered in-process); a
production deployment sets `DJANGO_DEBUG=false`, a real secret key, its hosts,
`DATABASE_URL` and `REDIS_URL`.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean such as `true`, `1`, `yes`, `false`, `0` or `no`."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The dev key starts with "django-insecure" so that `check --deploy` flags it if
# it ever reaches production.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-dev-only-key-change-me"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "indicators",
    "profiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # /api/ only, when MGI_API_CORS_ORIGINS is set
    # ETag on every GET answer that has none, and 304 for a matching If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "mgi_portal.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mgi_portal.security.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mgi_portal.urls"
WSGI_APPLICATION = "mgi_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL through psycopg 3. Connections are kept open: reconnecting on every
# request cut throughput 3.4x on this project's machine (TOOLING.md). Two ways:
# - DJANGO_DB_POOL_SIZE unset (the default): one persistent connection per process,
#   checked before reuse. Right for gunicorn's sync workers (one request at a time).
# - DJANGO_DB_POOL_SIZE=N: psycopg's pool of up to N connections per process, for
#   threaded workers; Django then needs CONN_MAX_AGE=0 (the pool keeps them open).
# With many app servers, put PgBouncer (transaction mode) in front: deploy/README.md.
DB_POOL_SIZE = int(os.environ.get("DJANGO_DB_POOL_SIZE", "0"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0 if DB_POOL_SIZE else int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=not DB_POOL_SIZE,
    )
}
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes first: it refuses a locked-out username/address before passwords are checked.
AUTHENTICATION_BACKENDS = [
    "mgi_portal.security.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# USE_THOUSAND_SEPARATOR stays off: it would group every number, years included
# ("2,023"). Counts are grouped where shown, with `intcomma` (templates) or
# `number_format(..., force_grouping=True)`, as each language groups them.
FORMAT_MODULE_PATH = ["mgi_portal.formats"]
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES: dict[str, dict] = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_DEFAULT_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "DJANGO_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Shared storage, so two or more app servers (and the worker) see the same files: with
# MGI_S3_BUCKET set, every stored file (publication files, spreadsheet uploads, archived
# sources, the open dataset) goes to an S3-compatible object store through django-storages
# (deploy/README.md, "Two app servers on shared storage"); unset, to MEDIA_ROOT on this disk.
MGI_S3_BUCKET = os.environ.get("MGI_S3_BUCKET", "")
if MGI_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MGI_S3_BUCKET,
            # Empty: AWS itself; set for MinIO, Ceph, a cloud's S3-compatible service.
            "endpoint_url": os.environ.get("MGI_S3_ENDPOINT_URL") or None,
            # Empty: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": os.environ.get("MGI_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MGI_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("MGI_S3_REGION") or None,
            # A folder inside the bucket, so one bucket can hold several sites.
            "location": os.environ.get("MGI_S3_PREFIX", ""),
            # Like the filesystem storage: a name in use gets a suffix and is never silently
            # replaced (two uploads of "answers.xlsx" stay two files); profiles/outputs/files.py
            # deletes a file it re-renders first, so it keeps its name.
            "file_overwrite": False,
            # No ACL header: the bucket stays private (only Django serves the files, after
            # its access check) and stores that refuse ACLs (MinIO, "bucket owner enforced")
            # accept the writes.
            "default_acl": None,
        },
    }

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "mgi-portal@localhost")

# Security: the production environment turns these on (see .env.example);
# `manage.py check --deploy` is clean with them set.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(8 * 60 * 60)))
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds every subdomain of the parent domain
# to HTTPS for good: the domain's owner decides (DJANGO_HSTS_PRELOAD), so `check
# --deploy` does not insist on it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGIN_URL = "admin:login"

# DJANGO_LOG_FORMAT=json gives one JSON object per line (production: log shippers parse it).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("DJANGO_LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Licence stated on published profiles and open data.
MGI_CONTENT_LICENCE = os.environ.get("MGI_CONTENT_LICENCE", "CC BY 4.0")
MGI_SITE_URL = os.environ.get("MGI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Admin lives at a configurable path so it is not where scanners look first.
MGI_ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Celery uses Redis as its broker when REDIS_URL is set, and workers run the tasks
# (profiles/publishing/tasks.py). Without it (`make run`, tests) Celery runs every task
# eagerly, in process, right after the publishing transaction commits: the same task
# code, with its errors raised to the caller. Tests force eager mode (tests/conftest.py).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-render leaves the task to be retried
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that then dies (kill -9, power loss) goes back to the queue
# after this many seconds; keep it longer than the slowest render (deploy/README.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
}

# --- Production hardening (deploy/README.md) ---------------------------------
# Content-Security-Policy without 'unsafe-inline': pages load scripts and styles
# from our own files only, and no site may frame them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor authentication (TOTP, django-otp) for everyone who can reach the admin.
# On by default in production (DEBUG off); `make run` and the test suite switch it off.
MGI_REQUIRE_2FA = env_bool("MGI_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("MGI_OTP_ISSUER", "MGI Portal")

# Login throttling: after 5 failed logins for one username from one address,
# that pair is locked out for DJANGO_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("DJANGO_LOCKOUT_MINUTES", "30")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "mgi_portal.security.client_ip"
# Behind nginx every request comes from 127.0.0.1: name the header nginx overwrites
# with the client's address (deploy/nginx sets X-Real-IP), as a request.META key.
MGI_CLIENT_IP_HEADER = os.environ.get("MGI_CLIENT_IP_HEADER", "")

# Seconds a shared cache (nginx's page cache, a CDN) may keep a published file or profile
# page before asking again (Cache-Control s-maxage), so a withdrawal reaches everyone this
# soon; browsers keep a published version longer (profiles/public/serving.py).
MGI_SHARED_CACHE_SECONDS = int(os.environ.get("MGI_SHARED_CACHE_SECONDS", "60"))
# nginx's internal location that serves MEDIA_ROOT (e.g. /_published/): when set, downloads
# are answered with X-Accel-Redirect and nginx sends the bytes; empty: Django streams them.
MGI_ACCEL_REDIRECT = os.environ.get("MGI_ACCEL_REDIRECT", "")

# Read-only public API (/api/v1/): anonymous, throttled per client address, paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "profiles.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("MGI_API_ANON_RATE", "1000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MGI Portal API",
    "DESCRIPTION": (
        "Read-only access to published Migration Governance Profiles: governments, "
        "indicator frameworks, publications with their answers, findings and sources. "
        "Only published versions are ever returned. The MGI are not a ranking."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's 400, 404 and 429 with the error shape (profiles/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "profiles.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "indicators.models.Level",
        "AnswerValueEnum": "profiles.models.AnswerValue",
        "FindingKindEnum": "profiles.models.FindingKind",
    },
}
# CORS (django-cors-headers) for the read-only API only: browsers on the origins in
# MGI_API_CORS_ORIGINS (comma-separated, or *) may GET it; never with credentials.
MGI_API_CORS_ORIGINS = env_list("MGI_API_CORS_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = "*" in MGI_API_CORS_ORIGINS
CORS_ALLOWED_ORIGINS = [origin for origin in MGI_API_CORS_ORIGINS if origin != "*"]
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Content-Language", "Retry-After"]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400

# What is rendered and stored once when a publication is made, in this order.
MGI_PUBLICATION_RENDERERS = [
    "profiles.outputs.exports.render_publication_data",  # data.csv and data.json
    "profiles.outputs.pages.render_profile_pages",  # the page body, once per language
    "profiles.outputs.pdf.store_pdfs",  # the PDF, once per UI language
]

# Django 6 behaviour now: a URL typed without a scheme is taken as https.
FORMS_URLFIELD_ASSUME_HTTPS = True
