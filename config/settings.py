"""Settings, read from the environment.

With nothing set, the site runs embedded: SQLite under var/, an in-memory channel layer,
Celery tasks run in-process, a local-memory cache and console e-mail. Set DATABASE_URL and
REDIS_URL for PostgreSQL and Redis. A malformed variable stops start-up, naming it.
"""

from pathlib import Path
from urllib.parse import urlsplit

import leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "embedded-development-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "django_htmx",
    "citizens",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.scope.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.web.context.navigation",
                "citizens.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        VAR_DIR / "governance.sqlite3",
        pool_size=env_int("DATABASE_POOL_SIZE", 10, minimum=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "citizens.User"
AUTHENTICATION_BACKENDS = [
    "citizens.backends.PhoneOrEmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors hold no object permissions
GUARDIAN_USER_OBJ_PERMS_MODEL = "governance.AreaUserObjectPermission"
GUARDIAN_GROUP_OBJ_PERMS_MODEL = "governance.AreaGroupObjectPermission"
LOGIN_URL = "citizens:login"
LOGIN_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves collected files from here
# Leaflet comes from django-leaflet's bundled files (its app is not installed: its admin needs
# GDAL, and our boundaries are GeoJSON drawn by our own small script).
STATICFILES_DIRS = [BASE_DIR / "static", Path(leaflet.__file__).parent / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Redis: channel layer, cache, Celery broker. Unset → everything in-process.
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    # Pub/sub, measured against RedisChannelLayer by bench/channel_layers.py (figures in its
    # header): 500 concurrent connects, 0 errors; RedisChannelLayer fails from the 100th with
    # MaxConnectionsError. CHANNEL_LAYER=core selects the latter (for measuring only).
    CHANNEL_LAYER_BACKENDS = {
        "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "core": "channels_redis.core.RedisChannelLayer",
    }
    _layer = env_str("CHANNEL_LAYER", "pubsub")
    _redis_db = urlsplit(REDIS_URL).path.strip("/") or "0"
    if _layer not in CHANNEL_LAYER_BACKENDS:
        raise ImproperlyConfigured(f"Environment variable CHANNEL_LAYER={_layer!r}: pubsub or core")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[_layer],
            # Redis pub/sub channels ignore the database number: the prefix keeps two sites
            # (or test runs) sharing one Redis from hearing each other's events.
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CHANNEL_LAYER_PREFIX", f"grid{_redis_db}"),
            },
        }
    }
    # Redis while it answers, this process's memory while it does not (governance.caching).
    CACHES = {
        "default": {
            "BACKEND": "governance.caching.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "grid"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A worker outlives broker outages (README, "When Redis is down"): it retries the connection
# forever, at start-up too, and on losing it cancels its running late-ack tasks, which go back
# to the queue, instead of acknowledging them on the dead connection (the path on which kombu
# met its closed transport: "'NoneType' object has no attribute 'hostname'", worker gone).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# No task runs longer than the time limit (the longest is the nightly statistics, one aggregate
# per area; the sweep takes 1 s at a million cases) and no retry waits longer than
# RETRY_BACKOFF_MAX seconds, so a message stays unacknowledged at most their sum: that is the
# visibility timeout after which Redis hands a killed worker's task to another (not an hour).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
RETRY_BACKOFF_MAX = 300
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + RETRY_BACKOFF_MAX,  # 600 s by default
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@grid.example")
SMS_GATEWAY = env_str("SMS_GATEWAY", "citizens.sms.LoggingSmsGateway")

REST_FRAMEWORK = {
    # Token first: an unauthenticated API call gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.api_exception_handler",
    # Scoped throttles on creating cases and signing in, counted in the cache (Redis in
    # production, so every worker shares the counts).
    "DEFAULT_THROTTLE_RATES": {
        "case_create": env_str("THROTTLE_CASE_CREATE", "30/hour"),
        "signin": env_str("THROTTLE_SIGNIN", "10/minute"),
        "open311_post": env_str("THROTTLE_OPEN311_POST", "120/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grid governance API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "governance.api.schema.document_refusals",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "governance.models.case.Status",
        "ChannelEnum": "governance.models.case.Channel",
        "SubmitChannelEnum": "governance.api.serializers.cases.SUBMIT_CHANNELS",
    },
}

# --- Map: the tile server is a setting; boundaries are drawn from our own data regardless.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# --- The governance domain.
GOVERNANCE = {
    "WORKDAY_START": env_str("WORKDAY_START", "09:00"),
    "WORKDAY_END": env_str("WORKDAY_END", "17:00"),
    "REOPEN_WINDOW_DAYS": env_int("REOPEN_WINDOW_DAYS", 7, minimum=0),
    "ATTACHMENT_MAX_BYTES": env_int("ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024, minimum=1024),
    "GRID_INDEX_CHECK_SECONDS": 1.0,
    # Embedded run only (no REDIS_URL): the time-limit sweep in a thread of the web process.
    "EMBEDDED_SCHEDULER": env_bool("EMBEDDED_SCHEDULER", True),
    "SWEEP_SECONDS": env_int("SWEEP_SECONDS", 60, minimum=1),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
