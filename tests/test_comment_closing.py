"""Closing: per story, and automatically N days after first publication."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Comment
from tests.factories import ArticleFactory, comment_form_data

pytestmark = pytest.mark.django_db


def published_days_ago(days):
    when = timezone.now() - timedelta(days=days)
    return ArticleFactory(published=True, publish_at=when, first_published_at=when)


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_comments_close_by_themselves_after_the_set_number_of_days(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 30
    article = published_days_ago(31)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Post a Comment" not in page
    assert "stories take comments for 30 days after publication" in page

    response = post(client, article, body="Too late, but kept for the reader")
    assert response.status_code == 403
    page = response.content.decode()
    assert "stories take comments for 30 days" in page
    assert "Your comment was not posted" in page and "Too late, but kept for the reader" in page
    assert not Comment.objects.exists()


def test_a_story_inside_the_period_takes_comments(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 30
    article = published_days_ago(29)
    assert "Post a Comment" in client.get(article.get_absolute_url()).content.decode()
    assert post(client, article).status_code == 302


def test_the_clock_runs_from_first_publication_not_from_an_update(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 7
    article = published_days_ago(10)
    article.publish_at = timezone.now() - timedelta(hours=1)  # republished recently
    article.save()
    assert post(client, article).status_code == 403


def test_zero_days_means_comments_never_close_by_themselves(client, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 0
    article = published_days_ago(3650)
    assert post(client, article).status_code == 302


def test_a_story_closed_by_hand_says_so(client):
    article = ArticleFactory(published=True, comments_open=False)
    response = post(client, article, body="Typed anyway")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Comments on this story are closed." in page and "Typed anyway" in page
