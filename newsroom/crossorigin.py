"""Readers' forms (a comment, the newsletter sign-up) are guarded by what the browser says
about where a form was sent from, not by a per-reader CSRF token.

A token would make every page that carries the form different for each reader, so no cache
(ours, nginx, a CDN) could share it. Every current browser sends Sec-Fetch-Site with a POST,
and Origin too; the rule is that of Go 1.25's CrossOriginProtection. The desk (/admin/)
keeps Django's CSRF tokens.
"""

import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def sent_from_our_site(request):
    """False when the browser says a request came from another site.

    Sec-Fetch-Site decides when the browser sends it ("none" is the reader's own address bar
    or bookmark). Otherwise Origin must name this host. With neither header the request is not
    from a browser (or from one too old to send them): no reader's cookies are being abused.
    """
    origin = request.headers.get("Origin")
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.get_host()


def readers_form(*, back, keep=None):
    """A view that takes a reader's form without a CSRF token, refusing cross-site posts.

    back(request, *args, **kwargs) gives the address of the form on our site; keep maps the
    fields to show again on the refusal page (name: label), so nothing typed is lost.
    """

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in SAFE_METHODS or sent_from_our_site(request):
                return view(request, *args, **kwargs)
            logger.warning(
                "Refused a cross-site %s to %s (Origin %r, Sec-Fetch-Site %r)",
                request.method,
                request.path,
                request.headers.get("Origin"),
                request.headers.get("Sec-Fetch-Site"),
            )
            kept = [
                (f"kept-{name}", label, request.POST.get(name, ""))
                for name, label in (keep or {}).items()
                if request.POST.get(name, "").strip()
            ]
            context = {"kept": kept, "back": back(request, *args, **kwargs)}
            return render(request, "cross_site_refused.html", context, status=403)

        return wrapper

    return decorator
