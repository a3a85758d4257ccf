"""Throwaway servers for tests and load runs: a PostgreSQL cluster, a Redis server and gunicorn,
each on a free port of its own and stopped at will; never the shared PostgreSQL or Redis.
Also a pytest plugin (tests/conftest.py) giving the `own_redis` fixture."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    """A port nothing listens on now. Fixed ports collide when the suite runs in several
    checkouts at once; the shared Redis (6379) and PostgreSQL (5432) are never used."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin():
    """The directory of PostgreSQL's server programs, or None when they are not installed."""
    candidates = Path("/usr/lib/postgresql").glob("*/bin")
    candidates = sorted(
        candidates, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    if candidates:
        return candidates[-1]
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def wait_until(check, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_port(port, timeout=10):
    if not wait_until(lambda: port_answers(port), timeout=timeout, interval=0.05):
        raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class ThrowawayPostgres:
    """initdb + pg_ctl in a temporary directory, trust auth on 127.0.0.1:port."""

    def __init__(self, port):
        self.port = port
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        self.data = self.dir / "data"
        # initdb refuses to run as root: the cluster then belongs to the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, user="postgres")

    def _run(self, *args):
        subprocess.run(
            [*self.as_user, *map(str, args)], check=True, capture_output=True, cwd=self.dir
        )

    def create(self):
        self._run(
            self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8"
        )
        self.start()
        return self

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            self.bin / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.dir / "log",
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self):
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name):
        self._run(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)


class ThrowawayRedis:
    """redis-server on a free port (or `port`), without persistence; `stop()` kills it."""

    def __init__(self, port=None, directory=None):
        self.port = port or free_port()
        self.dir = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", *(["--dir", str(self.dir)] if self.dir else [])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self.answers, timeout=10, interval=0.05):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path, settings):
    """A Redis of our own as the default cache; `own_redis.stop()` kills it mid-test."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis = ThrowawayRedis(directory=tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield redis
    redis.stop()


def production_env(tmp, database_url, redis_url="", **extra):
    """The environment of a production process on plain HTTP, on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="throwaway-secret-for-fault-and-load-tests-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        NEWSROOM_VAR_DIR=str(tmp),
        STATIC_ROOT=str(Path(tmp) / "static"),
        MEDIA_ROOT=str(Path(tmp) / "media"),
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Gunicorn:
    def __init__(self, port, env, workers=2, threads=1):
        self.port, self.env, self.workers, self.threads = port, env, workers, threads
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads), "--timeout", "60"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        if not wait_until(self._answers, timeout=60):
            self.stop()
            raise RuntimeError("gunicorn did not start")
        return self

    def _answers(self):
        try:
            urllib.request.urlopen(self.url + "/robots.txt", timeout=2)  # noqa: S310 - loopback
        except urllib.error.HTTPError:
            return True  # it answered
        except OSError:
            return False
        return True

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


class _CommentForm(HTMLParser):
    """The comment form's action and fields (hidden ones included) from an article page."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self._inside, self._textarea = None, {}, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "/comments/" in (attrs.get("action") or ""):
            self.action, self._inside = attrs["action"], True
        elif self._inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in {"submit", "button", "checkbox"}:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._inside and tag == "textarea":
            self._textarea = attrs.get("name")
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


def comment_form(page):
    """(action, fields) of the article page's comment form, fields as the browser would send."""
    parser = _CommentForm()
    parser.feed(page)
    parser.close()
    return parser.action, parser.fields
