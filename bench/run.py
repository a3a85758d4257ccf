#!/usr/bin/env python3
"""Benchmark the article page: uncached, cached through the app server, behind deploy/nginx.conf,
each beside nginx serving a saved static copy of the same page, on this machine.

python3 bench/run.py                       # PostgreSQL database newsroom_bench, 2,000 stories
python3 bench/run.py --articles 100000 --comments 1000000 --database-url postgres://...

It starts its own Redis, app server and nginx on ports 8770-8777 and stops them at the end;
the shared PostgreSQL is used only for the named database. Needs wrk, nginx and redis-server
(Debian packages). Prints requests/s, p50/p99 latency and the ratio to static nginx.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
sys.path.insert(0, str(ROOT))
from dev import app_server_command  # noqa: E402 - the command `dev.py prod` runs

PORTS = {"redis": 8777, "app": 8771, "static": 8772, "proxy": 8773}


def wait_for_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def wait_until_closed(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(0.1)
        except OSError:
            return


class Bench:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.processes = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
            "STATIC_ROOT": str(tmp / "static"),
            "NEWSROOM_VAR_DIR": str(tmp),
            # As a busy site would run: ad showings added to Redis once a second per process.
            "NEWSROOM_ADS_IMPRESSIONS_BUFFER_SECONDS": "1",
        }

    def manage(self, *args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def start(self, command, port, env=None, **kwargs):
        process = subprocess.Popen(
            command,
            cwd=kwargs.pop("cwd", ROOT),
            env=env or self.env,
            start_new_session=True,  # its own process group, so end() can stop its workers
            **kwargs,
        )
        self.processes.append(process)
        wait_for_port(port)
        return process

    def stop(self, process, port):
        end(process)
        self.processes.remove(process)
        wait_until_closed(port)

    def stop_all(self):
        for process in reversed(self.processes):
            end(process)

    def prepare(self):
        self.redis = self.start(
            [
                "redis-server",
                "--port",
                str(PORTS["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            PORTS["redis"],
            stdout=subprocess.DEVNULL,
        )
        create_database(self.args.database_url)
        self.manage("migrate", "--no-input", "-v", "0")
        loaded = subprocess.run(
            [PYTHON, "manage.py", "load_demo"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.path = re.search(r"(/articles/\d+/[\w-]+/)", loaded).group(1)
        self.manage("collectstatic", "--no-input", "-v", "0")
        have = int(
            subprocess.run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "--no-imports",
                    "-c",
                    "from articles.models import Article; print(Article.objects.count())",
                ],
                cwd=ROOT,
                env=self.env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        if have < self.args.articles:
            self.manage(
                "generate_news",
                "--articles",
                str(self.args.articles - have),
                "--comments",
                str(self.args.comments),
            )
        # Planner statistics as a live database has them, for data filled before generate_news
        # made them (autovacuum may be off): without them the page's queries cost 6x the CPU.
        self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from newsroom.dbstats import analyze; analyze()",
        )

    def app_server(self, name, **env):
        env = {**self.env, **env}
        bind = f"127.0.0.1:{PORTS['app']}"
        # As deployed: dev.py's granian command, deploy/gunicorn.conf.py for gunicorn.
        if self.args.workers:
            env.update(
                GRANIAN_WORKERS=str(self.args.workers), GUNICORN_WORKERS=str(self.args.workers)
            )
        if self.args.threads:
            env.update(
                GRANIAN_BLOCKING_THREADS=str(self.args.threads),
                GUNICORN_THREADS=str(self.args.threads),
            )
        if name == "granian":
            env["GRANIAN_LOG_LEVEL"] = "warning"
            command = app_server_command(env, PORTS["app"])
        else:
            env.update(GUNICORN_BIND=bind, GUNICORN_LOG_LEVEL="warning")
            command = [
                ROOT / ".venv" / "bin" / "gunicorn",
                "-c",
                ROOT / "deploy" / "gunicorn.conf.py",
                "newsroom.wsgi",
            ]
        return self.start(command, PORTS["app"], env=env)

    def nginx(self, name, site):
        folder = self.tmp / f"nginx-{name}"
        folder.mkdir(exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    # As Debian's own nginx.conf: files (the static copy, cached pages) go out by sendfile.
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    {site}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        return [nginx, "-c", folder / "nginx.conf", "-p", folder]

    def static_nginx(self, page):
        (self.tmp / "copy").mkdir(exist_ok=True)
        (self.tmp / "copy" / "article.html").write_bytes(page)
        site = f"""
    server {{
        listen 127.0.0.1:{PORTS["static"]};
        location / {{ root {self.tmp / "copy"}; try_files /article.html =404;
                     default_type "text/html; charset=utf-8"; }}
    }}"""
        return self.start(self.nginx("static", site), PORTS["static"])

    def proxy_nginx(self):
        site = (
            (ROOT / "deploy" / "nginx.conf")
            .read_text()
            .replace("listen 80;", f"listen 127.0.0.1:{PORTS['proxy']};")
            .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{PORTS['app']};")
            .replace("/var/cache/nginx/newsroom", str(self.tmp / "proxy-cache"))
        )
        return self.start(self.nginx("proxy", site), PORTS["proxy"])


def create_database(url):
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def group_cpu_seconds(groups):
    """CPU time (user + system) used so far by the processes of these process groups."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) in groups:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url, seconds, connections, *headers, servers=()):
    """wrk's figures, with the CPU time the servers (processes started by Bench.start, each
    its own process group) spent per request: less sensitive than requests/s to other work."""
    groups = {server.pid for server in servers}
    cpu_before = group_cpu_seconds(groups)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
        + [part for header in headers for part in ("-H", header)]
        + [url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors while loading {url}:\n{output}")

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    cpu_us = (group_cpu_seconds(groups) - cpu_before) / max(requests, 1) * 1e6
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "cpu_us": cpu_us}


def end(process):
    """Stop a server and its workers; kill the group if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def fetch(url, timeout=180):
    """The page, once the server answers it (workers may still be starting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main():
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        if not PYTHON.exists():
            sys.exit("Run `python3 dev.py test --collect-only -q` once to make .venv.")
        os.execv(PYTHON, [str(PYTHON), __file__, *sys.argv[1:]])  # noqa: S606 - our venv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench"
        ),
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, help="app server processes (default: as deployed with Redis)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per app server process (default: as deployed)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternate static nginx and each row this often"
    )
    parser.add_argument(
        "--servers",
        default="granian,gunicorn",
        help="app servers to compare; the first also serves the static copy and the proxy",
    )
    parser.add_argument(
        "--rows",
        default="uncached,cached,proxy",
        help="which rows to measure: uncached, cached (page cache in Redis), proxy (nginx)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install {tool}")

    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        try:
            bench.prepare()
            rows = run_all(bench, args)
        finally:
            bench.stop_all()
    print_table(rows)


def run_all(bench, args):
    """Rows of (name, result, static nginx measured alternately with it).

    On a machine shared with other work the load changes from minute to minute, so each row
    is compared with the static copy loaded in turn with it (--rounds times each), rather
    than once at the start.
    """
    app = f"http://127.0.0.1:{PORTS['app']}"
    path = bench.path
    rows = []
    # The static copy is the page as an anonymous reader gets it.
    server = bench.app_server(args.servers.split(",")[0])
    page = fetch(app + path)
    bench.stop(server, PORTS["app"])
    static = bench.static_nginx(page)
    static_url = f"http://127.0.0.1:{PORTS['static']}/"

    def measure(name, url, *servers):
        statics, results = [], []
        for _ in range(args.rounds):
            statics.append(wrk(static_url, args.seconds, args.connections, servers=[static]))
            results.append(wrk(url, args.seconds, args.connections, servers=servers))
        rows.append((name, combined(results), combined(statics)))

    for name in args.servers.split(","):
        if name == "granian" and not (ROOT / ".venv" / "bin" / "granian").exists():
            print("granian is not installed (.venv/bin/pip install granian): skipped")
            continue
        if "uncached" in args.rows:
            server = bench.app_server(name, NEWSROOM_PAGE_CACHE="0")
            fetch(app + path)
            measure(f"{name}, uncached", app + path, server, bench.redis)
            bench.stop(server, PORTS["app"])
        if "cached" in args.rows.replace("uncached", ""):
            server = bench.app_server(name)
            fetch(app + path)
            measure(f"{name}, page cache (Redis)", app + path, server, bench.redis)
            bench.stop(server, PORTS["app"])
    if "proxy" not in args.rows:
        return rows
    server = bench.app_server(args.servers.split(",")[0])
    proxy = bench.proxy_nginx()
    proxy_url = f"http://127.0.0.1:{PORTS['proxy']}{path}"
    fetch(proxy_url)
    measure("behind deploy/nginx.conf proxy cache", proxy_url, proxy, server, bench.redis)
    bench.stop(proxy, PORTS["proxy"])
    bench.stop(server, PORTS["app"])
    return rows


def combined(runs):
    """Mean requests/s of several wrk runs, and their median latencies."""

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    return {
        "rps": sum(run["rps"] for run in runs) / len(runs),
        "cpu_us": median([run["cpu_us"] for run in runs]),
        "p50": median([run["p50"] for run in runs]),
        "p99": median([run["p99"] for run in runs]),
    }


def print_table(rows):
    print(
        f"\n{'':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'static nginx':>13} {'ratio':>7}"
        f" {'CPU us/req':>10} {'static':>7} {'CPU ratio':>9}"
    )
    for name, result, static in rows:
        print(
            f"{name:38} {result['rps']:8.1f} {result['p50']:8.2f} {result['p99']:8.2f} "
            f"{static['rps']:13.0f} {result['rps'] / static['rps']:7.2%}"
            f" {result['cpu_us']:10.0f} {static['cpu_us']:7.1f}"
            f" {static['cpu_us'] / max(result['cpu_us'], 0.001):9.2%}"
        )
    print("\nstatic nginx: the saved copy of the same page, loaded in turn with each row")
    print(
        "CPU us/req: CPU time of the servers per request (app server and Redis; nginx too "
        "behind nginx; PostgreSQL not counted); CPU ratio: static nginx's over the row's"
    )
    print(f"{os.cpu_count()} CPUs: {platform_line()}")
    print(f"Python: {python_line()}")


def platform_line():
    try:
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        model = "unknown CPU"
    return model


def python_line():
    """The interpreter the site ran on, and how it was built where that shows: pyenv's build,
    without profile-guided and link-time optimization and its library loaded as a shared
    object, served the page slower than Debian's optimized one (README, "The Python build")."""
    version = sys.version.split()[0]
    where = os.path.realpath(sys._base_executable)  # the interpreter the venv was made from
    configured = sysconfig.get_config_var("CONFIG_ARGS") or ""
    notes = [flag for flag in ("--enable-optimizations", "--with-lto") if flag in configured]
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        maps = ""
    if "libpython" in maps:
        notes.append("libpython loaded as a shared library")
    return f"{version} at {where}" + (f" ({', '.join(notes)})" if notes else "")


if __name__ == "__main__":
    main()
