"""HTTP caching: Cache-Control for shared caches, ETag/Last-Modified with 304, Vary."""

import pytest
from django.test import Client

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_home_may_be_kept_by_shared_caches(client, settings):
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 45
    ArticleFactory(published=True)
    for attempt in ("miss", "hit"):
        response = client.get("/")
        assert response.status_code == 200, attempt
        assert {"public", "s-maxage=45", "max-age=0", "must-revalidate"} <= cache_control(response)
        assert response["ETag"] and response["Last-Modified"]


def test_etag_and_last_modified_answer_304(client):
    ArticleFactory(published=True)
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get("/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    ArticleFactory(published=True, headline="Breaking")
    changed = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and "Breaking" in changed.content.decode()


def test_a_page_with_the_readers_csrf_token_is_private(client):
    article = ArticleFactory(published=True)
    response = client.get(article.get_absolute_url())
    assert {"private", "no-cache"} <= cache_control(response)
    assert "Cookie" in response["Vary"]
    assert (
        client.get(
            article.get_absolute_url(), headers={"If-None-Match": response["ETag"]}
        ).status_code
        == 304
    )


def test_behind_the_ssi_proxy_the_article_page_is_shareable(settings):
    settings.NEWSROOM_CSRF_FROM_PROXY = True
    article = ArticleFactory(published=True)
    for attempt in ("miss", "hit"):
        response = Client().get(article.get_absolute_url())
        assert "public" in cache_control(response), attempt
        page = response.content.decode()
        assert 'value="<!--# echo var="newsroom_csrf_token" -->"' in page
        assert "csrftoken" not in response.cookies  # nginx hands out the cookie


def test_staff_pages_are_private(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)
