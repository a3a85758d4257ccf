"""The WSGI hit path (delivery/wsgi.py): cached pages answered before Django, called as a
WSGI server calls the application."""

import io
import logging
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from ads.models import Ad, AdSlot
from delivery.wsgi import CachedPages
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PER_RESPONSE = {"content-length"}


class Answer:
    def __init__(self, status, headers, body):
        self.status = int(status.split()[0])
        self.header_list = headers
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body
        self.text = body.decode()

    def replayed(self):
        return {k: v for k, v in self.headers.items() if k not in PER_RESPONSE}


def wsgi_call(app, path, method="GET", host="testserver", scheme="http", **headers):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.encode().decode("latin-1"),  # as a server hands over the raw path
        "QUERY_STRING": "",
        "HTTP_HOST": host,
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
    }
    setup_testing_defaults(environ)
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return Answer(seen["status"], seen["headers"], body)


class Django:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.application = WSGIHandler()  # what get_wsgi_application() returns, after setup
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


def django_must_not_answer(environ, start_response):
    raise AssertionError(f"Django was asked for {environ['PATH_INFO']}")


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # As django.test.Client does: the request signals would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django():
    return Django()


@pytest.fixture
def app(django):
    return CachedPages(django)


def test_a_hit_skips_django_and_sends_the_headers_django_sent(
    app, django, django_assert_num_queries
):
    article = ArticleFactory(published=True, comments=2)
    url = article.get_absolute_url()
    rendered = wsgi_call(app, url)
    assert rendered.status == 200 and django.calls == 1
    with django_assert_num_queries(0):
        hit = wsgi_call(app, url)
    assert django.calls == 1
    assert hit.status == 200 and hit.body == rendered.body
    assert hit.replayed() == rendered.replayed()
    assert int(hit.headers["content-length"]) == len(hit.body)
    # The same headers as Django's own answer (its cache hit, through every middleware).
    through_django = Client().get(url)
    assert hit.replayed() == {
        k.lower(): v for k, v in through_django.headers.items() if k.lower() not in PER_RESPONSE
    }


def test_a_hit_carries_the_security_and_caching_headers(app, settings):
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 45
    url = ArticleFactory(published=True).get_absolute_url()
    wsgi_call(app, url)
    hit = wsgi_call(CachedPages(django_must_not_answer), url)  # another process: shared cache
    headers = hit.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert set(headers["cache-control"].split(", ")) == {
        "public",
        "max-age=0",
        "must-revalidate",
        "s-maxage=45",
    }
    assert "Cookie" in headers["vary"]
    assert headers["etag"] and headers["last-modified"]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "set-cookie" not in headers


def test_a_host_django_refuses_is_never_served_or_stored(app, django, settings, caplog):
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]
    article = ArticleFactory(published=True)
    url = article.get_absolute_url()
    wsgi_call(app, url)
    refused = wsgi_call(app, url, host="evil.example")
    assert refused.status == 400 and article.headline not in refused.text
    assert django.calls == 2
    assert wsgi_call(app, url, host="evil.example").status == 400  # nothing was stored
    assert django.calls == 3
    assert "Page cache hit failed" not in caplog.text  # Django's own 400, no traceback of ours
    # Each allowed host has its own copy: links in the page name the host it was made for.
    assert wsgi_call(app, url, host="news.example").status == 200
    assert django.calls == 4


@pytest.mark.parametrize("cookie", ["sessionid=abc", "messages=xyz", "a=1; sessionid=abc"])
def test_staff_and_readers_with_a_message_go_to_django(app, django, cookie):
    url = ArticleFactory(published=True).get_absolute_url()
    wsgi_call(app, url)
    wsgi_call(app, url, cookie=cookie)
    assert django.calls == 2
    wsgi_call(app, url, cookie="csrftoken=abc; theme=dark")  # other cookies change nothing
    assert django.calls == 2


def test_the_desk_posts_and_other_paths_go_to_django(app, django):
    wsgi_call(app, "/admin/login/")
    wsgi_call(app, "/admin/login/")
    wsgi_call(app, "/healthz")
    wsgi_call(app, "/", method="POST")
    assert django.calls == 4


def test_conditional_requests_get_304_without_django(app, django):
    url = ArticleFactory(published=True).get_absolute_url()
    first = wsgi_call(app, url)
    for headers in (
        {"if_none_match": first.headers["etag"]},
        {"if_modified_since": first.headers["last-modified"]},
    ):
        answer = wsgi_call(app, url, **headers)
        assert answer.status == 304 and answer.body == b"", headers
        assert answer.headers["etag"] == first.headers["etag"]
        assert "public" in answer.headers["cache-control"]
        assert answer.headers["x-frame-options"] == "DENY"
        assert "content-type" not in answer.headers
    assert wsgi_call(app, url, if_none_match='"something-else"').status == 200
    assert django.calls == 1


def test_head_is_answered_without_a_body_and_counts_no_ad(app, django):
    from ads.impressions import pending_impressions

    slot = AdSlot.objects.create(key="header", name="Header")
    ad = Ad.objects.create(slot=slot, name="A", text="Offer A", target_url="https://a.example")
    url = ArticleFactory(published=True).get_absolute_url()
    get = wsgi_call(app, url)
    head = wsgi_call(app, url, method="HEAD")
    assert head.status == 200 and head.body == b"" and django.calls == 1
    assert head.replayed() == get.replayed()
    assert pending_impressions([ad.pk]) == {ad.pk: 1}  # the GET's showing only


def test_ad_holes_are_filled_and_counted_on_every_hit(app, django, django_assert_num_queries):
    from ads.impressions import pending_impressions

    slot = AdSlot.objects.create(key="header", name="Header")
    first = Ad.objects.create(slot=slot, name="A", text="Offer A", target_url="https://a.example")
    second = Ad.objects.create(slot=slot, name="B", text="Offer B", target_url="https://b.example")
    url = ArticleFactory(published=True).get_absolute_url()
    wsgi_call(app, url)
    wsgi_call(app, url)  # the candidates cached under this version by then
    calls = django.calls
    shown = set()
    with django_assert_num_queries(0):
        for _ in range(40):
            answer = wsgi_call(app, url)
            assert "newsroom-hole" not in answer.text
            assert int(answer.headers["content-length"]) == len(answer.body)
            shown |= {offer for offer in ("Offer A", "Offer B") if offer in answer.text}
    assert django.calls == calls
    assert shown == {"Offer A", "Offer B"}
    assert sum(pending_impressions([first.pk, second.pk]).values()) == 42


def test_a_save_shows_at_once_through_the_wsgi_path(
    app, django, django_capture_on_commit_callbacks
):
    article = ArticleFactory(published=True, body="<p>The minister resigned.</p>")
    url = article.get_absolute_url()
    wsgi_call(app, url)
    assert "The minister resigned." in wsgi_call(app, url).text
    other_process = CachedPages(Django())
    wsgi_call(other_process, url)  # holds its own copy too
    with django_capture_on_commit_callbacks(execute=True):
        article.body = "<p>The minister did not resign.</p>"
        article.save()
    for process in (app, other_process):
        page = wsgi_call(process, url).text
        assert "The minister did not resign." in page and "The minister resigned." not in page


def test_https_only_sites_redirect_before_any_hit(settings):
    settings.SECURE_SSL_REDIRECT = True  # read by SecurityMiddleware when it is made
    django = Django()
    app = CachedPages(django)
    url = ArticleFactory(published=True).get_absolute_url()
    assert wsgi_call(app, url, scheme="https").status == 200
    assert wsgi_call(app, url, scheme="https").status == 200
    assert django.calls == 1
    plain = wsgi_call(app, url)
    assert plain.status == 301 and plain.headers["location"].startswith("https://")


def test_non_latin_paths_work_through_both_paths(app, django):
    ArticleFactory(published=True).tags.add("беларусь")
    url = "/tags/беларусь/"
    assert wsgi_call(app, url).status == 200
    assert wsgi_call(app, url).status == 200
    assert django.calls == 1


def test_a_dead_cache_falls_through_to_django(own_redis, caplog):
    django = Django()
    app = CachedPages(django)
    article = ArticleFactory(published=True)
    url = article.get_absolute_url()
    wsgi_call(app, url)
    wsgi_call(app, url)
    own_redis.stop()
    with caplog.at_level(logging.ERROR, logger="delivery"):
        answer = wsgi_call(app, url)
    assert answer.status == 200 and article.headline in answer.text
    assert "Page cache unreachable" in caplog.text
    # One failed round trip per request: Django does not try the dead cache again.
    assert caplog.text.count("Page cache unreachable") == 1


def test_a_restarted_cache_is_used_again_without_a_restart_of_the_app(own_redis, caplog):
    django = Django()
    app = CachedPages(django)
    url = ArticleFactory(published=True).get_absolute_url()
    wsgi_call(app, url)
    assert wsgi_call(app, url).status == 200 and django.calls == 1
    own_redis.stop()
    with caplog.at_level(logging.ERROR, logger="delivery"):
        assert wsgi_call(app, url).status == 200
    assert django.calls == 2
    own_redis.start()  # empty: the content version and the page are gone
    wsgi_call(app, url)
    assert wsgi_call(app, url).status == 200
    assert django.calls == 3  # the kept connection was dropped and made again


def test_the_projects_wsgi_application_is_the_hit_path():
    from newsroom import wsgi

    assert isinstance(wsgi.application, CachedPages)
    url = ArticleFactory(published=True).get_absolute_url()
    assert wsgi_call(wsgi.application, url).status == 200
    assert wsgi_call(CachedPages(django_must_not_answer), url).status == 200


def test_a_scheduled_story_appears_on_time_though_the_process_holds_the_page(app):
    import time
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Status

    ArticleFactory(published=True)
    due = timezone.now() + timedelta(seconds=4)
    ArticleFactory(status=Status.PUBLISHED, publish_at=due, headline="Embargoed until now")
    assert "Embargoed until now" not in wsgi_call(app, "/").text
    assert "Embargoed until now" not in wsgi_call(app, "/").text  # this process's copy
    # Pages are kept until the story is due (rounded up to the next second), no longer.
    time.sleep(max(0, (due - timezone.now()).total_seconds() + 1.2))
    assert "Embargoed until now" in wsgi_call(app, "/").text
