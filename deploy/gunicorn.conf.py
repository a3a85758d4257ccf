"""gunicorn for Newsroom: `gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi`.

Every value comes from the environment, with defaults for a small production machine.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Without Redis each process would keep its own page cache and content version, and a
# change saved through one process would not reach the others: use one process with threads.
_shared_cache = bool(os.environ.get("REDIS_URL"))
workers = int(
    os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1 if _shared_cache else 1)
)
threads = int(os.environ.get("GUNICORN_THREADS", "2" if _shared_cache else "8"))
worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
preload_app = True
# Only a proxy on this machine may say which scheme and client address a request came from.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's control socket lives at one path per user; several sites on one machine would
# fight over it, and nothing here uses it.
control_socket_disable = True
