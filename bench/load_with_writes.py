"""Load with writes: readers and commenters against gunicorn on PostgreSQL, for a fixed time.

    python bench/load_with_writes.py                      # 50 readers, 5 commenters, 60 s
    python bench/load_with_writes.py --seconds 10 --readers 5 --commenters 2

It makes its own database (DATABASE_URL, default: newsroom_load on the local PostgreSQL),
migrates it, loads the demo story, starts gunicorn on 127.0.0.1:8850 in production settings and
drives it from one asyncio process (httpx). Readers fetch the home page and the story; each
commenter loads the story and posts a comment with the form it got. At the end it counts the
comments stored in the database. It fails (exit 1) on any error, or when the number stored
differs from the number the site accepted. Comment rate limiting is per reader address, and
here every reader shares 127.0.0.1, so the run raises the limit for its own server only.
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import Gunicorn, comment_form, manage, production_env  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/newsroom_load"


class Tally:
    def __init__(self):
        self.latencies = {"read": [], "comment": []}
        self.errors = []
        self.accepted = 0

    def record(self, kind, started, response, ok_statuses):
        self.latencies[kind].append(time.perf_counter() - started)
        if response.status_code not in ok_statuses:
            self.errors.append(f"{kind} {response.request.url.path}: {response.status_code}")


async def reader(client, paths, deadline, tally):
    n = 0
    while time.monotonic() < deadline:
        path = paths[n % len(paths)]
        started = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError as error:
            tally.errors.append(f"read {path}: {error!r}")
            continue
        tally.record("read", started, response, {200})
        n += 1


async def commenter(base_url, story, run, number, deadline, tally):
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                page = await client.get(story)
                action, fields = comment_form(page.text)
                fields.update(
                    name=f"Load commenter {number}",
                    email=f"load{number}@example.com",
                    body=f"load-{run} commenter {number} comment {n}: the desk keeps up.",
                )
                started = time.perf_counter()
                response = await client.post(action, data=fields, headers={"Referer": story})
            except httpx.HTTPError as error:
                tally.errors.append(f"comment: {error!r}")
                continue
            tally.record("comment", started, response, {302})
            if response.status_code == 302:
                tally.accepted += 1


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def drive(base_url, readers, commenters, seconds):
    run = uuid.uuid4().hex[:8]
    tally = Tally()
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        home = await client.get("/")
        start = home.text.index('href="/articles/') + len('href="')
        story = home.text[start : home.text.index('"', start)]
        deadline = time.monotonic() + seconds
        began = time.perf_counter()
        await asyncio.gather(
            *[reader(client, ["/", story], deadline, tally) for _ in range(readers)],
            *[commenter(base_url, story, run, i, deadline, tally) for i in range(commenters)],
        )
        elapsed = time.perf_counter() - began
    return run, tally, elapsed


def stored_comments(env, run):
    result = manage(
        env,
        "shell",
        "-c",
        "from articles.models import Comment;"
        f"print(Comment.objects.filter(body__startswith='load-{run} ').count())",
    )
    return int(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--commenters", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--port", type=int, default=8850)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsroom-load-") as tmp:
        env = production_env(
            tmp,
            args.database_url,
            NEWSROOM_COMMENTS_RATE_LIMIT="1000000",
        )
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        manage(env, "load_demo")
        web = Gunicorn(args.port, env, workers=args.workers).start()
        try:
            run, tally, elapsed = asyncio.run(
                drive(web.url, args.readers, args.commenters, args.seconds)
            )
        finally:
            web.stop()
        stored = stored_comments(env, run)

    reads, comments = tally.latencies["read"], tally.latencies["comment"]
    report = {
        "readers": args.readers,
        "commenters": args.commenters,
        "seconds": round(elapsed, 1),
        "gunicorn_workers": args.workers,
        "reads": len(reads),
        "reads_per_second": round(len(reads) / elapsed, 1),
        "read_latency_ms": {
            "median": round(statistics.median(reads) * 1000, 1) if reads else None,
            "p95": round(percentile(reads, 0.95) * 1000, 1),
            "p99": round(percentile(reads, 0.99) * 1000, 1),
        },
        "comments_posted": len(comments),
        "comments_accepted": tally.accepted,
        "comments_stored": stored,
        "comment_latency_ms_median": round(statistics.median(comments) * 1000, 1)
        if comments
        else None,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:10],
    }
    print(json.dumps(report, indent=2))
    if tally.errors or stored != tally.accepted or not tally.accepted:
        sys.exit(1)


if __name__ == "__main__":
    main()
