"""Privacy: the IP address only as a salted hash; a commenter's data deleted on request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Comment
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_the_ip_address_is_stored_only_as_a_salted_hash(settings):
    article = ArticleFactory(published=True)
    post(Client(REMOTE_ADDR="198.51.100.23"), article, body="one")
    post(Client(REMOTE_ADDR="198.51.100.23"), article, body="two", email="b@example.com")
    post(Client(REMOTE_ADDR="198.51.100.24"), article, body="three", email="c@example.com")
    hashes = dict(Comment.objects.values_list("body", "ip_hash"))
    assert hashes["one"] == hashes["two"] != hashes["three"]
    assert len(hashes["one"]) == 64
    stored = [str(v) for row in Comment.objects.values_list() for v in row]
    assert not any("198.51.100" in value for value in stored)

    # The hash is keyed: with another secret the same address hashes differently.
    settings.NEWSROOM_COMMENTS_HASH_SECRET = "another secret"
    post(Client(REMOTE_ADDR="198.51.100.23"), article, body="four", email="d@example.com")
    assert Comment.objects.get(body="four").ip_hash != hashes["one"]


def test_the_address_behind_a_proxy_is_the_one_the_proxy_added(settings):
    settings.NEWSROOM_COMMENTS_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.NEWSROOM_COMMENTS_RATE_LIMIT = 1
    article = ArticleFactory(published=True)
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    proxy = Client(REMOTE_ADDR="10.0.0.1")

    def send(body, forwarded_for):
        data = comment_form_data(article, body=body)
        return proxy.post(url, data, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert send("a", "203.0.113.5").status_code == 302
    assert send("b", "203.0.113.6").status_code == 302  # another reader behind the proxy
    # A reader cannot escape the rate limit by sending a forged header of their own.
    assert send("c", "1.2.3.4, 203.0.113.5").status_code == 429
    first, second = Comment.objects.order_by("pk").values_list("ip_hash", flat=True)
    assert first and second and first != second


def test_an_editor_deletes_a_commenters_data_after_confirming(client, editor):
    article = ArticleFactory(published=True)
    theirs = CommentFactory(article=article, email="leaving@example.com", status="approved")
    CommentFactory(email="LEAVING@example.com", status="pending")  # on another story
    reply = CommentFactory(article=article, parent=theirs, status="approved", body="A reply")
    CommentFactory(article=article, email="staying@example.com", status="approved")
    client.force_login(editor)
    url = reverse("admin:articles_comment_changelist")
    data = {"action": "erase_commenters", "_selected_action": [theirs.pk]}

    confirm = client.post(url, data)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "leaving@example.com" in page and "2 comments in all" in page
    assert Comment.objects.count() == 4  # nothing deleted before the editor confirms

    response = client.post(url, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assert not Comment.objects.filter(email="leaving@example.com").exists()
    reply.refresh_from_db()  # other readers' replies stay, now on their own
    assert reply.parent is None
    assert Comment.objects.count() == 2


def test_reporters_cannot_delete_commenters_data(client, reporter):
    comment = CommentFactory(email="leaving@example.com")
    client.force_login(reporter)
    client.post(
        reverse("admin:articles_comment_changelist"),
        {"action": "erase_commenters", "_selected_action": [comment.pk], "confirm": "yes"},
    )
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize(
    "threads_per_page",
    [50, 1],
    ids=["comments in the story's row", "a page of comments on its own"],
)
def test_the_story_page_reads_no_commenters_email_or_address(settings, threads_per_page):
    settings.NEWSROOM_PAGE_CACHE = False
    settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE = threads_per_page
    article = ArticleFactory(published=True, created_by=None)
    first = CommentFactory(article=article, email="first@example.com", status="approved")
    reply = CommentFactory(article=article, parent=first, status="approved")
    client = Client()
    client.get(article.get_absolute_url())  # the page's queries compiled once

    with CaptureQueriesContext(connection) as queries:
        page = client.get(article.get_absolute_url())

    assert page.status_code == 200
    assert first.body in page.content.decode()
    assert reply.body in page.content.decode()
    comment_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "articles_comment".')]
    # The shown fields only, and no read per comment afterwards: with the story when they fit
    # on a page, else in a query of their own.
    assert len(comment_reads) == (0 if threads_per_page == 50 else 1)
    for sql in [q["sql"] for q in queries if '"articles_comment"' in q["sql"]]:
        assert '"email"' not in sql
        assert "ip_hash" not in sql
