"""Settings of the AQB portal: one module, driven by environment variables.

Laptop defaults (SQLite under var/, console e-mail, DEBUG off unless `make run` sets it);
a deployment sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and the SMTP variables.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AQB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # A development key, generated once per checkout and kept under var/, so that
        # the web server and the task worker share it. Never used with DEBUG off.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file = VAR_DIR / "dev-secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
        SECRET_KEY = key_file.read_text().strip()
    elif os.environ.get("PYTEST_VERSION"):
        SECRET_KEY = "test-only-key-" + "x" * 40
    # Otherwise it stays empty: commands that need no key (migrate, makemigrations) still run,
    # while the web entry points (wsgi.py, asgi.py) refuse to start, see require_secret_key().


def require_secret_key():
    """Called by wsgi.py and asgi.py: a served site without DEBUG needs a real SECRET_KEY."""
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY fehlt: ohne DEBUG muss die Umgebungsvariable SECRET_KEY gesetzt sein.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "aqb_monitoring",
    "aqb_content",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    # Wagtail's user and group admin for superusers only; everyone else uses "Benutzer" (issue 13).
    "aqb_monitoring.users.apps.PortalUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "guardian",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: a body above the largest upload, or of unknown length, is refused before anything reads it.
    "aqb_site.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Visitors not signed in cannot upload files (refused before the CSRF check reads the body).
    "aqb_site.request_limits.AnonymousUploadMiddleware",
    # The security log learns who changed a password from where (aqb_monitoring/security_signals.py).
    "aqb_monitoring.security_signals.CurrentRequestMiddleware",
    # Moves the end of a logged-in user's session on (8 hours without a request end it).
    "aqb_monitoring.sessions.SlidingSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A one-time password opens nothing but the form to choose one's own (issue 13).
    "aqb_monitoring.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the two above, so that it sees the response first: SAMEORIGIN framing and the
    # looser policy for /admin/ only (aqb_site/security.py).
    "aqb_site.security.AdminFramingMiddleware",
    "aqb_site.security.PortalCSPMiddleware",
    # Pages, documents, images and their choosers and bulk actions: 404 for users without
    # editorial rights (grant recipients, providers), see aqb_content/admin_privacy.py.
    "aqb_content.admin_privacy.EditorialAreaMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A refusal in the admin (Wagtail's redirect to the dashboard) becomes the German 403 page;
    # below the messages, CSP and framing middleware, so that they treat the new answer (issue 10, item 4).
    "aqb_site.error_pages.AdminPermissionDeniedMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aqb_site.urls"
WSGI_APPLICATION = "aqb_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite file under var/ unless DATABASE_URL names another (postgres://...).
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Production keeps each connection for DB_CONN_MAX_AGE seconds (default 60; with DEBUG and in the
# tests 0, a connection per request) and checks it before reuse, so a restarted PostgreSQL
# costs one failed check, not an error page.
DB_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", "0" if DEBUG or os.environ.get("PYTEST_VERSION") else "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'aqb.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server and task worker) share the file: wait for locks.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Users: log-in by e-mail address, one organisation per user.
AUTH_USER_MODEL = "aqb_monitoring.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "aqb_monitoring.passwords.HandbookPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "wagtailadmin_login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Invitation links (to choose the first password) work once and for this many hours.
AQB_INVITATION_VALID_HOURS = int(os.environ.get("AQB_INVITATION_VALID_HOURS", "72"))

# django-guardian: no anonymous user row (our user model has no username).
GUARDIAN_ANONYMOUS_USER_NAME = None

# Log-in protection (issue 13, aqb_monitoring/login_protection.py). The handbook's lock is per
# account: after AXES_FAILURE_LIMIT failed log-ins the account is locked for AXES_COOLOFF_HOURS,
# from whatever addresses the attempts came; one address is refused after AQB_IP_FAILURE_LIMIT
# failures across any accounts in the same time (password spraying). Addresses are counted
# lower-cased. A failed attempt during a lock does not prolong it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "6"))
AQB_IP_FAILURE_LIMIT = int(os.environ.get("AQB_IP_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "aqb_monitoring.login_protection.PortalAxesHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "aqb_monitoring.login_protection.normalised_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
AXES_LOCKOUT_CALLABLE = "aqb_monitoring.login_protection.lockout_response"
# The portal's security log (SecurityEvent) records log-ins; axes' own access log would be a second copy.
AXES_DISABLE_ACCESS_LOG = True
# Password-reset mails: at most so many requests per address and per client address in the window
# (counted in the security log, so every app server sees the same numbers).
AQB_PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("AQB_PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
AQB_PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("AQB_PASSWORD_RESET_LIMIT_PER_IP", "20"))
AQB_PASSWORD_RESET_LIMIT_MINUTES = int(os.environ.get("AQB_PASSWORD_RESET_LIMIT_MINUTES", "60"))
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "aqb_monitoring.login_protection.ThrottledPasswordResetForm"
# Sessions end after SESSION_IDLE_HOURS without a request and at log-out; a password change ends
# the user's other sessions (Django's session hash). The end moves on with the requests of a
# logged-in user, written at most every AQB_SESSION_REFRESH_SECONDS (aqb_monitoring/sessions.py),
# not on every request (SESSION_SAVE_EVERY_REQUEST stays off).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_IDLE_HOURS", "8")) * 3600)
AQB_SESSION_REFRESH_SECONDS = int(os.environ.get("AQB_SESSION_REFRESH_SECONDS", "300"))

# Internationalisation: German, dates TT.MM.JJJJ.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"]
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILADMIN_PERMITTED_LANGUAGES = [("de", "Deutsch")]
# One language and one time zone: the account page then has no "Locale" panel to choose them.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("de", "Deutsch")]

# Static and uploaded files.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded participant data (Excel imports): never below MEDIA_ROOT, which is served publicly.
AQB_PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
# Excel imports hold participant data: an upload nobody takes or discards, and what is left of
# a taken or discarded one, goes after this many hours (`manage.py purge_import_files`).
AQB_IMPORT_RETENTION_HOURS = float(os.environ.get("AQB_IMPORT_RETENTION_HOURS", "24"))
# A queued or running import without a sign of life for this long lost its worker (minutes in the environment).
AQB_IMPORT_STALE_AFTER = timedelta(minutes=float(os.environ.get("AQB_IMPORT_STALE_AFTER", "10")))
# Data protection: the participants of a measure are deleted this many years after the measure's end
# (`manage.py purge_expired_data`, daily); its reports keep only their counts (README, "Datenschutz").
AQB_RETENTION_YEARS = int(os.environ.get("AQB_RETENTION_YEARS", "10"))
# Static files: in production (DEBUG off) collected by `manage.py collectstatic` into STATIC_ROOT,
# with hashed names and compressed copies, and served by WhiteNoise; with DEBUG and in the tests
# straight from the apps' folders. AQB_MANIFEST_STATIC=0 turns the manifest off.
AQB_MANIFEST_STATIC = not DEBUG and env_bool("AQB_MANIFEST_STATIC", not os.environ.get("PYTEST_VERSION"))
WHITENOISE_USE_FINDERS = not AQB_MANIFEST_STATIC

# Uploaded files (documents, images, Excel imports) always go through Django's storage API:
# on this machine's disk (MEDIA_ROOT, PRIVATE_ROOT) by default, or with AQB_STORAGE=s3 in an
# S3-compatible object store that every app server and task worker shares. Import uploads go
# to the "private" storage: a bucket of their own (AQB_S3_PRIVATE_BUCKET) or the prefix
# "private/" of the media bucket; no URL of the portal serves them, and their storage has no URL.
AQB_STORAGE = os.environ.get("AQB_STORAGE", "filesystem").strip().lower()
AQB_MEDIA_ORIGINS = env_list("AQB_MEDIA_ORIGIN")  # where the browser loads images from, for the CSP
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "aqb_monitoring.storage.LocalPrivateStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if AQB_MANIFEST_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if AQB_STORAGE == "s3":
    AQB_S3_BUCKET = os.environ.get("AQB_S3_BUCKET", "")
    if not AQB_S3_BUCKET:
        raise ImproperlyConfigured("AQB_STORAGE=s3 braucht AQB_S3_BUCKET (Name des Buckets für Dokumente und Bilder).")
    _s3_common = {
        "endpoint_url": os.environ.get("AQB_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AQB_S3_REGION") or None,
        # Access keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment (boto3).
        # Links are signed and expire: the buckets themselves stay closed to the public.
        "querystring_auth": True,
        "querystring_expire": int(os.environ.get("AQB_S3_URL_EXPIRE_SECONDS", "3600")),
        "default_acl": None,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_common, "bucket_name": AQB_S3_BUCKET, "location": "media"},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_common,
            "bucket_name": os.environ.get("AQB_S3_PRIVATE_BUCKET") or AQB_S3_BUCKET,
            "location": "private",
        },
    }
    if not AQB_MEDIA_ORIGINS:
        from urllib.parse import urlsplit

        # The endpoint itself (path-style links) and its subdomains (bucket.endpoint); AWS: any of its hosts.
        _endpoint = urlsplit(_s3_common["endpoint_url"] or "https://amazonaws.com")
        AQB_MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}", f"{_endpoint.scheme}://*.{_endpoint.netloc}"]
elif AQB_STORAGE != "filesystem":
    raise ImproperlyConfigured("AQB_STORAGE kennt nur „filesystem“ (Standard) und „s3“.")

# Documents only through Wagtail's document view (/documents/<id>/<name>), which checks the
# collection's view restrictions; never by a redirect to the storage or from /media/.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Uploaded workbooks are read by a child process under these ceilings (imports/reader.py):
# its address space, its CPU time, its wall-clock time; a file whose pre-check counts more
# rows than AQB_IMPORT_INLINE_ROWS is read by the task worker, smaller ones in the request.
AQB_IMPORT_READER_MEMORY_MB = int(os.environ.get("AQB_IMPORT_READER_MEMORY_MB", "1024"))
AQB_IMPORT_READER_CPU_SECONDS = int(os.environ.get("AQB_IMPORT_READER_CPU_SECONDS", "180"))
AQB_IMPORT_READER_TIMEOUT_SECONDS = int(os.environ.get("AQB_IMPORT_READER_TIMEOUT_SECONDS", "300"))
AQB_IMPORT_INLINE_ROWS = int(os.environ.get("AQB_IMPORT_INLINE_ROWS", "2000"))
AQB_IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("AQB_IMPORT_MAX_UNCOMPRESSED_MB", "600"))
AQB_IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("AQB_IMPORT_MAX_COMPRESSION_RATIO", "100"))
AQB_IMPORT_MAX_MERGED_RANGES = int(os.environ.get("AQB_IMPORT_MAX_MERGED_RANGES", "10000"))

# Uploads: the Excel import accepts files up to 100 MB (docs/domain-rules.md §9.3).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body accepted at all (aqb_site/request_limits.py): the import's 100 MB plus
# the form around the file; larger bodies get a German 413 from their Content-Length, unread.
AQB_MAX_REQUEST_BYTES = int(os.environ.get("AQB_MAX_REQUEST_BYTES", str(101 * 1024 * 1024)))
# Visitors not signed in upload no files: a multipart body of theirs above this is refused unread,
# file parts of a smaller one are dropped (the log-in and reset forms need a few hundred bytes).
AQB_ANONYMOUS_MULTIPART_MAX_BYTES = int(os.environ.get("AQB_ANONYMOUS_MULTIPART_MAX_BYTES", str(64 * 1024)))
# Larger uploads stream to a private folder (never the system /tmp, which other users and
# services share); files left there by a crash are deleted by `purge_import_files` after an hour.
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR", str(AQB_PRIVATE_ROOT / "tmp" / "uploads"))
try:
    os.makedirs(FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
except OSError:  # a read-only build step (collectstatic in an image): the upload fails with a message instead
    pass
# Below this many free bytes where uploads are written, the Excel upload page refuses new files
# (a full disk would otherwise leave half-written files of personal data).
AQB_MIN_FREE_UPLOAD_SPACE = int(os.environ.get("AQB_MIN_FREE_UPLOAD_SPACE", str(500 * 1024 * 1024)))

# E-mail: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Seconds one delivery attempt may wait for the mail server (in the task worker; never in a request).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AQB-Portal <noreply@aqb-portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks with its database backend; `manage.py db_worker` runs it.
TASKS = {
    "default": {
        # Tests run tasks at once; the backends are read when Django starts, before any
        # conftest could change them, hence the check of pytest's environment variable.
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("PYTEST_VERSION")
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}

# Security: secure cookies and HSTS whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A stale or missing form token: a German page instead of Django's "403 Forbidden" (issue 14).
CSRF_FAILURE_VIEW = "aqb_site.error_pages.csrf_failure"
# DENY: no page of the portal in someone else's frame. The administration answers SAMEORIGIN
# (aqb_site.security.AdminFramingMiddleware): Wagtail's page preview is a frame of the editor.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)


def proxy_ssl_header(value):
    """SECURE_PROXY_SSL_HEADER from the environment: the header the TLS proxy sets, e.g. X-Forwarded-Proto.

    Only when the operator names it: trusting the header without a proxy that overwrites it
    would let any client claim a secure connection.
    """
    value = value.strip()
    if not value:
        return None
    name, _, expected = value.partition("=")
    meta_name = name.strip().upper().replace("-", "_")
    if not meta_name.startswith("HTTP_"):
        meta_name = "HTTP_" + meta_name
    return (meta_name, expected.strip() or "https")


_proxy_header = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = _proxy_header
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

# Content-Security-Policy (django-csp, aqb_site/security.py). The public site: scripts and styles
# only from the portal's own files, no inline script, no frames. The administration: what
# Wagtail's admin needs (its date pickers and panels write inline scripts and styles).
_CSP_IMAGES = ["'self'", "data:", *AQB_MEDIA_ORIGINS]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _CSP_IMAGES,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
AQB_ADMIN_PATH_PREFIX = "/admin/"
AQB_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": [*_CSP_IMAGES, "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}

SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # HSTS preload is the operator's decision (SECURE_HSTS_PRELOAD=1).
]

# Wagtail.
WAGTAIL_SITE_NAME = "AQB-Portal"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# On PostgreSQL the index stems German words ("Teilnehmer" finds "Teilnehmende"); SQLite's
# full-text index cannot, so aqb_content.search adds prefix matching of a German stem on both.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "german"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Every document upload is also checked by its content (aqb_content/documents.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "aqb_content.documents.DocumentForm"
# Images: Wagtail reads each upload with Willow, which tells the format by content; the
# extension must match it. No SVG (it can carry scripts).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_USER_LOGIN_FORM = "aqb_monitoring.account_forms.PortalLoginForm"
WAGTAILUSERS_PASSWORD_ENABLED = True
# The e-mail address is the log-in; the RP (for ZE) and the ZE (for providers) manage it,
# and a self-service change would also tell whether another address has an account.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = False
# No Gravatar: it would send a hash of each user's e-mail to gravatar.com (and shows a
# broken image on a closed network); Wagtail falls back to its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
