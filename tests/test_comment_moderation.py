"""Moderation: pending count in the admin, the queue, who and when, emails to moderators."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from articles.models import BlockedWord, Comment, CommentStatus
from tests.factories import ArticleFactory, CommentFactory, UserFactory, comment_form_data

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_the_pending_count_shows_on_the_admin_index_and_in_the_navigation(client, editor):
    CommentFactory.create_batch(3, status="pending")
    CommentFactory(status="approved")
    client.force_login(editor)
    index = client.get(reverse("admin:index")).content.decode()
    assert '<strong class="pending-comments">(3 pending)</strong>' in index
    # The navigation sidebar on every admin page lists it too.
    queue = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'id="nav-sidebar"' in queue and "(3 pending)" in queue


def test_no_count_when_nothing_waits(client, editor):
    CommentFactory(status="approved")
    client.force_login(editor)
    assert "pending-comments" not in client.get(reverse("admin:index")).content.decode()


def test_reporters_see_no_comment_queue_and_no_count(client, reporter):
    CommentFactory(status="pending")
    client.force_login(reporter)
    assert "pending" not in client.get(reverse("admin:index")).content.decode()


def test_the_queue_filters_by_article_and_searches_name_and_email(client, editor):
    first, second = ArticleFactory(published=True), ArticleFactory(published=True)
    CommentFactory(article=first, body="about the first", name="Zofia", email="z@example.com")
    CommentFactory(article=second, body="about the second", name="Ivan", email="iv@example.com")
    client.force_login(editor)
    url = reverse("admin:articles_comment_changelist")
    page = client.get(url, {"article": first.pk}).content.decode()
    assert "about the first" in page and "about the second" not in page
    # The filter offers the stories with comments waiting, and each row links to its story.
    assert f'href="?article={first.pk}"' in client.get(url).content.decode()
    assert "about" not in client.get(url, {"article": "nonsense"}).content.decode()
    assert "about the second" in client.get(url, {"q": "Ivan"}).content.decode()
    page = client.get(url, {"q": "z@example.com"}).content.decode()
    assert "about the first" in page and "about the second" not in page


def test_a_single_moderation_in_the_change_form_is_recorded(client, editor):
    comment = CommentFactory(status="pending")
    client.force_login(editor)
    url = reverse("admin:articles_comment_change", args=[comment.pk])
    client.post(
        url,
        {"name": comment.name, "email": comment.email, "body": comment.body, "status": "approved"},
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    assert comment.moderated_by == editor and comment.moderated_at is not None


def test_editing_a_comment_into_a_copy_of_the_same_readers_other_one_is_a_form_error(
    client, editor
):
    first = CommentFactory(email="olga@example.com", body="Great reporting.", status="approved")
    second = CommentFactory(article=first.article, email="Olga@Example.com", body="Great work.")
    client.force_login(editor)
    url = reverse("admin:articles_comment_change", args=[second.pk])
    typed = {
        "name": "Olga",
        "email": "olga@example.com",
        "body": "Great reporting.",
        "status": "approved",
    }
    response = client.post(url, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has a comment with exactly this text on this story" in page
    assert "Great reporting.</textarea>" in page
    second.refresh_from_db()
    assert second.body == "Great work." and second.status == CommentStatus.PENDING

    # The same words from another reader, or on another story, are fine.
    other_story = CommentFactory(email="olga@example.com", body="Great work.")
    url = reverse("admin:articles_comment_change", args=[other_story.pk])
    assert client.post(url, typed).status_code == 302
    assert (
        client.post(
            reverse("admin:articles_comment_change", args=[second.pk]),
            {**typed, "email": "ivan@example.com"},
        ).status_code
        == 302
    )


def test_the_queue_shows_why_a_comment_was_held(client, editor):
    CommentFactory(status="spam", hold_reason="The hidden honeypot field was filled in.")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_comment_changelist")).content.decode()
    assert "The hidden honeypot field was filled in." in page


def test_moderators_get_an_email_at_once_when_a_comment_waits(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENTS_NOTIFY = "immediate"
    UserFactory(username="boss", is_superuser=True, email="boss@newsroom.test")
    UserFactory(username="bystander", email="bystander@newsroom.test")  # staff, not a moderator
    article = ArticleFactory(published=True, headline="Border talks")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, name="Olga", email="olga@example.com", body="Worth a look")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["boss@newsroom.test", editor.email]
    assert message.subject == "1 comment awaiting moderation"
    assert "Border talks" in message.body and "Worth a look" in message.body
    comment = Comment.objects.get()
    assert f"/admin/articles/comment/{comment.pk}/change/" in message.body
    assert "olga@example.com" not in message.body
    assert comment.moderators_notified_at is not None


def test_no_email_for_comments_that_do_not_wait(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENTS_NOTIFY = "immediate"
    CommentFactory.create_batch(2, email="olga@example.com", status="approved")
    article = ArticleFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, body="Trusted, so published")
        post(client, article, body="A bot", website="filled")
    assert mail.outbox == []


def test_digest_mode_sends_one_email_from_the_command(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENTS_NOTIFY = "digest"
    article = ArticleFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, body="First waiting")
        post(client, article, body="Second waiting")
    assert mail.outbox == []
    call_command("send_comment_digest")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "2 comments awaiting moderation"
    assert "First waiting" in mail.outbox[0].body and "Second waiting" in mail.outbox[0].body
    call_command("send_comment_digest")  # nothing new: no second email
    assert len(mail.outbox) == 1


def test_off_sends_nothing(client, editor, settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_COMMENTS_NOTIFY = "off"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, ArticleFactory(published=True))
    assert mail.outbox == []


def test_a_mail_server_that_is_down_does_not_lose_the_comment(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_COMMENTS_NOTIFY = "immediate"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    article = ArticleFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, article, body="Kept while mail is down")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.moderators_notified_at is None  # the digest will send it later

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_comment_digest")
    assert "Kept while mail is down" in mail.outbox[0].body


def test_editors_keep_the_blocklist_in_the_admin_and_reporters_cannot(client, editor, reporter):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_blockedword_add"), {"phrase": "Casino Bonus", "note": "spam run"}
    )
    assert response.status_code == 302
    assert BlockedWord.objects.get().phrase == "casino bonus"
    client.force_login(reporter)
    assert client.get(reverse("admin:articles_blockedword_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_bannedcommenter_changelist")).status_code == 403
