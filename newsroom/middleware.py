"""Project-wide middleware: the site's content security policy and database outages."""

import logging

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) should wait before trying again during a database outage.
RETRY_AFTER_SECONDS = 30


# Where a view sets a policy of its own (csp.decorators), on its response.
VIEW_POLICIES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# The site's policy and its report-only policy, each built once from the settings.
_SITE_POLICIES = {}


def site_policy(report_only):
    policy = _SITE_POLICIES.get(report_only)
    if policy is None:
        policy = _SITE_POLICIES[report_only] = build_policy(report_only=report_only)
    return policy


def _forget_site_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _SITE_POLICIES.clear()


setting_changed.connect(_forget_site_policies)


class SiteCSPMiddleware(CSPMiddleware):
    """The strict public policy everywhere; the desk's own policy under the admin.

    A public response with no policy of its view's and no nonce used gets the site's policy
    as built once: django-csp builds it for each response, about 60 µs of a page's CPU.
    """

    def process_response(self, request, response):
        if (
            request.path_info.startswith(settings.NEWSROOM_DESK_PATH_PREFIX)
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in VIEW_POLICIES)
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # as django-csp leaves Django's debug pages
        for header, report_only, exempt, setting in [
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ]:
            policy = site_policy(report_only)
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(excluded))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

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
