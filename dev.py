#!/usr/bin/env python3
"""Set up and run Newsroom with nothing but Python 3.10+.

python3 dev.py serve   # virtualenv, requirements, migrate, demo content, development server
python3 dev.py test    # virtualenv, requirements, the whole test suite
                       # (further arguments go to pytest, e.g. -k workflow)
python3 dev.py prod    # production settings on loopback: collectstatic, migrate, granian
"""

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_LOGINS = [("reporter", "reporter-demo-2026"), ("editor", "editor-demo-2026")]


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def setup(requirements):
    if sys.version_info < (3, 10):  # noqa: UP036 - this script may be started by an old Python
        sys.exit(f"Newsroom needs Python 3.10 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    # Reinstall only when the requirement files change.
    files = sorted(ROOT.glob("requirements*.txt"))
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if not stamp.exists() or stamp.read_text() != digest:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / requirements)
        stamp.write_text(digest)
    (ROOT / "var").mkdir(exist_ok=True)


def serve(args):
    setup("requirements.txt")
    port = args[0] if args else os.environ.get("PORT", "8000")
    run(PYTHON, "manage.py", "migrate", "--no-input")
    run(PYTHON, "manage.py", "load_demo")
    print(
        f"\nNewsroom is running at http://127.0.0.1:{port}/\n"
        f"The desk (admin):        http://127.0.0.1:{port}/admin/\n"
        "Demo logins (development only):\n"
        + "".join(f"  {user:<9} password {password}\n" for user, password in DEMO_LOGINS)
        + "Press Ctrl+C to stop.\n",
        flush=True,
    )
    os.execv(  # noqa: S606 - replaces this process with the development server
        PYTHON, [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{port}"]
    )


def test(args):
    setup("requirements-dev.txt")
    result = subprocess.run([str(PYTHON), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


def production_environment(port):
    """DJANGO_DEBUG=0 over plain HTTP on loopback; anything already set in the environment wins."""
    key_file = ROOT / "var" / "production-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    defaults = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": key_file.read_text().strip(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to https, cookies without Secure, no HSTS.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    return {**defaults, **os.environ}


def prod(args):
    setup("requirements.txt")
    port = args[0] if args else os.environ.get("PORT", "8000")
    env = production_environment(port)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0", env=env)
    run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    run(PYTHON, "manage.py", "load_demo", env=env)
    print(
        f"\nNewsroom (production settings) is running at http://127.0.0.1:{port}/\n"
        f"Health: http://127.0.0.1:{port}/healthz   Press Ctrl+C to stop.\n",
        flush=True,
    )
    command = app_server_command(env, port)
    os.execve(command[0], [str(part) for part in command], env)  # noqa: S606 - the app server


def app_server_command(env, port):
    """granian, which served cached pages faster than gunicorn in bench/run.py; gunicorn with
    deploy/gunicorn.conf.py when NEWSROOM_APP_SERVER=gunicorn."""
    if env.get("NEWSROOM_APP_SERVER", "granian") == "gunicorn":
        return [BIN / "gunicorn", "-c", ROOT / "deploy" / "gunicorn.conf.py", "newsroom.wsgi"]
    # Without Redis each process would keep its own page cache, and a change saved through
    # one would not reach the others: one process with threads then.
    # With Redis, one process per core: granian waits on sockets outside Python, and more
    # processes only cost more CPU per page (bench/run.py on 2 cores: a cached hit 316 us of
    # CPU with 2 processes, 411 us with 5; an uncached page 57 ms against 79 ms).
    shared_cache = bool(env.get("REDIS_URL"))
    workers = env.get("GRANIAN_WORKERS") or str((os.cpu_count() or 1) if shared_cache else 1)
    threads = env.get("GRANIAN_BLOCKING_THREADS") or ("1" if shared_cache else "8")
    return [
        BIN / "granian",
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", workers,
        "--blocking-threads", threads,
        "--respawn-failed-workers",
        "--no-ws",
        "newsroom.wsgi:application",
    ]  # fmt: skip


COMMANDS = {"serve": serve, "test": test, "prod": prod}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    os.chdir(ROOT)
    COMMANDS[sys.argv[1]](sys.argv[2:])
