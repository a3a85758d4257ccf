"""Faults, with real servers: a throwaway PostgreSQL cluster and Redis server (never the
shared ones) behind gunicorn in production settings. Stopping PostgreSQL gives readers a
styled 503 with Retry-After and no trace for any page the page cache cannot answer, and the
site recovers by itself when it returns; stopping Redis (the cache) does not stop the pages."""

import shutil
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests.servers import (
    Gunicorn,
    ThrowawayPostgres,
    ThrowawayRedis,
    comment_form,
    free_port,
    manage,
    postgres_bin,
    production_env,
    wait_until,
)

# Free ports, so two suites running at once on one machine do not collide.
PG_PORT, REDIS_PORT, WEB_PORT = free_port(), free_port(), free_port()
LEAKS = ["Traceback", "OperationalError", "psycopg", "connection refused", "5432", str(PG_PORT)]


def needs(condition, reason):
    if not condition:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    needs(postgres_bin(), "needs PostgreSQL's server programs (initdb, pg_ctl)")
    needs(shutil.which("redis-server"), "needs redis-server (.ci/run installs it)")
    tmp = tmp_path_factory.mktemp("faults")
    postgres = ThrowawayPostgres(PG_PORT).create()
    redis = ThrowawayRedis(REDIS_PORT).start()
    web = None
    try:
        postgres.create_database("newsroom_faults")
        env = production_env(tmp, postgres.url("newsroom_faults"), redis.url)
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        manage(env, "load_demo")
        web = Gunicorn(WEB_PORT, env).start()
        yield {"web": web, "postgres": postgres, "redis": redis, "env": env}
    finally:
        if web:
            web.stop()
        redis.stop()
        postgres.destroy()


def get(url):
    """(status, headers, text) for a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def demo_story_url(web):
    status, _, page = get(web.url + "/")
    assert status == 200
    start = page.index('href="/articles/') + len('href="')
    return web.url + page[start : page.index('"', start)]


def test_postgres_down_is_a_styled_503_and_the_site_recovers_by_itself(site):
    web, postgres = site["web"], site["postgres"]
    story = demo_story_url(web)
    assert get(story)[0] == 200  # now in the page cache
    workers = web.process.pid
    # Pages the cache has never seen need the database (the cache key is the full path).
    uncached = [web.url + "/?during-the-outage", story + "?during-the-outage"]

    postgres.stop()
    try:
        for url in uncached:
            # Every worker's connection has to find out: ask more often than there are workers.
            for _ in range(4):
                status, headers, page = get(url)
                assert status == 503, url
                assert headers["Retry-After"] == "30"
                assert headers["Cache-Control"] == "no-store"
                assert "We will be back in a moment" in page
                assert "css/site" in page  # styled by the site's stylesheet
                for leak in LEAKS:
                    assert leak not in page
        # What the page cache holds is still served to readers.
        assert get(story)[0] == 200
    finally:
        postgres.start()

    assert wait_until(lambda: get(uncached[0])[0] == 200, timeout=30)
    assert all(get(url)[0] == 200 for url in uncached * 3)
    assert web.process.pid == workers and web.process.poll() is None  # no restart


def test_after_a_postgres_restart_no_reader_sees_an_error(site):
    web, postgres = site["web"], site["postgres"]
    story = demo_story_url(web)
    pages = [web.url + "/?before-the-restart", story + "?before-the-restart"]
    for url in pages * 4:
        assert get(url)[0] == 200  # every worker keeps a connection
    postgres.stop()
    postgres.start()
    # Each worker's kept connection was ended by the restart; its next request's first read
    # finds out, reconnects and reads again (newsroom/postgresql).
    for index in range(8):
        for url in pages:
            status, _, page = get(f"{url}-{index}")
            assert status == 200, (url, page[:300])


def test_redis_down_pages_are_still_served(site):
    web, redis = site["web"], site["redis"]
    story = demo_story_url(web)
    redis.stop()
    try:
        assert not redis.answers()
        for url in [web.url + "/", story, web.url + "/no-such-page/"]:
            status, _, page = get(url)
            assert status == (404 if "no-such" in url else 200), url
            for leak in ["Traceback", "ConnectionError", "redis"]:
                assert leak not in page
    finally:
        redis.start()
    assert get(story)[0] == 200


def test_redis_down_a_reader_can_still_comment(site):
    web, redis = site["web"], site["redis"]
    story = demo_story_url(web)
    reader = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    redis.stop()
    try:
        with reader.open(story, timeout=15) as response:  # noqa: S310 - loopback
            action, fields = comment_form(response.read().decode())
        fields.update(name="Reader", email="reader@example.com", body="Said while Redis was down.")
        request = urllib.request.Request(  # noqa: S310 - loopback
            web.url + action, data=urlencode(fields).encode(), headers={"Referer": story}
        )
        with reader.open(request, timeout=15) as response:  # noqa: S310 - loopback
            assert response.status == 200  # followed the redirect back to the story
            assert response.url.startswith(story)
    finally:
        redis.start()
    stored = manage(
        site["env"],
        "shell",
        "-c",
        "from articles.models import Comment;"
        "print(Comment.objects.filter(body='Said while Redis was down.').count())",
    )
    assert stored.stdout.split()[-1] == "1"
