"""Settings for the consultation platform.

With no environment variables the platform runs on its embedded defaults: SQLite, the
in-memory channel layer and the database task backend. Production reads everything that
differs from the environment (see README, "Production layout").
"""

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONSULT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Without a SECRET_KEY we are on a developer's machine or in the test suite: that is only
# allowed when asked for (make run sets DEBUG=1, make test sets CONSULT_INSECURE_DEFAULTS=1).
INSECURE_DEFAULTS = not SECRET_KEY
if INSECURE_DEFAULTS:
    if not DEBUG and not env_bool("CONSULT_INSECURE_DEFAULTS"):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (and ALLOWED_HOSTS) in production, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if INSECURE_DEFAULTS else ""
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "drafts",
    "consult",
    "consult.live",
    "consult.voice",
    "cms",
    "moderation",
    "analysis",
    "frontend",
    "api",
    "ops",  # backup and restore (management commands only)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_comments_xtd",
    "django_comments",
    "django_tasks",
    "workers",  # before django_tasks_db: its db_worker (with leases) replaces the library's
    "django_tasks_db",
    "channels",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "frontend.security_headers.ContentSecurityPolicyMiddleware",
    "frontend.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # the public API's paths only (CORS_URLS_REGEX)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.nul_characters.RefuseNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL from DATABASE_URL -----------------------------
DATABASES = {
    # An empty DATABASE_URL means the default, as an unset one does.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'consult.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the task worker and the web process write without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    DATABASES["default"]["CONN_MAX_AGE"] == 0 and env_bool("DATABASE_POOL", True)
):
    # A pool per process (psycopg_pool, Django's own support): Channels runs each database
    # call in a pool thread, and opening a PostgreSQL connection (a forked backend) for every
    # vote and every WebSocket connect cost more CPU than the work itself (bench-live).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX", "12")),
        "timeout": int(os.environ.get("DATABASE_POOL_TIMEOUT", "30")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache when REDIS_URL is set ----------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis pub/sub: a group message is published once and each daphne process hands it to
    # its own connections, instead of one Redis list entry and one round trip per connection
    # (the core layer). Both deliver at most once; missed events are replayed from the
    # database (consult/live/events.py). CHANNEL_LAYER=core selects the core layer.
    if os.environ.get("CHANNEL_LAYER", "pubsub") == "core":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "consult"),
                    "capacity": int(os.environ.get("CHANNELS_CAPACITY", "1000")),
                },
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "config.channel_layer.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "consult"),
                },
            }
        }
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "consult"),
            # Redis down: fail fast, serve from a local cache, try Redis again after a few
            # seconds (config/redis_cache.py).
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "1")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "2")),
                "FALLBACK_RETRY_SECONDS": float(os.environ.get("REDIS_RETRY_SECONDS", "5")),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks: the Django Tasks API with the database backend ----------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "transcription", "analysis"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
FORMAT_MODULE_PATH = ["frontend.formats"]  # Urdu date formats (Django has none)
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not INSECURE_DEFAULTS
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = INSECURE_DEFAULTS
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Open Consultation"
# The public address of the site, printed where no request can tell it (the paper pack).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
# Where paper comment forms may be posted, printed on the pack in each language.
POSTAL_ADDRESS = os.environ.get("POSTAL_ADDRESS", "")
POSTAL_ADDRESS_UR = os.environ.get("POSTAL_ADDRESS_UR", "")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "json", "md", "pdf", "txt"]
WAGTAIL_TASKS_BACKEND = "default"
# A worker holds a lease on the task it runs and renews it every third of this; a task
# whose worker died runs again on another worker once the lease ran out (workers/).
TASK_LEASE_SECONDS = float(os.environ.get("TASK_LEASE_SECONDS", "60"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "5"))

# --- Comments (django-comments-xtd, extended by consult.Submission) ---------------------------
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "consult.models.Submission"
# The page a draft is consulted on; lower apps reach it by this name only
# (drafts.consultations.consultation_model), as they reach the user model.
CONSULTATION_MODEL = "cms.ConsultationPage"
COMMENTS_XTD_MAX_THREAD_LEVEL = 3
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_SALT = os.environ.get("COMMENTS_XTD_SALT", SECRET_KEY[:32]).encode()
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "default": {"allow_flagging": True, "allow_feedback": False, "show_feedback": False}
}
# --- Abuse limits (consult/ratelimit.py; README "Configuration") -------------------------
# How many proxies of ours stand in front of daphne: the client address is the hop just
# before them in X-Forwarded-For. 0: the TCP peer (REMOTE_ADDR), the header is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# action -> scope -> [max, window seconds], overriding consult.ratelimit.DEFAULT_LIMITS,
# e.g. RATE_LIMITS='{"comment": {"participant": [10, 600], "address": [200, 600]}}'.
MODERATION_RATE_LIMITS: dict = json.loads(os.environ.get("RATE_LIMITS", "{}"))
# Distinct anonymous participants from one address who may vote on one town-hall question.
LIVE_ANONYMOUS_VOTES_PER_QUESTION_PER_ADDRESS = int(
    os.environ.get("LIVE_ANONYMOUS_VOTES_PER_QUESTION_PER_ADDRESS", "50")
)
# Receipt lookups: wrong codes per address (then a pause that doubles each time, within a
# day) and in total, per window.
RECEIPT_WRONG_GUESSES_PER_ADDRESS = int(os.environ.get("RECEIPT_WRONG_GUESSES_PER_ADDRESS", "10"))
RECEIPT_LOCKOUT_SECONDS = int(os.environ.get("RECEIPT_LOCKOUT_SECONDS", "60"))
RECEIPT_WRONG_GUESSES_SITE_WIDE = int(os.environ.get("RECEIPT_WRONG_GUESSES_SITE_WIDE", "2000"))
RECEIPT_WINDOW_SECONDS = int(os.environ.get("RECEIPT_WINDOW_SECONDS", "3600"))
SUBMISSION_MAX_CHARS = int(os.environ.get("SUBMISSION_MAX_CHARS", "5000"))

# --- Voice submissions and offline transcription (consult.voice, consult.voice.transcription) -----
TRANSCRIPTION_ENGINE = os.environ.get("TRANSCRIPTION_ENGINE", "faster")  # or "openai"
TRANSCRIPTION_LANGUAGES = env_list("TRANSCRIPTION_LANGUAGES", "en,ur,pa,ps,sd")
TRANSCRIPTION_THREADS = int(os.environ.get("TRANSCRIPTION_THREADS", "2"))
TRANSCRIPTION_BEAM_SIZE = int(os.environ.get("TRANSCRIPTION_BEAM_SIZE", "5"))
# Queued voice notes transcribed per model call (consult.voice.services.run_transcription).
TRANSCRIPTION_BATCH_SIZE = int(os.environ.get("TRANSCRIPTION_BATCH_SIZE", "8"))
WHISPER_MODEL_DIR = os.environ.get("WHISPER_MODEL_DIR", "")
VOICE_MAX_BYTES = int(os.environ.get("VOICE_MAX_BYTES", str(20 * 1024 * 1024)))
VOICE_MAX_SECONDS = int(os.environ.get("VOICE_MAX_SECONDS", "600"))
VOICE_RETENTION_DAYS = int(os.environ.get("VOICE_RETENTION_DAYS", "30"))
VOICE_STUCK_AFTER_SECONDS = int(os.environ.get("VOICE_STUCK_AFTER_SECONDS", "900"))
# Raw audio lives outside MEDIA_ROOT: only an auth-checked view can read it.
VOICE_AUDIO_ROOT = Path(os.environ.get("VOICE_AUDIO_ROOT", VAR_DIR / "private" / "voice"))

# --- Request bodies (config/request_limits.py): over the limit -> 413, before reading -------
MIB = 1024 * 1024
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1 * MIB)))
# A facilitator's bulk intake carries several recordings in one request.
VOICE_INTAKE_MAX_BYTES = int(os.environ.get("VOICE_INTAKE_MAX_BYTES", str(3 * VOICE_MAX_BYTES)))
# Wagtail admin: documents (WAGTAILDOCS_EXTENSIONS), images, the clause importer, page forms.
ADMIN_UPLOAD_MAX_BYTES = int(os.environ.get("ADMIN_UPLOAD_MAX_BYTES", str(32 * MIB)))
_LANGUAGE_PREFIX = r"(?:[a-z]{2,3}(?:-[a-z0-9]+)?/)?"
# (regular expression on the path, most bytes); the first match wins. Form fields and
# multipart boundaries take a little room next to the file itself.
# HTTP requests one server process runs in Django at once; more wait on the event loop
# (config/concurrency.py). WebSockets are not counted.
HTTP_MAX_CONCURRENT = int(os.environ.get("HTTP_MAX_CONCURRENT", "8"))
REQUEST_BODY_LIMITS = [
    (rf"^/{_LANGUAGE_PREFIX}voice/[^/]+/record/$", VOICE_MAX_BYTES + MIB),
    (rf"^/{_LANGUAGE_PREFIX}voice/[^/]+/intake/$", VOICE_INTAKE_MAX_BYTES + MIB),
    (r"^/admin/", ADMIN_UPLOAD_MAX_BYTES),
    (r"^/django-admin/", ADMIN_UPLOAD_MAX_BYTES),
]

# --- Security for production (manage.py check --deploy is clean with DEBUG off) --------------
if not DEBUG and not INSECURE_DEFAULTS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Content-Security-Policy (django-csp) and Permissions-Policy: frontend/security_headers.py -
# Town halls embed YouTube (privacy-enhanced) or Jitsi; nothing else is framed.
LIVE_JITSI_HOSTS = env_list("LIVE_JITSI_HOSTS", "meet.jit.si")
STREAM_FRAME_ORIGINS = [
    "https://www.youtube-nocookie.com",
    *(f"https://{host}" for host in LIVE_JITSI_HOSTS),
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # static files only: no inline script, no eval
        "style-src": [SELF],  # site.css only: no style attributes, no <style>
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],  # the recorder plays back what was just recorded
        "connect-src": [SELF],  # fetch() and the town hall's WebSocket, same origin
        "font-src": [SELF],
        "frame-src": STREAM_FRAME_ORIGINS,
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # as X_FRAME_OPTIONS: Wagtail's preview frames our pages
    }
}
# Wagtail's page editor and page explorer run inline scripts of their own (their content
# varies, so no hash fits, and Wagtail takes no nonce): allowed on the admin's paths only,
# never on a public page. Checked in Chromium: the dashboard, moderation queue, documents and
# Django's admin run clean under the strict policy; no admin page needed inline styles.
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CSP_ADMIN_UPDATE = {"script-src": [UNSAFE_INLINE]}
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no e-mail hashes sent to a third party from the admin
WAGTAIL_ENABLE_UPDATE_CHECK = False  # the dashboard would fetch releases.wagtail.org
# Every powerful feature off; a view allows one on its own answer (security_headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    name: []
    for name in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}
# Wagtail's live preview renders the page in a same-origin iframe; DENY would break it.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
DEFAULT_CHARSET = "utf-8"

# --- The public read-only API (api/; README "Public API") -------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only: no request bodies
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.keys.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AddressOrKeyThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.PublicApiSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Consultation public API",
    "DESCRIPTION": "Read-only: consultations, draft versions, published submissions, themes, "
    "reports, town halls, transparency figures and bulk files. Never held or removed "
    "submissions, original text, hidden names, e-mails or receipt codes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["api.schema.public_api_only"],  # not Wagtail's admin API
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no outside request
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "StanceEnum": "consult.models.Stance",
        "StakeholderEnum": "consult.models.Stakeholder",
        "SourceEnum": "consult.models.Source",
    },
}
# CORS for reading the API from any site's scripts: GET only, no cookies.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-none-match", "if-modified-since", "x-api-key"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition"]
# Bulk files (CSV, JSON Lines, Parquet) per consultation, rebuilt when the data changes.
API_BULK_ROOT = Path(os.environ.get("API_BULK_ROOT", VAR_DIR / "open-data"))
# --- Participants' accounts (django-allauth): an e-mail address and a one-time code -----------
# Optional: taking part needs no account. No passwords for participants, no social providers,
# nothing fetched from another host. Staff keep their passwords (ModelBackend, Wagtail admin).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_request_login_code"
LOGIN_REDIRECT_URL = "moderation:my_data"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "consult.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file-based backend writes (EMAIL_BACKEND=django.core.mail.backends.filebased...).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "consultation@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
