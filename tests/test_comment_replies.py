"""Replies, one level deep, shown under their parent; reply links work without JavaScript."""

import re

import pytest
from django.urls import reverse

from articles.models import Comment
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_each_approved_comment_has_a_plain_reply_link(client):
    article = ArticleFactory(published=True)
    parent = CommentFactory(article=article, status="approved", name="Ivan")
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="?reply_to={parent.pk}#post-a-comment"' in page


def test_the_reply_link_opens_the_form_as_a_reply(client):
    article = ArticleFactory(published=True)
    parent = CommentFactory(article=article, status="approved", name="Ivan")
    page = client.get(article.get_absolute_url(), {"reply_to": parent.pk}).content.decode()
    assert "Replying to Ivan" in page
    assert f'<input type="hidden" name="reply_to" value="{parent.pk}">' in page


@pytest.mark.parametrize("reply_to", ["nonsense", "999999", "-1", "9" * 40])
def test_a_bad_reply_link_shows_the_plain_form(client, reply_to):
    article = ArticleFactory(published=True)
    response = client.get(article.get_absolute_url(), {"reply_to": reply_to})
    assert response.status_code == 200
    assert "Replying to" not in response.content.decode()


def test_a_reply_is_stored_and_shown_under_its_parent(client):
    article = ArticleFactory(published=True)
    parent = CommentFactory(article=article, status="approved", body="The parent says")
    CommentFactory(article=article, status="approved", body="A later comment")
    response = post(client, article, reply_to=str(parent.pk), body="The reply says")
    assert response.status_code == 302
    reply = Comment.objects.get(body="The reply says")
    assert reply.parent == parent
    Comment.objects.filter(pk=reply.pk).update(status="approved")

    page = client.get(article.get_absolute_url()).content.decode()
    parent_item = re.search(rf'<li class="comment" id="comment-{parent.pk}">.*?\n</li>', page, re.S)
    assert parent_item and "The reply says" in parent_item.group(0)
    assert '<ol class="comment-replies">' in parent_item.group(0)
    # Replies have no reply link of their own: threads are one level deep.
    assert f"reply_to={reply.pk}" not in page
    assert page.index("The parent says") < page.index("The reply says")
    assert page.index("The reply says") < page.index("A later comment")


def test_a_reply_to_a_reply_is_refused_with_the_text_kept(client):
    article = ArticleFactory(published=True)
    parent = CommentFactory(article=article, status="approved")
    reply = CommentFactory(article=article, status="approved", parent=parent)
    response = post(client, article, reply_to=str(reply.pk), body="Too deep, kept")
    assert response.status_code == 400
    page = response.content.decode()
    assert "no longer shown" in page and "Too deep, kept" in page
    assert not Comment.objects.filter(body="Too deep, kept").exists()


@pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
def test_only_shown_comments_can_be_replied_to(client, status):
    article = ArticleFactory(published=True)
    hidden = CommentFactory(article=article, status=status)
    response = post(client, article, reply_to=str(hidden.pk), body="To a hidden comment")
    assert response.status_code == 400
    # Sending the re-shown form again posts it as a comment of its own.
    assert "Replying to" not in response.content.decode()


def test_a_comment_on_another_story_cannot_be_replied_to(client):
    article = ArticleFactory(published=True)
    elsewhere = CommentFactory(status="approved")
    response = post(client, article, reply_to=str(elsewhere.pk), body="Cross-story")
    assert response.status_code == 400
    assert not Comment.objects.filter(body="Cross-story").exists()


def test_closed_stories_offer_no_reply_links(client):
    article = ArticleFactory(published=True, comments_open=False)
    parent = CommentFactory(article=article, status="approved")
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"reply_to={parent.pk}" not in page
