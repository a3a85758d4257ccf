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


def test_the_article_page_with_its_comment_form_is_shareable(settings):
    settings.NEWSROOM_SHARED_CACHE_SECONDS = 45
    article = ArticleFactory(published=True)
    for attempt in ("miss", "hit"):
        response = Client().get(article.get_absolute_url())
        assert {"public", "s-maxage=45"} <= cache_control(response), attempt
        assert "Cookie" in response["Vary"], attempt
        assert 'class="comment-form"' in response.content.decode(), attempt
        assert not response.cookies, attempt  # nothing of one reader's for a shared cache
        again = Client().get(
            article.get_absolute_url(), headers={"If-None-Match": response["ETag"]}
        )
        assert again.status_code == 304, attempt


def test_staff_pages_are_private(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)
