"""Settings of PRB Partnerships, read from environment variables only (see README)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from prb_partnerships.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (e.g. SECRET_KEY=$(openssl rand -hex 32))."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_filters",
    "import_export",
    "simple_history",
    "libraries",
    "animators",
    "partnerships",
    # Its template tags: {% load prb %} (days_ago).
    "prb_partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prb_partnerships.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "prb_partnerships.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prb_partnerships.context_processors.roles",
            ],
        },
    },
]

# Widgets drawn by Jinja2 from Django's own widget templates (prb_partnerships/renderers.py).
FORM_RENDERER = "prb_partnerships.renderers.WidgetRenderer"

WSGI_APPLICATION = "prb_partnerships.wsgi.application"

# Database: DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/prb; SQLite file by default.
_database_url = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises several kinds of errors
    raise ImproperlyConfigured(f"DATABASE_URL={_database_url!r} is not valid: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: e-mail + password, no open sign-up (see prb_partnerships.accounts).
ACCOUNT_ADAPTER = "prb_partnerships.accounts.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Sign-in limits (README, "Sign-in limits and the shared cache"): 10 wrong passwords a minute
# from one address; 5 wrong passwords in 5 minutes for one account lock it for everyone, the
# right password included, until the oldest of them is 5 minutes old or the password is reset.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PRB] "
# Invitations and password resets: the link is valid for this long.
PASSWORD_RESET_TIMEOUT = env_int("INVITATION_DAYS", 7) * 24 * 3600
# The address of the site in e-mails sent outside a request (invitations, reminders, digest).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"

# E-mail: console backend by default (development); SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PRB Partnerstwa <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Caches: shared by every worker and server, since allauth's login limits count there (README,
# "Sign-in limits and the shared cache"): the database table `prb_cache`, created by `migrate`
# (libraries/migrations/0005), or Redis when REDIS_URL is set. The table holds up to 100,000
# entries before it is culled, so that a flood of new keys cannot wipe an account's count.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "prb_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Rendered pages under the data version (prb_partnerships/freshness.py): never stale, so each
# process keeps its own in memory.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "prb-fragments",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded documents (partnerships.uploads.private_storage); see "Uploaded documents" below.
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Spreadsheet import and export in the admin (prb_partnerships/importexport.py): every import
# runs in one transaction, so a file with a bad row saves nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Uploaded documents (agreement scans, attendance lists) live outside static and public media,
# in the storage "private", and are served only by a view that checks access (README, "Uploaded
# files"): on the local disk under PRIVATE_MEDIA_ROOT, or in an S3-compatible bucket when
# S3_BUCKET is set (several servers).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private_media")
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "file_overwrite": False,
            "querystring_auth": True,  # no file is ever linked; a URL would need a signature
        },
    }
# Each file is cut off at 10 MB as it arrives (a larger one is only counted, for the form's
# message), a request with files over 60 MB is refused unread (partnerships.uploads); the
# fields of a form, without its files, are at most 2.5 MB.
FILE_UPLOAD_HANDLERS = [
    "partnerships.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", default=False) else None
)
# The client's address (login limits per address) is read by allauth from X-Forwarded-For only
# behind our own proxies: the TRUSTED_PROXIES-th address from the end of that header, the one our
# outermost proxy added; 1 with BEHIND_HTTPS_PROXY, else 0 = the header is ignored (REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXIES", 1 if env_bool("BEHIND_HTTPS_PROXY", default=False) else 0
)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES={ALLAUTH_TRUSTED_PROXY_COUNT} is below 0.")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS only when DEBUG is off: plain HTTP is redirected (SECURE_SSL_REDIRECT=0 when the proxy
# already redirects), and browsers are told to use HTTPS for a year (HSTS, sent on HTTPS only).
# `/healthz` answers over plain HTTP too, for a load balancer that checks it so.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only,
# no inline script or style anywhere (data-driven widths and colours are SVG attributes), no
# plugins, no framing, forms post only here. The admin alone allows style="" attributes, which
# the history and export pages of django-simple-history and django-import-export carry
# (prb_partnerships.middleware); its scripts stay as strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
