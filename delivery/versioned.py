"""Small site-wide data (the navigation, the ads that may show) kept in each process for as
long as the content version stands, so that pages the page cache does not serve, or that it
renders afresh, do not query them on every request.

Any change a reader could see replaces the content version (delivery.invalidation), so a kept
value is never older than the pages cached with it. When the cache cannot be reached there is
no version, and the value is read from the database every time.
"""

import time

from django.conf import settings

from delivery.pagecache import content_version, reader_may_share

_UNREAD = object()
# After the cache failed to answer, this process reads from the database alone for this long
# rather than wait on the cache again for every request.
CACHE_RETRY_SECONDS = 5
_cache_down_until = 0.0


def request_version(request):
    """The content version for this request: read from the cache at most once per request.

    The page cache leaves the version it read on the request (none when it could not read it);
    otherwise it is read here.
    """
    global _cache_down_until
    if request is not None:
        version = getattr(request, "newsroom_content_version", _UNREAD)
        if version is not _UNREAD:
            return version
        if settings.NEWSROOM_PAGE_CACHE and reader_may_share(request):
            return None  # the page cache tried, and the cache did not answer
    if time.monotonic() < _cache_down_until:
        version = None
    else:
        version = content_version()
        if version is None:
            _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    if request is not None:
        request.newsroom_content_version = version
    return version


class PerVersion:
    """A value made by `make()` once per content version in this process."""

    def __init__(self, make):
        self.make = make
        self.kept = (None, None)  # (version, value), replaced whole: safe across threads

    def get(self, request):
        version = request_version(request)
        if version is None:
            return self.make()
        kept_version, value = self.kept
        if kept_version != version:
            value = self.make()
            self.kept = (version, value)
        return value
