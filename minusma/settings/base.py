"""Settings shared by every environment. Everything that differs between machines
comes from the environment, with defaults that are safe rather than convenient."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_date_range(name: str, default: str) -> tuple[datetime.date, datetime.date]:
    """FIRST..LAST, two ISO 8601 dates, the first not after the last."""
    value = os.environ.get(name) or default
    try:
        first, last = (datetime.date.fromisoformat(part.strip()) for part in value.split(".."))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not FIRST..LAST, e.g. 1990-01-01..2100-12-31.") from None
    if first > last:
        raise ImproperlyConfigured(f"{name}={value!r} ends before it starts.")
    return first, last


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_countries",
    "simple_history",
    "import_export",
    "common",
    "articles",
    "actors",
    "events",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.api.cors.ReadOnlyCorsMiddleware",
    "common.middleware.RequestBoundsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# A request whose query string is longer, or has more parameters, is refused with a 400 before any view runs:
# enough for every filter and field a list offers, not for thousands of repeats.
MINUSMA_MAX_QUERY_STRING_LENGTH = env_int("MINUSMA_MAX_QUERY_STRING_LENGTH", 2048)
MINUSMA_MAX_QUERY_PARAMETERS = env_int("MINUSMA_MAX_QUERY_PARAMETERS", 64)

# Content-Security-Policy (django-csp): everything from this site, no inline script and no eval, so that injected
# markup cannot run. Style attributes are the one compromise (Leaflet's markers, the timeline's bars, the admin's
# apps set them); <style> elements and stylesheets from elsewhere stay refused. A view may widen its own policy
# with csp_update (the map's online tiles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Accounts exist for curators only, and they work in the admin.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Admin sign-in (django-axes): DJANGO_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address lock that
# pair out for DJANGO_LOGIN_LOCKOUT_MINUTES (each further try restarts the wait); other users, and the same user
# elsewhere, are not affected. A superuser lifts a lockout (Admin › Axes › Access attempts, or
# `manage.py axes_reset_username NAME`); the Curator and Editor groups have no permission on axes' records.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every management command
AXES_CLIENT_IP_CALLABLE = "common.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "minusma.views.login_locked_out"

ROOT_URLCONF = "minusma.urls"
WSGI_APPLICATION = "minusma.wsgi.application"

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
            ],
        },
    },
]

# SQLite serving several web workers at once: WAL lets readers go on beside the one writer; IMMEDIATE takes the
# write lock when a transaction begins, so one that read first never has to upgrade its lock (SQLite refuses that
# at once with "database is locked", whatever the timeout); the timeout (seconds) is how long a writer waits for
# the lock. synchronous=FULL keeps every committed transaction through a power cut.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20")),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
}


# PostgreSQL's JIT compiles a plan's expressions when its estimated cost is high: on this app's aggregates and counts
# over a million rows that took longer (about 1.8 s) than it saved; the session setting turns it off.
POSTGRESQL_OPTIONS = {"options": "-c jit=off"}


def for_concurrent_use(database: dict) -> dict:
    """The database's settings, with SQLITE_OPTIONS when it is an SQLite file (one in memory has no journal) and
    POSTGRESQL_OPTIONS on PostgreSQL (options given in DATABASE_URL come after, so they win)."""
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) not in ("", ":memory:"):
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    elif database["ENGINE"] == "django.db.backends.postgresql":
        options = database.get("OPTIONS", {})
        given = options.get("options", "")
        database["OPTIONS"] = {**options, "options": f"{POSTGRESQL_OPTIONS['options']} {given}".strip()}
    return database


# SQLite file inside the project unless DATABASE_URL names another database.
CONNECTION_OPTIONS = {"conn_max_age": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")), "conn_health_checks": True}
DATABASES = {
    "default": for_concurrent_use(
        dj_database_url.config(env="DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", **CONNECTION_OPTIONS)
    )
}

# Read replicas (PostgreSQL streaming replicas of the primary): DATABASE_REPLICA_URLS, comma-separated, become the
# aliases replica_1, replica_2, … and the router sends the reads of requests that only read to them
# (common/db_router.py). DATABASE_REPLICA_LAG_SECONDS is how far a replica may be behind: for that long after any
# write to the curated data, every request reads from the primary.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
for number, url in enumerate(DATABASE_REPLICA_URLS, start=1):
    replica = for_concurrent_use(dj_database_url.parse(url, **CONNECTION_OPTIONS))
    DATABASES[f"replica_{number}"] = {**replica, "TEST": {"MIRROR": "default"}}
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["common.db_router.PrimaryReplicaRouter"]
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REST_FRAMEWORK = {
    # Token first, so an anonymous write is told 401 with how to authenticate; sessions serve the browsable API.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "common.api.renderers.BrowsableAPIRenderer"],
    # Reads are public; writes need a staff account with the model permission (common/api/permissions.py).
    "DEFAULT_PERMISSION_CLASSES": ["common.api.permissions.StaffModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Writes are JSON only (the browsable API's form sends raw JSON too): one request format to document and check.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.api.negotiation.StrictContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.ApiSchema",
    # How many proxies of our own stand in front of the app: X-Forwarded-For is read only past them. 0 (the default)
    # means the client's address is REMOTE_ADDR, whatever headers it sends (minusma/throttling.py).
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttling.AnonRateThrottle",
        "common.throttling.UserRateThrottle",
    ],
    # Requests per second, minute, hour or day, per client address (anon) or per account (user). The website's heavy
    # views count in scopes of their own (minusma/throttling.py): pages generously, exports and feeds firmly.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("DJANGO_API_THROTTLE_USER", "1200/minute"),
        "web_page": os.environ.get("DJANGO_WEB_THROTTLE_PAGES", "60/minute"),
        "web_suggest": os.environ.get("DJANGO_WEB_THROTTLE_SUGGEST", "300/minute"),
        "web_export": os.environ.get("DJANGO_WEB_THROTTLE_EXPORTS", "60/hour"),
    },
}

# The dates a record may carry (FuzzyDate's date_from and date_to): a year outside it is a typo in this domain, and
# validation (admin, imports, API) refuses it; charts leave out, and count apart, any such date already stored.
MINUSMA_DATE_RANGE = env_date_range("MINUSMA_DATE_RANGE", "1990-01-01..2100-12-31")

# One API request may embed at most this many records with `expand` (records answered × relations expanded).
MINUSMA_API_EXPANSION_BUDGET = env_int("MINUSMA_API_EXPANSION_BUDGET", 1000)

# Milliseconds each facet of a web list may take to count (Datasette's facet_time_limit_ms, whose default this is);
# past it the facet is shown as timed out and the rest of the page is served.
MINUSMA_FACET_TIME_LIMIT_MS = env_int("MINUSMA_FACET_TIME_LIMIT_MS", 200)

# The cache holds the rate limits' counts, so every worker must share it: Redis when REDIS_URL is set, else a table
# in the database (`manage.py createcachetable`, which bin/run and docker compose run), so the default run shares it
# too. Enough entries that an address's count is never culled to make room for others.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "minusma_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Any site may read the API from a browser (GET, HEAD and their preflights); writes get no CORS headers, and no
# cookies are honoured cross-origin. ETag and Last-Modified are exposed for conditional requests.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Disposition"]

SPECTACULAR_SETTINGS = {
    "TITLE": "MINUSMA research database API",
    "DESCRIPTION": (
        "Articles, quotes, actors, contingents, strength observations, incidents, places and figures about the "
        "UN mission in Mali, each with the article and verbatim excerpt it comes from. Reads are public; writes "
        "need a curator's (staff) account with the model permission, and its token (`Authorization: Token …`) or "
        "a session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "actors.models.ActorKind",
        "RelationKindEnum": "actors.models.ActorRelation.Kind",
        "OutletKindEnum": "articles.models.Outlet.Kind",
        "PlaceKindEnum": "events.models.Place.Kind",
        "CountryEnum": "django_countries.countries",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}


def secret_key_from_env() -> str | None:
    return os.environ.get("DJANGO_SECRET_KEY") or None


# Curators' workbench: imports run in a transaction that a single bad row rolls back; only Editors
# (who may delete) may import, anyone who may view may export.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "delete"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A control character that XLSX cannot hold becomes U+FFFD in the file instead of failing the export. Formulae are
# escaped by the resources themselves (CuratedResource.export_resource), not by import-export's
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, which loses the “=” and turns every XLSX cell into text.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
SIMPLE_HISTORY_REVERT_DISABLED = False
