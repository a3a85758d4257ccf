"""Cache hits answered in front of Django, with one cache round trip and no middleware run.

`CachedPages` wraps Django's WSGI application (newsroom/wsgi.py). For an anonymous reader's
GET or HEAD of a public page, with a Host that Django accepts, it reads the content version;
when this process holds the page made under that version (fetched once from the shared
cache), it sends it with the headers Django's whole middleware stack gave it (security
headers, CSP, Cache-Control, Vary, ETag…, never Set-Cookie), answers conditional requests
with 304 and fills the ad holes. Anything else, a miss or a cache error, goes to Django,
whose PageCacheMiddleware renders and offers the page back here to store with its headers.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.utils.cache import get_conditional_response

from delivery import holes
from delivery.pagecache import (
    LOOKUP,
    NOT_CACHEABLE_PREFIXES,
    OFFER,
    VERSION_KEY,
    address_key,
    content_version,
    page_address,
    read_version,
    reader_may_share,
    store_page,
)

logger = logging.getLogger(__name__)

# Pages kept in each process, for the current content version only.
LOCAL_PAGES = 500
# Headers a stored page is sent without: per response (Content-Length), per reader (cookies).
NOT_REPLAYED = {"set-cookie", "content-length"}
NOT_IN_304 = {"content-type", "content-length"}
# Request headers that make a request conditional (django.utils.cache.get_conditional_response).
CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class Page:
    """A cached page ready to send: its parts between the holes, its final headers, and the
    content version it was made under, with what its holes need under that version."""

    __slots__ = (
        "etag",
        "expires_at",
        "headers",
        "last_modified",
        "parts",
        "prefetched",
        "version",
    )

    def __init__(self, entry, prefetched):
        self.version = entry["version"]
        # As the shared copy: a scheduled story or an ad due sooner ends it early.
        self.expires_at = entry.get("expires_at", 0)
        self.parts = holes.split(entry["content"])
        self.headers = [tuple(header) for header in entry["wsgi_headers"]]
        self.etag = entry["etag"]
        self.last_modified = int(entry["rendered_at"])
        self.prefetched = prefetched


class CachedPages:
    """WSGI middleware: cached pages before `application` (Django), everything else through it."""

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()
        self.version = None
        self.pages = {}

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not settings.NEWSROOM_PAGE_CACHE:
            return self.application(environ, start_response)
        try:
            answer = self.answer(environ)
        except Exception:
            logger.exception("Page cache hit failed; Django serves the page")
            environ.pop(LOOKUP, None)
            answer = None
        if answer is None:
            return self.from_django(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, environ):
        """(status, headers, body) for a hit, or None to let Django answer."""
        if environ.get("PATH_INFO", "").startswith(NOT_CACHEABLE_PREFIXES):
            return None
        # A copy: WSGIRequest decodes PATH_INFO in place, and Django's own request must not
        # find it decoded already (a non-Latin path would no longer encode).
        request = WSGIRequest(environ.copy())
        if not reader_may_share(request):
            return None
        try:
            address = page_address(request)
        except DisallowedHost:
            return None  # Django answers 400 and logs it
        if settings.SECURE_SSL_REDIRECT and not address.startswith("https:"):
            return None  # SecurityMiddleware redirects it
        version = self.current_version()
        if version is None:
            environ[LOOKUP] = {"version": None, "entry": None, "prefetched": {}}
            return None
        page = self.pages.get(address)
        if page is None or page.version != version or page.expires_at <= time.time():
            page = self.fetch(environ, address, version)
            if page is None:
                return None
        request.newsroom_content_version = page.version
        request.newsroom_prefetched = page.prefetched
        if any(header in environ for header in CONDITIONAL):
            not_modified = get_conditional_response(
                request, etag=page.etag, last_modified=page.last_modified
            )
            if not_modified is not None:
                if not_modified.status_code != 304:
                    return None  # 412 and the like: Django's own answer
                headers = [(k, v) for k, v in page.headers if k.lower() not in NOT_IN_304]
                return "304 Not Modified", headers, b""
        if request.method == "HEAD":
            return "200 OK", page.headers, b""  # no ad shown, none counted
        body = holes.join(request, page.parts)
        return "200 OK", [*page.headers, ("Content-Length", str(len(body)))], body

    def current_version(self):
        """The content version: the one round trip of a hit."""
        try:
            version = read_version()
        except Exception:
            logger.exception("Page cache unreachable; serving from the database")
            return None
        return version or content_version()

    def fetch(self, environ, address, version):
        """The page and what its holes need, from the shared cache; None hands it to Django."""
        key = address_key(address)
        prefetch = holes.prefetch_keys()
        try:
            found = cache.get_many([VERSION_KEY, key, *prefetch])
        except Exception:
            logger.exception("Page cache unreachable; serving from the database")
            environ[LOOKUP] = {"version": None, "entry": None, "prefetched": {}}
            return None
        version = found.get(VERSION_KEY) or version
        entry = found.get(key)
        if entry is not None and entry.get("version") != version:
            entry = None
        prefetched = {name: found.get(name) for name in prefetch}
        environ[LOOKUP] = {"version": version, "entry": entry, "prefetched": prefetched}
        if entry is None or "wsgi_headers" not in entry or entry["status"] != 200:
            return None
        if holes.has_holes(entry["content"]) and not all(
            value is not None and value.get("version") == version for value in prefetched.values()
        ):
            return None  # Django renders the holes once and caches what they need
        page = Page(entry, prefetched)
        self.keep(address, page)
        return page

    def keep(self, address, page):
        """Pages of one content version at a time: a page of another version replaces them."""
        with self.lock:
            if page.version != self.version:
                self.version, self.pages = page.version, {}
            elif len(self.pages) >= LOCAL_PAGES:
                self.pages.pop(next(iter(self.pages)))
            self.pages[address] = page

    def from_django(self, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.application(environ, capture)
        offer = environ.pop(OFFER, None)
        if offer is not None and seen.get("status", "").startswith("200"):
            try:
                self.store(offer, seen["headers"])
            except Exception:
                logger.exception("Page cache unreachable; page not stored")
        return response

    def store(self, offer, headers):
        """Store the page Django rendered with the final headers it was sent with."""
        key, entry = offer
        replayed = [(k, v) for k, v in headers if k.lower() not in NOT_REPLAYED]
        policy = " ".join(v for k, v in replayed if k.lower() == "content-security-policy")
        if "'nonce-" in policy:
            # A nonce is for one response only; such a page goes through Django every time.
            logger.warning("%s has a CSP nonce; not served from the WSGI page cache", key)
            replayed = None
        if replayed is not None and entry.get("wsgi_headers") == replayed:
            return
        entry = dict(entry)
        if replayed is not None:
            entry["wsgi_headers"] = replayed
        store_page(key, entry)
