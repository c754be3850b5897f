"""Practica settings: one file, every knob an environment variable (see README's table)."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parents[1]
# In a checkout, data lives in <repo>/var; an installed package keeps it in the working directory.
PROJECT_DIR = _checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()
DATA_DIR = Path(os.environ.get("PRACTICA_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRACTICA_ENV = os.environ.get("PRACTICA_ENV", "development")
PRODUCTION = PRACTICA_ENV == "production"
TESTING = env_bool("PRACTICA_TESTING") or "pytest" in sys.modules

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "PRACTICA_ENV=production needs a SECRET_KEY of 50+ random characters."
        )
    if not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("PRACTICA_ENV=production needs ALLOWED_HOSTS (comma-separated).")
    DEBUG = False
elif not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-key-never-use-in-production-7f3a9c2e"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "practica.core",
    "practica.people",
    "practica.communities",
    "practica.mail",
    "practica.discussions",
    "practica.events",
    "practica.conference",
    "practica.outreach",
    "practica.budget",
    "practica.metrics",
    "practica.api",
    "practica.demo",
    "practica.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "practica.people.middleware.MemberPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "practica.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "practica.urls"
WSGI_APPLICATION = "practica.wsgi.application"
ASGI_APPLICATION = "practica.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practica.discussions.context_processors.notifications",
            ],
        },
    },
]

# --- Database: SQLite by default (zero set-up), PostgreSQL when DATABASE_URL is set.
SQLITE_PATH = Path(os.environ.get("PRACTICA_SQLITE_PATH", DATA_DIR / "practica.sqlite3"))
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=30000; PRAGMA cache_size=-64000;"
    ),
}
# Tests use TEST_DATABASE_URL when given, so a developer's DATABASE_URL is never touched.
DATABASE_URL = (TESTING and os.environ.get("TEST_DATABASE_URL")) or os.environ.get(
    "DATABASE_URL", ""
)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
            # Each server thread keeps its connection: opening one (and its PRAGMAs) costs
            # several milliseconds, a good part of a page's time.
            "CONN_MAX_AGE": 60,
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if TESTING:
    # One test database per test run, so parallel runs on one machine never share one.
    _test_suffix = os.environ.get("PRACTICA_TEST_DB_SUFFIX", str(os.getpid()))
    _default = DATABASES["default"]
    _default["TEST"] = (
        {"NAME": DATA_DIR / f"test-{_test_suffix}.sqlite3"}
        if _default["ENGINE"].endswith("sqlite3")
        else {"NAME": f"test_{_default['NAME']}_{_test_suffix}"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: memory of each server process, no server to run (thread pages keep rendered posts).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "practica",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "people:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Languages and time: stored in UTC, shown in the viewer's zone and language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# --- Mail: every Django mail goes to the outbox; the worker delivers it via DELIVERY_EMAIL_BACKEND.
EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
DELIVERY_EMAIL_BACKEND = os.environ.get(
    "DELIVERY_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Practica <practica@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
OUTBOX_RETRY_CAP_SECONDS = int(os.environ.get("OUTBOX_RETRY_CAP_SECONDS", "3600"))
# A claim older than this is taken to belong to a dead worker and is retried.
OUTBOX_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", "600"))

# --- Lists: every community is a mailing list at <slug>@MAIL_LIST_DOMAIN.
MAIL_LIST_DOMAIN = os.environ.get("MAIL_LIST_DOMAIN", "lists.example.com").strip().lower()
# Shared secret of the signed HTTP inbound hook (relay services); empty turns the hook off.
MAIL_INBOUND_SECRET = os.environ.get("MAIL_INBOUND_SECRET", "")
MAIL_MAX_MESSAGE_BYTES = int(os.environ.get("MAIL_MAX_MESSAGE_BYTES", str(25 * 1024 * 1024)))
MAIL_HARD_BOUNCES_BEFORE_SUSPENDING = int(
    os.environ.get("MAIL_HARD_BOUNCES_BEFORE_SUSPENDING", "3")
)

# --- Background work: Celery. A no-server broker (files under var/) unless a URL is set.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "retry-deferred-mail": {
        "task": "practica.mail.tasks.deliver_due_messages",
        "schedule": 60.0,
    },
    "reroute-unanswered-questions": {
        "task": "practica.discussions.tasks.reroute_unanswered",
        "schedule": 300.0,
    },
    "send-pending-list-mail": {
        "task": "practica.discussions.tasks.send_pending_list_mail",
        "schedule": 60.0,
    },
    # List digests, like summaries, go out in each member's own 08:00–12:00 window.
    "send-list-digests": {
        "task": "practica.discussions.tasks.send_list_digests",
        "schedule": 900.0,
    },
    # Each member's summary goes out in their own 08:00–12:00 window; the task skips the rest.
    "send-daily-summaries": {
        "task": "practica.discussions.tasks.send_daily_summaries",
        "schedule": 900.0,
    },
    # Reminders a day and an hour before; every 5 minutes keeps the hour one near the hour.
    "send-event-reminders": {
        "task": "practica.events.tasks.send_event_reminders",
        "schedule": 300.0,
    },
    "expire-seat-offers": {
        "task": "practica.events.tasks.expire_seat_offers",
        "schedule": 60.0,
    },
    "request-event-feedback": {
        "task": "practica.events.tasks.request_event_feedback",
        "schedule": 900.0,
    },
    # Registration mails whose task was lost (a worker killed, the broker down).
    "send-lost-registration-notices": {
        "task": "practica.events.tasks.send_lost_registration_notices",
        "schedule": 60.0,
    },
    # Reviewers with unsubmitted reviews, 3 days and 1 day before an edition's deadline.
    "send-review-reminders": {
        "task": "practica.conference.tasks.send_review_reminders",
        "schedule": 900.0,
    },
    # Monthly welcome campaigns go out at their hour in each recipient's zone; exactly once.
    "send-due-campaign-mails": {
        "task": "practica.outreach.tasks.send_due_campaign_mails_task",
        "schedule": 900.0,
    },
    # Members whose contributions earned a higher rung are placed on it (never demoted).
    "place-members-on-ladders": {
        "task": "practica.communities.tasks.place_members_on_ladders_task",
        "schedule": 3600.0,
    },
    # Groups gone idle or left without an active owner: managers hear once per stretch.
    "check-group-health": {
        "task": "practica.communities.tasks.check_group_health_task",
        "schedule": 3600.0,
    },
    # Rollups catch up with new activity every few minutes; dashboards read only rollups.
    "update-metric-rollups": {
        "task": "practica.metrics.tasks.update_rollups_task",
        "schedule": 300.0,
    },
    # Scheduled NPS pulses go out when due.
    "send-due-pulse-surveys": {
        "task": "practica.metrics.tasks.send_due_pulses_task",
        "schedule": 300.0,
    },
}

# --- Security: strict in production; `manage.py check --deploy` is clean there.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Practica's own knobs.
PRACTICA_API_TOKEN_PREFIX = "pat_"  # noqa: S105 — a public prefix, not a secret
PRACTICA_PAGE_SIZE = 25
# How many colleagues one member may invite in 24 hours: enough for a team, too few for spam.
OUTREACH_INVITATIONS_PER_DAY = int(os.environ.get("OUTREACH_INVITATIONS_PER_DAY", "25"))
# The month fiscal years start in (1 = January); budgets default to that year's period.
FISCAL_YEAR_START_MONTH = int(os.environ.get("FISCAL_YEAR_START_MONTH", "1"))
# Nobody is asked an NPS pulse more than once in this many days, whichever pulse it is.
PULSE_MIN_INTERVAL_DAYS = int(os.environ.get("PULSE_MIN_INTERVAL_DAYS", "90"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "skip_expected_refusals": {"()": "practica.api.logging_filters.SkipExpectedRefusals"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "practica": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "django.request": {"filters": ["skip_expected_refusals"]},
    },
}

# --- Single sign-on: OpenID Connect (authorization code flow with PKCE, mozilla-django-oidc),
# on only when OIDC_RP_CLIENT_ID is set; password sign-in stays for the embedded default and
# break-glass administrators. The variables are documented in docs/operations.md.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")  # "" for a public client
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "").strip() or None
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256").strip()
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip()
# A provider that sends no email_verified claim is trusted for its addresses only when told so.
OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = os.environ.get(
    "OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM", ""
).strip().lower() in {"1", "true", "yes"}
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))  # seconds per call to the provider
OIDC_AUTHENTICATE_CLASS = "practica.people.sso_views.ProviderSignInView"
OIDC_CALLBACK_CLASS = "practica.people.sso_views.ProviderCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "people:login"
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [
        name
        for name in (
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_ISSUER",
        )
        if not globals()[name]
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) and not OIDC_OP_JWKS_ENDPOINT:
        _oidc_missing.append("OIDC_OP_JWKS_ENDPOINT")
    if OIDC_RP_SIGN_ALGO.startswith("HS") and not OIDC_RP_CLIENT_SECRET:
        _oidc_missing.append("OIDC_RP_CLIENT_SECRET")
    if _oidc_missing:
        raise ImproperlyConfigured(
            "Single sign-on (OIDC_RP_CLIENT_ID is set) also needs: " + ", ".join(_oidc_missing)
        )
    AUTHENTICATION_BACKENDS = [
        *AUTHENTICATION_BACKENDS,
        "practica.people.sso.CompanyAccountBackend",
    ]
