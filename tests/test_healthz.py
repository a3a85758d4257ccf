"""/healthz for load balancers: database and cache status as JSON."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_dead_cache_degrades_but_keeps_the_server_in_the_pool(client, own_redis):
    assert client.get("/healthz").json()["cache"] == "ok"
    own_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["cache"].startswith("error")


def test_a_dead_database_is_a_503():
    # A real fault: a PostgreSQL URL on a port of ours where nothing listens.
    script = (
        "from django.test import Client; r = Client().get('/healthz'); "
        "print(r.status_code, r.json()['status'], r.json()['database'][:5])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing",
        "DJANGO_LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["503", "down", "error"], result.stderr
