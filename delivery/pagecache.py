"""The rendered-page cache for anonymous readers.

Every cached page is stored under the current *content version*, one random token for the
whole site. Any change a reader could see (a story published, edited, withdrawn or corrected,
a comment approved, an ad changed) replaces the token, so every old page becomes unreachable at
once and nobody is served old text after the save returns. A cache that is down is treated as
a miss: the page is rendered from the database and the error is logged.
"""

import hashlib
import logging
import os
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from delivery import holes
from delivery.routers import public_reads

logger = logging.getLogger(__name__)

VERSION_KEY = "delivery:content-version"
# Set in the WSGI environ by delivery.wsgi.CachedPages: what it read from the cache (so Django
# does not read it again), and, set by the middleware, the page it should store.
LOOKUP = "newsroom.page_cache.lookup"
OFFER = "newsroom.page_cache.offer"
NOT_CACHEABLE_PREFIXES = ("/admin/", "/healthz", "/static/", "/media/")


def content_version(create=True):
    """The current content version, or None when the cache cannot be reached."""
    try:
        version = read_version()
        if version is None and create:
            cache.add(VERSION_KEY, new_version(), timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:
        logger.exception("Page cache unreachable; serving from the database")
        return None


def read_version():
    """cache.get(VERSION_KEY): on Redis, one GET on a connection kept by this thread."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return backend.get(VERSION_KEY)
    reader = getattr(backend, "newsroom_version_reader", None)
    if reader is None:
        reader = backend.newsroom_version_reader = VersionReader(backend)
    return reader()


class VersionReader:
    """The content version from Redis with the least work a round trip allows.

    Django's Redis backend builds a client object for every call and redis-py takes a pooled
    connection through its event and metrics hooks; on a hit that does little else that cost
    about three times the round trip. Here each thread keeps one connection of the backend's
    own pool (same server, options and serializer) and sends a GET packed once.
    """

    def __init__(self, backend):
        client = backend._cache  # noqa: SLF001 - the same pool and serializer as cache.get
        self.pool = client._get_connection_pool(write=False)  # noqa: SLF001
        self.loads = client._serializer.loads  # noqa: SLF001
        key = backend.make_and_validate_key(VERSION_KEY)
        self.command = None
        self.key = key
        self.local = threading.local()

    def __call__(self):
        connection = getattr(self.local, "connection", None)
        if connection is None or self.local.pid != os.getpid():
            connection = self.pool.make_connection()
            self.local.connection, self.local.pid = connection, os.getpid()
            self.command = self.command or connection.pack_command("GET", self.key)
        try:
            connection.send_packed_command(self.command, check_health=False)
            value = connection.read_response()
        except Exception:
            connection.disconnect()  # the next request connects afresh
            raise
        return None if value is None else self.loads(value)


def new_version():
    """A random token that also says when it was made (for the replica's lag)."""
    return f"{time.time():.3f}-{uuid.uuid4().hex}"


def version_age(version):
    try:
        return time.time() - float(version.split("-", 1)[0])
    except (AttributeError, ValueError):
        return 0.0


def bump_content_version():
    """Make every cached page stale. Returns False when the cache could not be reached.

    The moment of the next timed change (a scheduled story, an ad starting or ending) is
    looked up here, with the change that may have moved it, rather than by a reader's request.
    """
    version = new_version()
    try:
        cache.set(
            next_change_key(version),
            next_change_timestamp(),
            timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS,
        )
        cache.set(VERSION_KEY, version, timeout=None)
    except Exception:
        logger.exception("Page cache unreachable; could not invalidate cached pages")
        return False
    return True


def reader_may_share(request):
    """True for an anonymous reader's GET: no session (staff) and no flash messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(NOT_CACHEABLE_PREFIXES)
    )


def cache_public_page(view):
    """Mark a view's successful responses as the same for every anonymous reader."""

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response.newsroom_shared_page = True
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.__module__ = view.__module__
    return wrapper


def page_address(request):
    """The URL the reader asked for, as a page is cached under it."""
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def page_key(request):
    return address_key(page_address(request))


def address_key(address):
    return f"delivery:page:{hashlib.sha256(address.encode()).hexdigest()}"


def read_for_request(request, key):
    """One round trip for a hit: the content version, the page and what its holes need.

    A page (like the holes' data) carries the version it was made under, and counts only
    when that is still the current one. Returns (version, entry); both None when the cache
    is down.
    """
    looked = request.environ.get(LOOKUP)
    if looked is not None:  # read by the WSGI hit path for this very request
        version, entry, prefetched = looked["version"], looked["entry"], looked["prefetched"]
    else:
        prefetch = holes.prefetch_keys()
        try:
            found = cache.get_many([VERSION_KEY, key, *prefetch])
        except Exception:
            logger.exception("Page cache unreachable; serving from the database")
            return None, None
        version = found.get(VERSION_KEY) or content_version()
        prefetched = {name: found.get(name) for name in prefetch}
        entry = found.get(key)
    if version is None:
        return None, None
    request.newsroom_content_version = version
    request.newsroom_prefetched = prefetched
    if entry is None or entry.get("version") != version:
        return version, None
    return version, entry


class PageCacheMiddleware:
    """Serves cached pages to anonymous readers before auth, messages and the view run.

    Everything after it (users, messages, the view, templates, queries) is skipped on a hit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.NEWSROOM_PAGE_CACHE and reader_may_share(request)):
            response = personalize(request, self.get_response(request))
            if getattr(response, "newsroom_shared_page", False):
                patch_cache_control(response, private=True)
            return response
        key = page_key(request)
        version, entry = read_for_request(request, key)
        if entry is not None:
            if LOOKUP in request.environ and "wsgi_headers" not in entry:
                request.environ[OFFER] = (key, entry)
            return respond_from_cache(request, entry)
        token_used_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        if version and version_age(version) > settings.NEWSROOM_REPLICA_LAG_SECONDS:
            with public_reads():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if not getattr(response, "newsroom_shared_page", False):
            return personalize(request, response)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not token_used_before:
            # The page carries this reader's own CSRF token (csrf_input, {% csrf_token %}): never
            # share it. Readers' forms are guarded by newsroom.crossorigin instead.
            logger.warning("%s carries a CSRF token; not cached", request.path)
            response = personalize(request, response)
            patch_cache_control(response, private=True)
            return response
        entry = {
            "version": version,
            "status": response.status_code,
            "content": response.content,
            "headers": {
                name: value
                for name, value in response.items()
                if name.lower() not in {"set-cookie", "vary", "content-length"}
            },
            "rendered_at": time.time(),
        }
        entry["etag"] = '"{}"'.format(hashlib.sha256(entry["content"]).hexdigest()[:32])
        if version and LOOKUP in request.environ:
            # Stored by the WSGI hit path, with the headers the whole middleware stack adds.
            request.environ[OFFER] = (key, entry)
        elif version:
            try:
                store_page(key, entry)
            except Exception:
                logger.exception("Page cache unreachable; page not stored")
        return respond_from_cache(request, entry)


def next_change_key(version):
    return f"delivery:next-change:{version}"


def next_change_timestamp():
    """When the next timed change is due, as a Unix time; 0 when none is scheduled."""
    from delivery.schedule import next_timed_change

    moment = next_timed_change()
    return moment.timestamp() if moment else 0


def page_timeout(version):
    """Seconds a page may stay cached: the setting, or less when a timed change is due."""
    limit = settings.NEWSROOM_PAGE_CACHE_SECONDS
    key = next_change_key(version)
    due = cache_get(key)
    if due is None or 0 < due <= time.time():
        due = next_change_timestamp()
        cache_set(key, due, timeout=limit)
    if not due:
        return limit
    return max(1, min(limit, int(due - time.time()) + 1))


def store_page(key, entry):
    """Store a page for as long as it may be served (see page_timeout); raises when the
    cache is down. The moment is kept in the entry for copies held outside the cache."""
    timeout = page_timeout(entry["version"])
    entry["expires_at"] = time.time() + timeout
    cache.set(key, entry, timeout=timeout)


def cache_get(key):
    try:
        return cache.get(key)
    except Exception:
        logger.exception("Page cache unreachable; serving from the database")
        return None


def cache_set(key, value, timeout):
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.exception("Page cache unreachable; page not stored")


def respond_from_cache(request, entry):
    last_modified = int(entry["rendered_at"])
    response = HttpResponse(entry["content"], status=entry["status"], headers=entry["headers"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(last_modified)
    set_shared_cache_headers(response)
    not_modified = get_conditional_response(
        request, etag=entry["etag"], last_modified=last_modified, response=response
    )
    if not_modified is not response:
        return not_modified  # the reader's copy stands; no ad is shown, so none is counted
    return personalize(request, response)


def set_shared_cache_headers(response):
    """The same page for every anonymous reader: fit for shared caches (nginx, a CDN)."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        must_revalidate=True,
        s_maxage=settings.NEWSROOM_SHARED_CACHE_SECONDS,
    )
    # Readers with a session or a message get another page.
    patch_vary_headers(response, ["Cookie"])


def personalize(request, response):
    """Fill the page's per-response holes (ads)."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    response.content = holes.fill(request, response.content)
    return response
