"""Lighthouse on the demo article page, served as production serves it, in Debian's Chromium.

    python3 dev.py test --collect-only -q   # once, to make .venv
    .venv/bin/python bench/lighthouse.py    # prints the four category scores (median of 3)

Lighthouse comes from npm (bench/lighthouse/package.json, installed on first run). The site
runs from a throwaway database with the demo story, DJANGO_DEBUG=0, under gunicorn with
WhiteNoise, on 127.0.0.1. LIGHTHOUSE_RUNS (default 3) runs are made and each score is their
median, since one run on a busy machine is noisy. Reports go to var/lighthouse/.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "var" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PORT = int(os.environ.get("LIGHTHOUSE_PORT", "8940"))
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
# Without the network switches Chromium waits on update and sync services a closed network
# never answers.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


def site_environment(var_dir):
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "lighthouse-run-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{var_dir / 'lighthouse.sqlite3'}",
        "NEWSROOM_VAR_DIR": str(var_dir),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main():
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM}: apt-get install chromium (or set CHROME_PATH).")
    if not LIGHTHOUSE.exists():
        run("npm", "install", "--no-audit", "--no-fund", cwd=LIGHTHOUSE_DIR)
    REPORTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsroom-lighthouse-") as tmp:
        env = site_environment(Path(tmp))
        manage = [sys.executable, ROOT / "manage.py"]
        run(*manage, "migrate", "--no-input", "-v0", env=env, cwd=ROOT)
        run(*manage, "collectstatic", "--no-input", "-v0", env=env, cwd=ROOT)
        load = subprocess.run(
            [*manage, "load_demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        path = next(word for word in load.stdout.split() if word.startswith("/articles/"))
        url = f"http://127.0.0.1:{PORT}{path}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-b", f"127.0.0.1:{PORT}"],
            env=env,
            cwd=ROOT,
        )
        try:
            wait_for(url)
            results = [lighthouse(url, run_number) for run_number in range(1, RUNS + 1)]
        finally:
            server.terminate()
            server.wait(timeout=10)
    first = results[0]
    print(
        f"\nLighthouse {first['lighthouseVersion']} on {path} "
        f"({first['configSettings']['formFactor']}, median of {len(results)} runs):"
    )
    for category in CATEGORIES:
        scores = [round(result["categories"][category]["score"] * 100) for result in results]
        title = first["categories"][category]["title"]
        print(f"  {title:<16} {statistics.median(scores):>5g}   runs: {scores}")
    print(f"Reports: {REPORTS}/article-*.report.html")


def lighthouse(url, run_number):
    output = REPORTS / f"article-{run_number}"
    run(
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        "--output=html",
        f"--output-path={output}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    return json.loads(output.with_suffix(".report.json").read_text())


if __name__ == "__main__":
    main()
