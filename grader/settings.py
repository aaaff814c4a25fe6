"""Django settings. Every value comes from the environment with a safe default for one machine."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from grader.env import env_bool, env_choice, env_float, env_int, env_rate, env_str, secret_key
from grader.storage import storage_backend

BASE_DIR = Path(__file__).resolve().parent.parent
# Under pytest (which sets PYTEST_VERSION) each test session gets its own data dir, so tests never touch
# real data and two sessions never share a database or a broker folder.
_DEFAULT_DATA_DIR = BASE_DIR / "var" / "test" / f"session-{os.getpid()}" if "PYTEST_VERSION" in os.environ else BASE_DIR / "var"
# Made absolute at start-up: the worker, the sandbox and nginx (X-Accel-Redirect) see the same paths whatever
# their working directory.
DATA_DIR = Path(env_str("GRADER_DATA_DIR", str(_DEFAULT_DATA_DIR))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "grader.courses",
    "grader.authoring",
    "grader.submissions",
    "grader.staff",
    "grader.api",
    "grader.lti",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "grader.lti.middleware.LtiFrameMiddleware",  # before XFrameOptions: lets the launching LMS frame its users' pages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "grader.courses.errors.MethodNotAllowedPage",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out login
]
# Login throttling (django-axes): after GRADER_LOGIN_FAILURES failed logins for one username from one address,
# that pair is locked out for GRADER_LOGIN_LOCKOUT_S seconds; a successful login resets the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("GRADER_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("GRADER_LOGIN_LOCKOUT_S", 900, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "grader.urls"
WSGI_APPLICATION = "grader.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "grader" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grader.courses.context_processors.staff_courses",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'gradebox.sqlite3'}"),
        conn_max_age=60,
    )
}
# A file, not memory, so the real worker process of the end-to-end tests sees the test database.
DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")} if DATABASES["default"]["ENGINE"].endswith("sqlite3") else {}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The secret key: DJANGO_SECRET_KEY; never the development key unless DJANGO_DEBUG is on. Without one, the
# embedded default (SQLite: one machine) makes a random key once and keeps it in the data dir; a deployment
# on a database server (several hosts share the key) refuses to start without it.
SECRET_KEY = secret_key(DEBUG, DATA_DIR, embedded=DATABASES["default"]["ENGINE"].endswith("sqlite3"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# E-mail: people added by course staff get a link to choose their password. Without an SMTP host the
# messages are printed to the console (the web process's log), so a single machine works out of the box.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                        else "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Gradebox <gradebox@localhost>")
# Where links in e-mails point (scheme and host, e.g. https://grader.example.org); empty: the host the
# request came to, which behind a proxy that terminates TLS may read http://.
GRADER_BASE_URL = env_str("GRADER_BASE_URL", "").rstrip("/")
# How long a set-password link stays valid (Django's password-reset tokens), in seconds: a week.
PASSWORD_RESET_TIMEOUT = env_int("GRADER_SET_PASSWORD_LINK_S", 7 * 86400, minimum=3600)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "courses:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploads, model-check plots and bundle files go through Django's storage API (grader/storage.py): the data
# dir's media folder, or with GRADER_S3_BUCKET an S3-compatible bucket every host of a deployment shares.
STORAGES = {
    "default": storage_backend(
        bucket=env_str("GRADER_S3_BUCKET", ""), endpoint_url=env_str("GRADER_S3_ENDPOINT_URL", ""),
        region=env_str("GRADER_S3_REGION", ""), access_key_id=env_str("GRADER_S3_ACCESS_KEY_ID", ""),
        secret_access_key=env_str("GRADER_S3_SECRET_ACCESS_KEY", ""), prefix=env_str("GRADER_S3_PREFIX", "")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("GRADER_MEDIA_DIR", str(DATA_DIR / "media"))).resolve()
# Behind nginx (deploy/nginx.conf): downloads of stored files are handed to nginx's internal location of this
# name (X-Accel-Redirect) once the app has checked who asks; empty: the app sends the bytes itself.
GRADER_ACCEL_REDIRECT_PREFIX = env_str("GRADER_ACCEL_REDIRECT_PREFIX", "")

# Uploads: refused above this size, with the limit named in the message.
# Before each regrade or dry-run item, bulk work waits (up to this long) while a student's upload is queued
# or running, so fresh feedback does not share the cores with a regrade (0: never wait).
GRADER_BULK_STEP_ASIDE_S = env_float("GRADER_BULK_STEP_ASIDE_S", 20.0, minimum=0.0)
GRADER_MAX_UPLOAD_BYTES = env_int("GRADER_MAX_UPLOAD_BYTES", 2 * 2**20, minimum=1024)
# Uploads one student may make, over every assignment, per unit of time ("<count>/<unit>", unit s, min, h or
# day; "off": no limit); past it the upload is refused with the time to wait named.
GRADER_UPLOAD_RATE = env_rate("GRADER_UPLOAD_RATE", "10/min")
# A bundle made or uploaded on the staff pages: its files together (a zip: once unpacked).
GRADER_MAX_BUNDLE_BYTES = env_int("GRADER_MAX_BUNDLE_BYTES", 64 * 2**20, minimum=2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

# Sandbox: backend choice and limits (sandbox/ never reads settings; grader.grading passes these in).
GRADER_SANDBOX = env_choice("GRADER_SANDBOX", "auto", ("auto", "docker", "bwrap"))
# Where /readyz looks for a sandbox: on this host, or on the workers (a web process without a Docker daemon of
# its own asks them: grader/health.py).
GRADER_READY_SANDBOX = env_choice("GRADER_READY_SANDBOX", "here", ("here", "workers"))
GRADER_CACHE_DIR = Path(env_str("GRADER_CACHE_DIR", "/var/cache/gradebox")).resolve()
# Job dirs are mounted into the sandbox by an unprivileged user: they live under the (world-traversable) cache.
GRADER_WALL_S = env_float("GRADER_WALL_S", 60.0, minimum=1.0)
GRADER_CPU_S = env_float("GRADER_CPU_S", 30.0, minimum=1.0)
GRADER_MEMORY_MB = env_int("GRADER_MEMORY_MB", 1024, minimum=128)
GRADER_MAX_PROCESSES = env_int("GRADER_MAX_PROCESSES", 64, minimum=4)
GRADER_OUTPUT_BYTES = env_int("GRADER_OUTPUT_BYTES", 128 * 2**20, minimum=2**20)
GRADER_TMPFS_MB = env_int("GRADER_TMPFS_MB", 256, minimum=16)
# CPUs' worth of time one sandbox run may use at once, however many processes it forks (a cgroup quota).
GRADER_CPU_QUOTA = env_float("GRADER_CPU_QUOTA", 1.0, minimum=0.1)
# Docker backend only: warm containers kept ready per worker process, and how long one may sit idle.
GRADER_DOCKER_POOL_SIZE = env_int("GRADER_DOCKER_POOL_SIZE", 3, minimum=0)
GRADER_DOCKER_POOL_MAX_AGE_S = env_float("GRADER_DOCKER_POOL_MAX_AGE_S", 600.0, minimum=10.0)
# Model-level checks train with the student's functions (seconds per check); off grades functions only.
GRADER_MODEL_CHECKS = env_bool("GRADER_MODEL_CHECKS", True)
GRADER_JOBS_DIR = Path(env_str("GRADER_JOBS_DIR", str(GRADER_CACHE_DIR / "jobs"))).resolve()
GRADER_KEEP_JOBS = env_bool("GRADER_KEEP_JOBS", False)

# Celery. The embedded default needs no server: kombu's filesystem transport,
# polled often enough that a submission does not wait a second for pick-up.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
# Prometheus metrics of every process on this host (grader.metrics); emptied by deploy/run-local.sh at start.
GRADER_METRICS_DIR = Path(env_str("GRADER_METRICS_DIR", str(DATA_DIR / "metrics"))).resolve()
GRADER_METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(GRADER_METRICS_DIR))  # read when prometheus_client loads
# Who may read /metrics (CIDRs, comma-separated): the host itself by default; add the Prometheus server's.
GRADER_METRICS_NETWORKS = [n.strip() for n in env_str("GRADER_METRICS_NETWORKS", "127.0.0.0/8,::1/128").split(",")
                           if n.strip()]
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "grader.broker:Transport"  # kombu's, with messages written atomically
    for sub in ("queue", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # exchange bindings (kombu's default: ./control)
        "store_processed": False,
        "polling_interval": env_float("GRADER_BROKER_POLL_S", 0.02, minimum=0.001),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker grading a submission holds a lease on it for this long, renewed every third of it while it works;
# a worker that dies stops renewing, and once the lease expires another worker takes the grading over.
GRADER_LEASE_S = env_float("GRADER_LEASE_S", 60.0, minimum=1.0)
# The sweeper sends again a submission queued (or between its two phases) with no task sent for this long,
# and a running one whose lease expired; it runs every GRADER_SWEEP_INTERVAL_S seconds.
GRADER_SWEEP_AFTER_S = env_float("GRADER_SWEEP_AFTER_S", 300.0, minimum=1.0)
GRADER_SWEEP_INTERVAL_S = env_float("GRADER_SWEEP_INTERVAL_S", 30.0, minimum=0.5)
# Every worker removes sandbox containers on its host whose worker process is gone (0: never; see grader/celery.py).
GRADER_REAP_INTERVAL_S = env_float("GRADER_REAP_INTERVAL_S", 60.0, minimum=0.0)
# Where the sweeper runs: on each worker's own timer (the embedded default has no beat), or by `celery beat`.
GRADER_SWEEP_IN_WORKER = env_bool("GRADER_SWEEP_IN_WORKER", CELERY_BROKER_URL.startswith("filesystem://"))
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {"task": "grader.submissions.tasks.sweep_stuck",
                                "schedule": GRADER_SWEEP_INTERVAL_S, "options": {"queue": "interactive"}},
}

# Logs on stderr: one JSON object per line (json), or a readable line with key=value fields (plain).
GRADER_LOG_FORMAT = env_choice("GRADER_LOG_FORMAT", "json", ("json", "plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s %(extra_fields)s"},
        "json": {"()": "grader.logging.JsonFormatter"},
    },
    "filters": {"extra_fields": {"()": "grader.logging.ExtraFieldsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": GRADER_LOG_FORMAT, "filters": ["extra_fields"]},
    },
    "root": {"handlers": ["console"], "level": env_str("GRADER_LOG_LEVEL", "INFO")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "grader.api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gradebox API",
    "DESCRIPTION": "Submissions, results, grades and webhooks for LMS integrations (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The REST API: requests per key and minute ("120/min"; DRF's rate syntax), counted in the shared cache.
GRADER_API_RATE = env_str("GRADER_API_RATE", "120/min")
# Webhooks: per-attempt timeout, attempts before giving up, and the first retry's delay (doubling after).
GRADER_WEBHOOK_TIMEOUT_S = env_float("GRADER_WEBHOOK_TIMEOUT_S", 10.0, minimum=0.5)
GRADER_WEBHOOK_MAX_ATTEMPTS = env_int("GRADER_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
GRADER_WEBHOOK_BACKOFF_S = env_float("GRADER_WEBHOOK_BACKOFF_S", 30.0, minimum=0.0)
# Networks webhooks may reach although private or loopback (CIDRs, comma-separated; empty: public hosts only).
GRADER_WEBHOOK_ALLOWED_NETWORKS = [n.strip() for n in env_str("GRADER_WEBHOOK_ALLOWED_NETWORKS", "").split(",") if n.strip()]

# The shared cache (API rate limits): Redis when REDIS_URL names one, else a database table that every
# process sees (`manage.py createcachetable`, run by `make migrate`).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gradebox_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000}}}  # one entry per key being counted; culls past it


# LTI 1.3 (docs/lti.md). Inside the LMS's iframe the session and CSRF cookies are third-party cookies:
# browsers send them only when SameSite=None and Secure, which needs HTTPS (on by default when
# GRADER_BASE_URL is https://).
GRADER_LTI_IFRAME_COOKIES = env_bool("GRADER_LTI_IFRAME_COOKIES", GRADER_BASE_URL.startswith("https://"))
if GRADER_LTI_IFRAME_COOKIES:
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# Served over HTTPS (default: when GRADER_BASE_URL is https://): cookies only over HTTPS, and HSTS for
# GRADER_HSTS_S seconds (0: no HSTS header).
GRADER_HTTPS = env_bool("GRADER_HTTPS", GRADER_BASE_URL.startswith("https://"))
if GRADER_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GRADER_HSTS_S", 365 * 86400, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GRADER_HSTS_SUBDOMAINS", False)
# Security headers on every response (SecurityMiddleware and XFrameOptionsMiddleware; the LTI middleware lets
# the launching LMS frame its users' pages).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Behind a proxy that terminates TLS, trust its X-Forwarded-Proto so requests count as HTTPS (the LTI state
# cookie is SameSite=None; Secure only then). Only when the proxy sets that header itself.
if env_bool("GRADER_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How long a login's state and nonce, and a validated launch (deep linking), are kept in the cache, in seconds.
GRADER_LTI_LAUNCH_LIFETIME_S = env_int("GRADER_LTI_LAUNCH_LIFETIME_S", 3600, minimum=60)
# After `manage.py lti_rotate_key`, how long the replaced key stays in /lti/jwks/, in seconds (a week).
GRADER_LTI_KEY_OVERLAP_S = env_int("GRADER_LTI_KEY_OVERLAP_S", 7 * 86400, minimum=0)
# Grade passback: per-request timeout, attempts before a score is marked failed, first retry's delay (doubling).
GRADER_LTI_TIMEOUT_S = env_float("GRADER_LTI_TIMEOUT_S", 10.0, minimum=0.5)
GRADER_LTI_MAX_ATTEMPTS = env_int("GRADER_LTI_MAX_ATTEMPTS", 6, minimum=1)
GRADER_LTI_BACKOFF_S = env_float("GRADER_LTI_BACKOFF_S", 30.0, minimum=0.0)
