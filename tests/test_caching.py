"""The rendered-page cache: hits skip the work, every visible change shows at once."""

import logging
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ads.models import Ad, AdSlot
from articles.models import Comment, CommentStatus, Status
from delivery.pagecache import content_version, page_timeout
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_cache_hit_runs_no_query(client, django_assert_num_queries):
    article = ArticleFactory(published=True, comments=2)
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url())
    assert again.status_code == 200
    assert article.headline in again.content.decode()
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200
    assert first.content.count(b"comment__body") == again.content.count(b"comment__body")


def test_an_edit_shows_at_once_after_the_save(client, django_capture_on_commit_callbacks):
    article = ArticleFactory(published=True, body="<p>The minister resigned.</p>")
    url = article.get_absolute_url()
    assert "The minister resigned." in client.get(url).content.decode()
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        article.body = "<p>The minister did not resign.</p>"
        article.headline = "Correction: minister stays"
        article.save()
    page = client.get(url).content.decode()
    assert "The minister did not resign." in page and "The minister resigned." not in page
    assert "Correction: minister stays" in client.get("/").content.decode()


def test_publish_and_withdraw_change_the_cached_pages(client, editor):
    story = ArticleFactory(status=Status.REVIEW, headline="Fresh from the desk")
    assert "Fresh from the desk" not in client.get("/").content.decode()
    story.publish(by=editor)
    assert "Fresh from the desk" in client.get("/").content.decode()
    assert client.get(story.get_absolute_url()).status_code == 200
    story.withdraw(by=editor, note="Legal asked us to.")
    assert "Fresh from the desk" not in client.get("/").content.decode()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_approving_a_comment_shows_it_but_a_held_one_keeps_the_cache(
    client, editor, django_assert_num_queries
):
    article = ArticleFactory(published=True)
    url = article.get_absolute_url()
    client.get(url)
    version = content_version()
    client.post(
        reverse("articles:post_comment", args=[article.pk, article.slug]),
        {"name": "Olga", "email": "olga@example.com", "body": "Held until approved."},
    )
    assert content_version() == version  # a flood of held comments does not empty the cache
    with django_assert_num_queries(0):
        assert b"Held until approved." not in Client().get(url).content
    Comment.objects.filter(article=article).moderate(CommentStatus.APPROVED, by=editor)
    assert "Held until approved." in Client().get(url).content.decode()


def test_ad_changes_reach_cached_pages(client):
    slot = AdSlot.objects.create(key="header", name="Header")
    ad = Ad.objects.create(slot=slot, name="A", text="Old offer", target_url="https://a.example")
    article = ArticleFactory(published=True)
    assert "Old offer" in client.get(article.get_absolute_url()).content.decode()
    ad.text = "New offer"
    ad.save()
    assert "New offer" in client.get(article.get_absolute_url()).content.decode()
    ad.delete()
    assert "New offer" not in client.get(article.get_absolute_url()).content.decode()


def test_staff_bypass_the_cache(client, editor):
    article = ArticleFactory(published=True)
    Client().get(article.get_absolute_url())  # cached for readers
    client.force_login(editor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert any("articles_article" in query["sql"] for query in queries.captured_queries)
    assert "private" in response["Cache-Control"]


def test_every_reader_gets_the_same_cached_page_and_can_comment_from_it(
    django_assert_num_queries,
):
    article = ArticleFactory(published=True)
    url = article.get_absolute_url()
    anna, boris = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    anna_page = anna.get(url)
    with django_assert_num_queries(0):
        boris_page = boris.get(url)
    assert anna_page.content == boris_page.content
    assert "csrfmiddlewaretoken" not in boris_page.content.decode()
    assert not anna_page.cookies and not boris_page.cookies
    comment_url = reverse("articles:post_comment", args=[article.pk, article.slug])
    sent = boris.post(
        comment_url,
        {"name": "Boris", "email": "b@example.com", "body": "From a cached page."},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert sent.status_code == 302
    assert Comment.objects.get().body == "From a cached page."


def test_a_readers_message_is_never_cached_for_others(client):
    article = ArticleFactory(published=True)
    url = article.get_absolute_url()
    client.get(url)
    response = client.post(
        reverse("articles:post_comment", args=[article.pk, article.slug]),
        {"name": "Olga", "email": "olga@example.com", "body": "Hello"},
        follow=True,
    )
    assert "held for moderation" in response.content.decode()
    assert "held for moderation" not in Client().get(url).content.decode()
    assert "held for moderation" not in client.get(url).content.decode()  # shown once


def test_a_page_without_a_message_signs_no_cookie_and_one_with_a_message_does(client, monkeypatch):
    # newsroom/messages.py: the messages cookie's signer is made only for a cookie.
    article = ArticleFactory(published=True)
    made = []
    real = signing.get_cookie_signer
    monkeypatch.setattr(signing, "get_cookie_signer", lambda **kw: made.append(kw) or real(**kw))
    assert client.get(article.get_absolute_url()).status_code == 200
    assert made == []
    response = client.post(
        reverse("articles:post_comment", args=[article.pk, article.slug]),
        {"name": "Olga", "email": "olga@example.com", "body": "Hello"},
    )
    assert made and "messages" in response.cookies
    assert "held for moderation" in client.get(response.url).content.decode()


def test_a_scheduled_story_limits_how_long_pages_stay_cached(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    assert page_timeout("v1") == 300
    ArticleFactory(status=Status.PUBLISHED, publish_at=timezone.now() + timedelta(seconds=40))
    assert 30 <= page_timeout("v2") <= 41


def test_a_dead_redis_does_not_take_the_site_down(client, own_redis, caplog, editor):
    article = ArticleFactory(published=True, headline="Before the outage")
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert content_version() is not None  # stored in our Redis
    own_redis.stop()
    with caplog.at_level(logging.ERROR, logger="delivery.pagecache"):
        response = client.get(url)
        assert response.status_code == 200
        article.headline = "During the outage"
        article.save()
        page = client.get(url).content.decode()
    assert "During the outage" in page  # served from the database
    assert "Page cache unreachable" in caplog.text


def test_a_cached_page_still_rotates_ads_and_counts_every_showing(
    client, django_assert_num_queries
):
    from ads.impressions import pending_impressions

    slot = AdSlot.objects.create(key="header", name="Header")
    first = Ad.objects.create(slot=slot, name="A", text="Offer A", target_url="https://a.example")
    second = Ad.objects.create(slot=slot, name="B", text="Offer B", target_url="https://b.example")
    article = ArticleFactory(published=True)
    client.get(article.get_absolute_url())
    shown = set()
    with django_assert_num_queries(0):
        for _ in range(40):
            page = client.get(article.get_absolute_url()).content.decode()
            shown |= {offer for offer in ("Offer A", "Offer B") if offer in page}
    assert shown == {"Offer A", "Offer B"}
    counts = pending_impressions([first.pk, second.pk])
    assert sum(counts.values()) == 41


def test_list_pages_are_cached_and_follow_changes(client, editor, django_assert_num_queries):
    story = ArticleFactory(published=True, tags=1)
    section_url = f"/sections/{story.section.slug}/"
    author_url = f"/authors/{story.authors.get().slug}/"
    for url in (section_url, author_url):
        assert story.headline in client.get(url).content.decode()
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
    story.withdraw(by=editor, note="Retracted.")
    for url in (section_url, author_url):
        assert story.headline not in client.get(url).content.decode()


def test_buffered_impressions_reach_the_counter_after_the_window(client, settings):
    import time

    from ads.impressions import pending_impressions
    from ads.slots import impressions

    settings.ADS_IMPRESSIONS_BUFFER_SECONDS = 0.3
    slot = AdSlot.objects.create(key="header", name="Header")
    ad = Ad.objects.create(slot=slot, name="A", text="Offer", target_url="https://a.example")
    article = ArticleFactory(published=True)
    impressions.flushed_at = time.monotonic()
    for _ in range(5):
        client.get(article.get_absolute_url())
    assert pending_impressions([ad.pk]).get(ad.pk, 0) < 5  # held in this process
    time.sleep(0.35)
    client.get(article.get_absolute_url())
    assert pending_impressions([ad.pk]) == {ad.pk: 6}
