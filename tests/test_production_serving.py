"""The site under gunicorn with production settings: hashed, compressed static files."""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from dev import app_server_command
from tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PORT = free_port()


@pytest.fixture(params=["granian", "gunicorn"])
def production_site(request, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-serving-test-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "NEWSROOM_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "1",
        "NEWSROOM_APP_SERVER": request.param,
    }
    env.pop("REDIS_URL", None)
    for command in (["collectstatic", "--no-input", "-v", "0"], ["migrate", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        app_server_command(env, PORT),
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(PORT, timeout=30)
        yield f"http://127.0.0.1:{PORT}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_app_server_serves_the_site_with_hashed_compressed_static_files(production_site):
    with urllib.request.urlopen(f"{production_site}/healthz") as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{production_site}/") as response:
        page = response.read().decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
    request = urllib.request.Request(
        production_site + stylesheet, headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
