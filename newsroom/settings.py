"""Newsroom settings: one module, driven by environment variables.

Development defaults are safe and need nothing (SQLite under var/, local-memory cache,
console email). With DJANGO_DEBUG=0 the production rules apply and missing secrets fail loudly.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "development-only-insecure-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "articles.admin_site.DeskAdminConfig",  # django.contrib.admin, with the desk's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "taggit",
    "csp",
    "axes",
    "reversion",  # revision history of stories (issue #6)
    "articles",
    "ads",
    "delivery",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.SiteCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Serves cached pages to anonymous readers; everything below it is skipped on a hit.
    "delivery.pagecache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
]

# Django's default (FallbackStorage), without making a cookie signer on every request.
MESSAGE_STORAGE = "newsroom.messages.MessageStorage"

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        # The reader's pages (newsroom/templating.py).
        "BACKEND": "newsroom.templating.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.templating.environment",
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
    {
        # The desk (admin), emails, feeds and sitemaps.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}


def postgres_options(database):
    """Connection options for a PostgreSQL database of the site."""
    if "postgresql" in database["ENGINE"]:
        if database["ENGINE"] == "django.db.backends.postgresql":
            # Django's, with the health check done by a request's first read (its module).
            database["ENGINE"] = "newsroom.postgresql"
        # No JIT: the site runs many small queries, and PostgreSQL's cost estimates at 100k
        # stories tipped pages into JIT compiling that took over a second per query.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        # A news site's working set is held in memory, where an index lookup costs little more
        # than reading the next page: priced as a disk read (PostgreSQL's default, 4) the planner
        # scanned a whole table of authors or tags for each byline and tag of a page, a fifth
        # of its CPU for an article page. Empty leaves it to the server's own setting.
        cost = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")
        if cost:
            options["options"] += f" -c random_page_cost={float(cost)}"
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters sent apart from the SQL, and a query run a few times on a connection
            # prepared there: PostgreSQL stops parsing and planning the page's queries again,
            # half of its CPU for an article page. Off behind a transaction-pooling proxy that
            # cannot keep prepared statements (PgBouncer before 1.21).
            options["server_side_binding"] = True
            options["prepare_threshold"] = 3
    return database


postgres_options(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # so `manage.py migrate` works on a fresh clone
    # SQLite serves the embedded default; WAL lets readers go on while the desk writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            # A Redis that hangs must not hang every page: give up quickly, serve from the DB.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this are refused before Pillow sees them.
NEWSROOM_MAX_IMAGE_BYTES = int(os.environ.get("NEWSROOM_MAX_IMAGE_BYTES", 10 * 1024 * 1024))
NEWSROOM_MAX_IMAGE_PIXELS = int(os.environ.get("NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Newsroom admins", a) for a in env_list("DJANGO_ADMINS", [])]

# Ads and newsletter (#5). Ad impressions are counted in the cache and written to the
# database once an ad has this many pending (and by `manage.py flush_ad_impressions`).
ADS_IMPRESSIONS_FLUSH_EVERY = int(os.environ.get("NEWSROOM_ADS_IMPRESSIONS_FLUSH_EVERY", "50"))
# Busy sites: count showings in each process and add them to the cache counters at most once
# per this many seconds (delivery, #7); 0 counts every showing at once.
ADS_IMPRESSIONS_BUFFER_SECONDS = float(
    os.environ.get("NEWSROOM_ADS_IMPRESSIONS_BUFFER_SECONDS", "0")
)
# The subscribe form takes this many requests per window (seconds) from one IP address, and
# one address gets at most one confirmation email per interval, however often it is entered.
NEWSLETTER_SUBSCRIBE_LIMIT = int(os.environ.get("NEWSROOM_NEWSLETTER_SUBSCRIBE_LIMIT", "5"))
NEWSLETTER_SUBSCRIBE_WINDOW = int(os.environ.get("NEWSROOM_NEWSLETTER_SUBSCRIBE_WINDOW", "600"))
NEWSLETTER_EMAIL_INTERVAL = int(os.environ.get("NEWSROOM_NEWSLETTER_EMAIL_INTERVAL", "600"))
# The public address, for links in emails sent by `manage.py send_newsletter`.
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000")

NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")

# Desk tools (issue #6): how long a soft edit lock lives without a heartbeat from the open
# form, and how long a preview link works unless revoked sooner.
NEWSROOM_EDIT_LOCK_SECONDS = int(os.environ.get("NEWSROOM_EDIT_LOCK_SECONDS", 5 * 60))
NEWSROOM_PREVIEW_HOURS = int(os.environ.get("NEWSROOM_PREVIEW_HOURS", 48))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_SSL_REDIRECT:
        # Turned off on purpose: plain HTTP on loopback, or a proxy that already redirects.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Rich text: what the editor may produce is exactly what the sanitizer lets through.
PROSE_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Image": True,
    "Caption": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "HardBreak": True,
    "History": True,
    "HTML": True,
}

# Comments (issue #4): spam defence, trust, closing and moderation.
# A commenter whose email has this many approved comments is approved at once (0: never).
NEWSROOM_COMMENTS_TRUSTED_AFTER = int(os.environ.get("NEWSROOM_COMMENTS_TRUSTED_AFTER", "2"))
# Stories stop taking comments this many days after first publication (0: never close).
NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS", "30"))
# A form sent back sooner than this after it was served was not typed by a person.
NEWSROOM_COMMENTS_MIN_SECONDS = int(os.environ.get("NEWSROOM_COMMENTS_MIN_SECONDS", "3"))
# A form older than this is refused with the text kept, and the reader sends it again.
NEWSROOM_COMMENTS_FORM_MAX_AGE = int(os.environ.get("NEWSROOM_COMMENTS_FORM_MAX_AGE", "86400"))
# Per IP address (counted in the cache): at most this many comments in this many seconds.
NEWSROOM_COMMENTS_RATE_LIMIT = int(os.environ.get("NEWSROOM_COMMENTS_RATE_LIMIT", "5"))
NEWSROOM_COMMENTS_RATE_WINDOW = int(os.environ.get("NEWSROOM_COMMENTS_RATE_WINDOW", "600"))
# A story page shows this many comment threads, the newest; older ones are on further pages.
NEWSROOM_COMMENTS_THREADS_PER_PAGE = int(os.environ.get("NEWSROOM_COMMENTS_THREADS_PER_PAGE", "50"))
# More links than this in one comment hold it for moderation.
NEWSROOM_COMMENTS_MAX_LINKS = int(os.environ.get("NEWSROOM_COMMENTS_MAX_LINKS", "2"))
# The request header with the reader's address; behind a proxy e.g. HTTP_X_REAL_IP.
NEWSROOM_COMMENTS_IP_HEADER = os.environ.get("NEWSROOM_COMMENTS_IP_HEADER", "REMOTE_ADDR")
# Key of the salted hashes of IP addresses and banned emails (default: the secret key).
NEWSROOM_COMMENTS_HASH_SECRET = os.environ.get("NEWSROOM_COMMENTS_HASH_SECRET", "")
# Moderators hear of waiting comments "immediate"ly, in a "digest" (manage.py
# send_comment_digest, from cron), or "off".
NEWSROOM_COMMENTS_NOTIFY = os.environ.get("NEWSROOM_COMMENTS_NOTIFY", "immediate")
if NEWSROOM_COMMENTS_NOTIFY not in {"immediate", "digest", "off"}:
    raise ImproperlyConfigured("NEWSROOM_COMMENTS_NOTIFY must be immediate, digest or off.")
# Where moderators' emails link to (the desk's own address).
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Delivery (issue #7): the page cache, shared caches, the CDN purge hook and the replica.
NEWSROOM_PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", True)
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "300"))
# s-maxage for shared caches (nginx, a CDN); changed stories are purged sooner through the hook.
NEWSROOM_SHARED_CACHE_SECONDS = int(os.environ.get("NEWSROOM_SHARED_CACHE_SECONDS", "60"))
# e.g. "http://127.0.0.1:8080{path}" with method GET for deploy/nginx.conf; empty: no purge.
NEWSROOM_CDN_PURGE_URL = os.environ.get("NEWSROOM_CDN_PURGE_URL", "")
NEWSROOM_CDN_PURGE_METHOD = os.environ.get("NEWSROOM_CDN_PURGE_METHOD", "PURGE")
NEWSROOM_CDN_PURGE_TIMEOUT = float(os.environ.get("NEWSROOM_CDN_PURGE_TIMEOUT", "2"))
# A PostgreSQL replica for anonymous readers' pages (delivery/routers.py); the desk and all
# writes use the primary. Readers use the primary too for this long after any change.
DATABASE_ROUTERS = ["delivery.routers.ReplicaRouter"]
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = postgres_options(
        dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Uploaded media on S3-compatible storage (AWS S3, MinIO, Ceph, R2…) through django-storages,
# so that any app server can serve any upload. Static files stay with WhiteNoise.
if os.environ.get("NEWSROOM_MEDIA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["NEWSROOM_MEDIA_S3_BUCKET"],
            "endpoint_url": os.environ.get("NEWSROOM_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("NEWSROOM_MEDIA_S3_REGION") or None,
            # Public media URLs (a CDN domain in front of the bucket), never signed URLs
            # in cached pages, and uploads never overwrite one another.
            "custom_domain": os.environ.get("NEWSROOM_MEDIA_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "location": os.environ.get("NEWSROOM_MEDIA_S3_PREFIX", "media"),
        },
    }
NEWSROOM_REPLICA_LAG_SECONDS = float(os.environ.get("NEWSROOM_REPLICA_LAG_SECONDS", "5"))
if NEWSROOM_CDN_PURGE_URL and not NEWSROOM_CDN_PURGE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("NEWSROOM_CDN_PURGE_URL must be an http:// or https:// URL.")

# Security (issue #8): content security policy, browser permissions, login lockout.
# Public pages run no inline script or style at all; the desk (/admin/) admits the editor's
# import map by a per-request nonce and its one injected stylesheet by hash.
_CSP_COMMON = {
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
    "upgrade-insecure-requests": not DEBUG,
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_COMMON}
NEWSROOM_DESK_CSP = {
    **_CSP_COMMON,
    "script-src": ["'self'", NONCE],
    # The editor (Tiptap) injects one fixed <style> element; its hash admits exactly that.
    "style-src": ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    "img-src": ["'self'", "data:", "blob:"],
}
NEWSROOM_DESK_PATH_PREFIX = "/admin/"
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "usb", "xr-spatial-tracking",
    ]
}  # fmt: skip
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username from one address after this many failures; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NEWSROOM_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
