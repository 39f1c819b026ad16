"""Settings for Community Hub, read from the environment (see `.env.example`).

The defaults make `make run` work on a laptop: SQLite under `var/`, demo mode
on, the console e-mail backend. Production sets `DJANGO_SETTINGS_MODULE` to
`hub.settings.production`, which insists on the secure values.
"""

from pathlib import Path

import dj_database_url

from hub.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("HUB_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-only-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo mode: sign-in without two-factor and a banner on every page saying the data is made up.
DEMO_MODE = env_bool("DEMO_MODE", True)
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEMO_MODE)
# NHS numbers in the synthetic test range (999…) are refused unless this is on (the demo).
# Days a partner has to answer a referral before it expires and shows as a gap.
# The public "Get help" form: submissions per address per hour, page posts per ten minutes
# (0 turns a limit off). Behind reverse proxies, say how many add to X-Forwarded-For.
# The limits count in the cache: use a shared cache when running several processes.
HUB_GET_HELP_LIMIT_PER_HOUR = env_int("HUB_GET_HELP_LIMIT_PER_HOUR", 5)
HUB_GET_HELP_POSTS_PER_10_MINUTES = env_int("HUB_GET_HELP_POSTS_PER_10_MINUTES", 60)
HUB_TRUSTED_PROXY_COUNT = env_int("HUB_TRUSTED_PROXY_COUNT", 0)
HUB_CONTACT_PHONE = env_str("HUB_CONTACT_PHONE", "")
# Supporting documents for grant applications: the largest file accepted. Cap request bodies
# at the proxy a little above this, so an oversized upload is refused before it is written.
# The NHS shielded patient list upload: the largest file accepted.
HUB_SHIELDING_MAX_BYTES = env_int("HUB_SHIELDING_MAX_BYTES", 200 * 1024 * 1024)
HUB_GRANT_DOCUMENT_MAX_BYTES = env_int("HUB_GRANT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Action plans: the largest plan spreadsheet accepted, and how many days before an update is
# due its owner is reminded (manage.py plan_reminders, run daily).
HUB_PLAN_IMPORT_MAX_BYTES = env_int("HUB_PLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
HUB_PLAN_REMINDER_DAYS = env_int("HUB_PLAN_REMINDER_DAYS", 7)
# 360Giving: the prefix of our grant identifiers (360G-<prefix>-…), the council's org-id,
# and the licence the open data is published under. Grantees are reminded of monitoring
# reports this many days before they are due (manage.py grant_reminders, run daily).
HUB_360G_PREFIX = env_str("HUB_360G_PREFIX", "ashworth")
HUB_360G_FUNDER_ID = env_str("HUB_360G_FUNDER_ID", "GB-LAE-ASH")
HUB_360G_LICENSE = env_str("HUB_360G_LICENSE", "https://creativecommons.org/licenses/by/4.0/")
HUB_GRANT_REMINDER_DAYS = env_int("HUB_GRANT_REMINDER_DAYS", 14)
HUB_REFERRAL_EXPIRY_DAYS = env_int("HUB_REFERRAL_EXPIRY_DAYS", 5)
HUB_ACCEPT_TEST_NHS_NUMBERS = env_bool("HUB_ACCEPT_TEST_NHS_NUMBERS", DEMO_MODE)

HUB_COUNCIL_NAME = env_str("HUB_COUNCIL_NAME", "Ashworth Borough Council")
HUB_SERVICE_NAME = env_str("HUB_SERVICE_NAME", "Community Hub")
HUB_LOGO_URL = env_str("HUB_LOGO_URL", "")
# Where the hub is served, for links in e-mails sent outside a web request (commands, tasks).
HUB_BASE_URL = env_str("HUB_BASE_URL", "http://127.0.0.1:8000")
HUB_CONTACT_EMAIL = env_str("HUB_CONTACT_EMAIL", "communityhub@example.org")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "hub.core",
    "hub.accounts",
    "hub.organisations",
    "hub.strategy",
    "hub.places",
    "hub.support",
    "hub.grants",
    "hub.plans",
    "hub.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hub.accounts.middleware.TwoFactorRequiredMiddleware",
    "hub.organisations.middleware.ActingOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.core.context_processors.hub",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL means "not set": SQLite under var/.
        env_str("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'hub.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares the statements a connection runs
    # again and again (the triage queue's dozen, on every view) and PostgreSQL plans each once.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE avoids
    # "database is locked" on upgrade from a read to a write transaction. Connections are
    # kept between requests (CONN_MAX_AGE, as for PostgreSQL) so that SQLite's page cache
    # survives them; reads go through a memory map rather than a system call a page.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
            "PRAGMA cache_size=-32000; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "hub.accounts.backends.HubModelBackend",
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

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Lock-out after repeated failed sign-ins (django-axes): per e-mail and address together,
# so one attacker cannot lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = HUB_SERVICE_NAME

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Community Hub <noreply@example.org>")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "hub.core.storage.StaticStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

TASKS = {
    "default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community Hub API",
    "DESCRIPTION": "The REST API partner systems use to work with Community Hub.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "SupportRequestStatusEnum": "hub.support.models.SupportRequest.Status",
        "NeedStatusEnum": "hub.support.models.Need.Status",
        "ReferralStatusEnum": "hub.support.models.Referral.Status",
        "SupportRequestChannelEnum": "hub.support.models.SupportRequest.Channel",
        "SupportChannelEnum": "hub.api.support_serializers.API_CHANNELS",
    },
}

# Application logs carry no personal data: only identifiers, never names, e-mails or request paths
# with query strings. django.request logs the path, which never holds personal data by design.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "hub.core.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.security": {"level": "WARNING"},
    },
}

HUB_DEMO_PASSWORD = env_str("HUB_DEMO_PASSWORD", "community-hub-demo")
