#!/usr/bin/env python3
"""Server time and SQL queries per page, rendered in-process without the page cache.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_big .venv/bin/python bench/server_times.py

Run it on a database filled by `manage.py generate_news`: it prints the median time over a
few renders and the query count of the home, section, tag, author and article pages (the
demo story and the story with the most comments) and of the desk's story and comment lists.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["NEWSROOM_PAGE_CACHE"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Comment  # noqa: E402

RENDERS = 5


def measure(client, url):
    client.get(url)  # warm: connection, templates
    times = []
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries), len(response.content)


def main():
    published = Article.objects.published()
    demo = published.order_by("pk").first()
    busiest = published.annotate(n=Count("comments")).order_by("-n").first()
    tag = demo.tags.first() or busiest.tags.first()
    author = busiest.authors.first()
    pages = [
        ("home", "/"),
        ("home, page 50", "/?page=50"),
        ("section page", f"/sections/{busiest.section.slug}/"),
        ("author page", f"/authors/{author.slug}/"),
        ("tag page", f"/tags/{tag.slug}/") if tag else None,
        ("article (demo story)", demo.get_absolute_url()),
        (f"article ({busiest.n} comments)", busiest.get_absolute_url()),
    ]
    reader = Client()
    desk = Client()
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    desk.force_login(admin)
    print(
        f"{Article.objects.count()} articles ({published.count()} published), "
        f"{Comment.objects.count()} comments, on {connection.vendor}\n"
    )
    print(f"{'page':34} {'ms':>8} {'queries':>8} {'KB':>6}")
    for name, url, client in [(*page, reader) for page in pages if page] + [
        ("desk: article list, first page", "/admin/articles/article/", desk),
        ("desk: article list, search", "/admin/articles/article/?q=minister", desk),
        ("desk: comment queue, search", "/admin/articles/comment/?q=minister", desk),
    ]:
        ms, queries, size = measure(client, url)
        print(f"{name:34} {ms:8.1f} {queries:8d} {size / 1024:6.0f}")


if __name__ == "__main__":
    main()
