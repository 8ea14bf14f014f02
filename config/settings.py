"""Settings, read from the environment.

With nothing set, the site runs embedded: SQLite under var/, an in-memory channel layer,
Celery tasks run in-process, a local-memory cache and console e-mail. Set DATABASE_URL and
REDIS_URL for PostgreSQL and Redis. A malformed variable stops start-up, naming it.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import leaflet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_mqtt_url,
    env_rate,
    env_redis_url,
    env_site_url,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

# DEBUG is on only for the embedded demo (`make run`: no DATABASE_URL, no REDIS_URL) or when
# asked for. A deployment names its services, so forgetting DEBUG there leaves it off; asking
# for DEBUG next to real services must be confirmed, or start-up stops.
_SERVICES = [name for name in ("DATABASE_URL", "REDIS_URL") if env_str(name)]
DEBUG = env_bool("DEBUG", not _SERVICES)
if DEBUG and _SERVICES and not env_bool("ALLOW_DEBUG_WITH_SERVICES", False):
    raise ImproperlyConfigured(
        f"DEBUG=true with {' and '.join(_SERVICES)} set: debug pages show tracebacks and "
        "settings. Unset DEBUG in production; on a development machine set "
        "ALLOW_DEBUG_WITH_SERVICES=true."
    )
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("Environment variable SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "embedded-development-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The client's address: REMOTE_ADDR, or with N trusted proxies in front, the Nth address from
# the right of X-Forwarded-For (governance.limits.client_address). 0: the header is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Behind TLS (HTTPS=true): HSTS, redirect to https, cookies only over https. The scheme a
# proxy reports is believed only when TRUSTED_PROXY_COUNT says there is a proxy in front.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    if env_int("TRUSTED_PROXY_COUNT", 0, minimum=0) > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

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
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "django_htmx",
    "citizens",
    "governance",
    "notifications",
    "evaluation",
    "emergency",
    "gridwork",
    "sensing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "governance.web.guard.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.scope.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # DEBUG (the embedded demo): unknown addresses get the site's 404 page, not Django's list.
    "governance.web.not_found.FriendlyNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a sign-in locked out by django-axes into the lockout page (citizens.signin).
    "axes.middleware.AxesMiddleware",
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
                "governance.web.context.page_texts",
                "citizens.context_processors.notifications",
                "evaluation.web.context.cockpit_navigation",
                "emergency.web.context.navigation",
                "gridwork.web.context.registry_navigation",
                "sensing.web.context.sensing_navigation",
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

# Sessions in the database, read from Redis (governance.sessions); the signed-in account too
# (governance.cached_users): no query for either on most requests.
SESSION_ENGINE = "governance.sessions"

AUTH_USER_MODEL = "citizens.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in (pages, admin, API token) while the account or address is
    # locked out; counts nothing itself (citizens.signin holds the rules).
    "axes.backends.AxesStandaloneBackend",
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

# --- Sensing (issue 15). The MQTT broker the subscriber (`manage.py run_mqtt_subscriber`) reads;
# unset: no subscriber, readings come over HTTP only (the embedded default).
MQTT_URL = env_mqtt_url("MQTT_URL")
SENSING_RETENTION_DAYS = env_int("SENSING_RETENTION_DAYS", 400, minimum=2)
# A reading stamped further ahead than this (seconds) is refused: a device's clock is wrong.
SENSING_MAX_FUTURE_SECONDS = env_int("SENSING_MAX_FUTURE_SECONDS", 300, minimum=0)

CELERY_BROKER_URL = REDIS_URL or "memory://"
# kombu's Redis transport, kept from dying when a channel closes after its connection
# (config/broker.py: "'NoneType' object has no attribute 'hostname'").
CELERY_BROKER_TRANSPORT = "config.broker:Transport" if REDIS_URL else None
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
# to the queue, instead of acknowledging them on the dead connection.
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
SMS_GATEWAY = env_str("SMS_GATEWAY", "notifications.sms.LoggingSmsGateway")
# The site's address as people outside reach it: the links in e-mails and SMS are built on it
# (pages build theirs from the request). The default is the embedded run's.
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000")
# CAP 1.2: the `sender` of our public alerts (unique to this site; by default its host name).
CAP_SENDER = env_str("CAP_SENDER", urlsplit(SITE_URL).hostname or "grid.example")
# A one-time link that signs an anonymous reporter's browser in to their request, sent to
# their contact: valid this many days (a used or expired one offers to send a fresh one).
REPORTER_LINK_DAYS = env_int("REPORTER_LINK_DAYS", 7, minimum=1)
# How long the one-time link of a satisfaction callback (回访) answers it, in days.
CALLBACK_LINK_DAYS = env_int("CALLBACK_LINK_DAYS", 7, minimum=1)

REST_FRAMEWORK = {
    # Token first: an unauthenticated API call gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api_tokens.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested deeper than governance.inputs.MAX_JSON_DEPTH is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "governance.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.api.errors.api_exception_handler",
    # The API's limits are RATE_LIMITS (governance.api.throttles); DRF's own address lookup,
    # should anything use it, trusts the same proxies as governance.limits.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
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
        "IncidentKindEnum": "emergency.models.incident.IncidentKind",
        "IncidentLevelEnum": "emergency.models.incident.IncidentLevel",
        "IncidentStatusEnum": "emergency.models.incident.IncidentStatus",
        "IncidentEventKindEnum": "emergency.models.incident.IncidentEventKind",
        "RoleEnum": "governance.models.people.Role",
        "NoticeUrgencyEnum": "emergency.models.notice.Urgency",
        "UrgencyEnum": "governance.models.category.Urgency",  # the cases', named as before
    },
}

# --- Map: the tile server is a setting; boundaries are drawn from our own data regardless.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# --- What pages may load and use. No inline script or style anywhere (data for scripts goes in
# json_script blocks, htmx's own indicator style is in site.css); images also from the tile
# server. The Redoc page has a looser policy of its own (config.urls).
_tiles = urlsplit(MAP_TILE_URL)
_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}.', '*.')}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", _TILE_ORIGIN],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The location picker asks for the position; photos come from a file input (which needs no
# camera permission), so the camera stays off like everything else.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "accelerometer": [],
    "gyroscope": [],
    "magnetometer": [],
    "fullscreen": ["self"],
    "autoplay": [],
}

# --- The governance domain.
GOVERNANCE = {
    "WORKDAY_START": env_str("WORKDAY_START", "09:00"),
    "WORKDAY_END": env_str("WORKDAY_END", "17:00"),
    "REOPEN_WINDOW_DAYS": env_int("REOPEN_WINDOW_DAYS", 7, minimum=0),
    "ATTACHMENT_MAX_BYTES": env_int("ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024, minimum=1024),
    # Photos above this many pixels are refused from their header, before any decoding (a
    # 50 KB PNG can declare 72 million pixels); larger sides are scaled down when stored.
    "IMAGE_MAX_PIXELS": env_int("IMAGE_MAX_PIXELS", 24_000_000, minimum=1_000_000),
    "IMAGE_MAX_SIDE": env_int("IMAGE_MAX_SIDE", 4096, minimum=640),
    "GRID_INDEX_CHECK_SECONDS": 1.0,
    # Embedded run only (no REDIS_URL): the time-limit sweep in a thread of the web process.
    "EMBEDDED_SCHEDULER": env_bool("EMBEDDED_SCHEDULER", True),
    "SWEEP_SECONDS": env_int("SWEEP_SECONDS", 60, minimum=1),
}

# --- Limits.
# Requests per address, per signed-in account, per Open311 key, per reset target (e-mail), in
# fixed windows counted in the cache. Off only for load measurement (bench/).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMITS = {
    "filing": {  # /submit/ and POST /api/v1/cases/ by citizens
        "account": env_rate("LIMIT_FILING_PER_ACCOUNT", "30/hour"),
        "address": env_rate("LIMIT_FILING_PER_ADDRESS", "60/hour"),
    },
    "staff_filing": {  # /work/file/ and the API, by officers filing for callers or on patrol
        "account": env_rate("LIMIT_STAFF_FILING_PER_ACCOUNT", "300/hour"),
        "address": env_rate("LIMIT_STAFF_FILING_PER_ADDRESS", "1200/hour"),
    },
    "open311_post": {
        "api_key": env_rate("LIMIT_OPEN311_PER_KEY", "120/hour"),
        "address": env_rate("LIMIT_OPEN311_PER_ADDRESS", "240/hour"),
    },
    "signup": {"address": env_rate("LIMIT_SIGNUP_PER_ADDRESS", "10/hour")},
    # Codes typed on /accounts/signup/code/: each pending sign-up also allows 5 tries of its own.
    "signup_code": {"address": env_rate("LIMIT_SIGNUP_CODE_PER_ADDRESS", "30/hour")},
    "password_reset": {
        "address": env_rate("LIMIT_PASSWORD_RESET_PER_ADDRESS", "10/hour"),
        "target": env_rate("LIMIT_PASSWORD_RESET_PER_TARGET", "3/hour"),
    },
    "signin": {"address": env_rate("LIMIT_SIGNIN_PER_ADDRESS", "30/minute")},  # API token
    # Answers to emergency notices by personal token (POST /api/v1/emergency/answers/): a
    # roll-call of thousands behind one carrier's address must pass, a token hunt must not.
    "notice_answer": {"address": env_rate("LIMIT_NOTICE_ANSWER_PER_ADDRESS", "600/minute")},
    # Tracking ids typed on /track/: enough for a person, too slow to walk the id space.
    "tracking": {"address": env_rate("LIMIT_TRACKING_PER_ADDRESS", "30/hour")},
    # Fresh one-time links asked for a request (each goes to its reporter's contact).
    "reporter_link": {
        "address": env_rate("LIMIT_REPORTER_LINK_PER_ADDRESS", "10/hour"),
        "target": env_rate("LIMIT_REPORTER_LINK_PER_CASE", "3/hour"),
    },
    # Following a request or an area by e-mail: each sends a confirmation mail.
    "follow": {
        "address": env_rate("LIMIT_FOLLOW_PER_ADDRESS", "30/hour"),
        "target": env_rate("LIMIT_FOLLOW_PER_TARGET", "5/hour"),
    },
}
# Failed sign-ins (pages, admin, API token), by django-axes in the database (works with Redis
# down): after SIGNIN_FAILURE_LIMIT failures for one account (whichever of its username, phone
# or e-mail was typed), or SIGNIN_ADDRESS_FAILURE_LIMIT from one address, sign-in waits
# SIGNIN_COOLOFF_MINUTES (counted from the last failure).
AXES_HANDLER = "citizens.signin.SignInAttempts"
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "governance.limits.client_address"
AXES_USERNAME_CALLABLE = "citizens.signin.account_key"
AXES_LOCKOUT_CALLABLE = "citizens.signin.locked_out"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pikepdf: not its start-up line in every process; axes: failed sign-ins and lockouts are
    # warnings, every successful one need not be logged.
    "loggers": {"pikepdf": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
