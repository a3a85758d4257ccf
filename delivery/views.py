import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    probe = f"healthz:{uuid.uuid4().hex}"
    cache.set(probe, "ok", timeout=5)
    if cache.get(probe) != "ok":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(probe)


@never_cache
def healthz(request):
    """For load balancers: 503 when the database is down; a dead cache only degrades pages."""
    report = {}
    for name, check in (("database", check_database), ("cache", check_cache)):
        try:
            check()
        except Exception as error:
            logger.exception("Health check failed: %s", name)
            report[name] = f"error: {type(error).__name__}"
        else:
            report[name] = "ok"
    if report["database"] != "ok":
        status = "down"
    elif report["cache"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **report}, status=503 if status == "down" else 200)
