"""Trust: known commenters are approved at once; banned commenters are always held."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import BannedCommenter, Comment, CommentStatus
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_a_commenter_with_two_approved_comments_is_approved_at_once(client):
    CommentFactory.create_batch(2, email="Olga@Example.com", status="approved")
    article = ArticleFactory(published=True)
    response = post(client, article, email="olga@example.COM", body="Third time")
    comment = Comment.objects.get(body="Third time")
    assert comment.status == CommentStatus.APPROVED
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Third time" in page  # every reader sees it now


@pytest.mark.parametrize("other_status", ["pending", "rejected", "spam"])
def test_only_approved_comments_build_trust(client, other_status):
    CommentFactory(email="olga@example.com", status="approved")
    CommentFactory(email="olga@example.com", status=other_status)
    CommentFactory(email="ivan@example.com", status="approved")
    article = ArticleFactory(published=True)
    post(client, article, body="Not yet trusted")
    assert Comment.objects.get(body="Not yet trusted").status == CommentStatus.PENDING


def test_the_number_needed_is_a_setting(client, settings):
    settings.NEWSROOM_COMMENTS_TRUSTED_AFTER = 1
    CommentFactory(email="olga@example.com", status="approved")
    article = ArticleFactory(published=True)
    post(client, article, body="Trusted after one")
    assert Comment.objects.get(body="Trusted after one").status == CommentStatus.APPROVED


def test_zero_turns_trust_off(client, settings):
    settings.NEWSROOM_COMMENTS_TRUSTED_AFTER = 0
    CommentFactory.create_batch(5, email="olga@example.com", status="approved")
    article = ArticleFactory(published=True)
    post(client, article, body="Always moderated")
    assert Comment.objects.get(body="Always moderated").status == CommentStatus.PENDING


def test_a_banned_commenter_is_always_held_even_when_trusted(client):
    CommentFactory.create_batch(3, email="olga@example.com", status="approved")
    BannedCommenter.ban("  OLGA@example.com ", reason="Abuse")
    article = ArticleFactory(published=True)
    response = post(client, article, body="Still here")
    assert response.status_code == 302
    comment = Comment.objects.get(body="Still here")  # kept
    assert comment.status == CommentStatus.SPAM
    assert comment.hold_reason == "The commenter is banned."
    # The ban is stored as a keyed hash; the address itself is not in it.
    ban = BannedCommenter.objects.get()
    assert len(ban.email_hash) == 64 and "@" not in ban.email_hash


def test_an_editor_bans_a_commenter_in_the_admin_without_storing_the_address(client, editor):
    client.force_login(editor)
    url = reverse("admin:articles_bannedcommenter_add")
    response = client.post(url, {"email": "Troll@Example.com", "reason": "Threats"})
    assert response.status_code == 302
    ban = BannedCommenter.objects.get()
    assert ban.banned_by == editor and ban.reason == "Threats"
    assert BannedCommenter.objects.matching("troll@example.com").exists()
    # The same address again is refused beside the field, with the typed text kept.
    response = client.post(url, {"email": "troll@example.com", "reason": "Again"})
    assert "already banned" in response.content.decode()
    assert 'value="troll@example.com"' in response.content.decode()
    # Typing the address into the search finds the ban.
    changelist = reverse("admin:articles_bannedcommenter_changelist")
    assert "Threats" in client.get(changelist, {"q": "TROLL@example.com"}).content.decode()
    assert "Threats" not in client.get(changelist, {"q": "other@example.com"}).content.decode()


def test_an_editor_bans_from_the_queue_and_the_held_comments_become_spam(client, editor):
    troll = CommentFactory(email="troll@example.com", status="pending")
    other = CommentFactory(email="troll@example.com", status="pending")
    bystander = CommentFactory(status="pending")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_comment_changelist"),
        {"action": "ban_commenters", "_selected_action": [troll.pk]},
    )
    assert BannedCommenter.objects.matching("troll@example.com").exists()
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[troll.pk] == statuses[other.pk] == CommentStatus.SPAM
    assert statuses[bystander.pk] == CommentStatus.PENDING
    assert Comment.objects.get(pk=other.pk).moderated_by == editor
