"""Project-wide middleware: the site's content security policy and database outages."""

import logging

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) should wait before trying again during a database outage.
RETRY_AFTER_SECONDS = 30


class SiteCSPMiddleware(CSPMiddleware):
    """The strict public policy everywhere; the desk's own policy under the admin."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        is_desk = request.path_info.startswith(settings.NEWSROOM_DESK_PATH_PREFIX)
        if is_desk and not report_only and parts.config is None:
            parts.config = settings.NEWSROOM_DESK_CSP
        return parts


class DatabaseUnavailableMiddleware:
    """A lost database is an outage, not a bug: a styled 503 with Retry-After and no trace.

    The next request opens a new connection (Django drops unusable ones at request end), so
    the site recovers by itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        # Rendered without the request: context processors would query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
