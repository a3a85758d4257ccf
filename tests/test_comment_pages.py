"""Busy stories show their newest comment threads, and older ones a page at a time."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Comment
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db

PER_PAGE = 3


@pytest.fixture(autouse=True)
def small_pages(settings):
    settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE = PER_PAGE


def approved(article, body, at, parent=None):
    return CommentFactory(
        article=article, status="approved", body=body, created_at=at, parent=parent
    )


@pytest.fixture
def story():
    """Seven threads, "Thread 0" the oldest; thread 2 has a reply."""
    article = ArticleFactory(published=True, created_by=None)
    start = timezone.now() - timedelta(days=1)
    threads = [
        approved(article, f"Thread {n}", start + timedelta(minutes=10 * n)) for n in range(7)
    ]
    approved(article, "Reply to thread 2", start + timedelta(minutes=100), parent=threads[2])
    return article, threads


def shown(page):
    return re.findall(r"<p>(Thread \d|Reply to thread \d)</p>", page)


def get(client, article, **params):
    response = client.get(article.get_absolute_url(), params)
    return response, response.content.decode()


def test_the_story_page_shows_the_newest_threads_in_the_order_they_were_posted(client, story):
    article, _ = story
    response, page = get(client, article)
    assert shown(page) == ["Thread 4", "Thread 5", "Thread 6"]
    # The count is of every approved comment, not of those on the page.
    assert "Comments (8)" in page
    assert '<a rel="next" href="?comments=2#comments">Older comments</a>' in page
    assert "Newer comments" not in page


def test_older_threads_are_on_further_pages_with_their_replies(client, story):
    article, threads = story
    _, second = get(client, article, comments=2)
    assert shown(second) == ["Thread 1", "Thread 2", "Reply to thread 2", "Thread 3"]
    assert f'href="{article.get_absolute_url()}#comments">Newer comments</a>' in second
    assert 'href="?comments=3#comments">Older comments</a>' in second
    # A reply link keeps the reader on the page of the comment it answers.
    assert f'href="?comments=2&amp;reply_to={threads[2].pk}#post-a-comment"' in second
    _, third = get(client, article, comments=3)
    assert shown(third) == ["Thread 0"]
    assert 'href="?comments=2#comments">Newer comments</a>' in third
    assert "Older comments" not in third


def test_a_story_with_one_page_of_threads_has_no_page_links(client):
    article = ArticleFactory(published=True, created_by=None)
    CommentFactory.create_batch(PER_PAGE, article=article, status="approved")
    _, page = get(client, article)
    assert len(re.findall(r'<li class="comment"', page)) == PER_PAGE
    assert "comment-pages" not in page


def test_replies_do_not_push_threads_onto_another_page(client):
    article = ArticleFactory(published=True, created_by=None)
    threads = CommentFactory.create_batch(PER_PAGE, article=article, status="approved")
    CommentFactory(article=article, status="approved", parent=threads[0], body="A reply")
    _, page = get(client, article)
    assert len(re.findall(r'<li class="comment"', page)) == PER_PAGE + 1
    assert "A reply" in page and "comment-pages" not in page


@pytest.mark.parametrize("number", ["4", "0", "-1", "two", "9" * 30])
def test_a_page_of_comments_that_does_not_exist_is_not_found(client, story, number):
    article, _ = story
    response, _ = get(client, article, comments=number)
    assert response.status_code == 404


def test_a_reply_hidden_from_its_thread_still_shows(client, story):
    article, threads = story
    threads[6].status = "rejected"
    threads[6].save()
    CommentFactory(article=article, status="approved", parent=threads[6], body="Thread 7")
    _, page = get(client, article)
    assert shown(page) == ["Thread 4", "Thread 5", "Thread 7"]


def test_a_reply_on_an_older_page_leads_back_to_that_page(client, story, settings):
    article, threads = story
    settings.NEWSROOM_COMMENTS_TRUSTED_AFTER = 1
    # Trusted by an approved comment on another story, so the reply is shown at once.
    CommentFactory(status="approved", email="olga@example.com")
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    data = comment_form_data(article, reply_to=str(threads[2].pk), body="A late reply")
    response = client.post(url, data)
    reply = Comment.objects.get(body="A late reply")
    assert reply.status == "approved" and reply.parent == threads[2]
    assert response["Location"] == f"{article.get_absolute_url()}?comments=2#comment-{reply.pk}"


def test_comment_pages_take_the_same_queries_however_many_threads(
    client, story, django_assert_max_num_queries
):
    article, _ = story
    get(client, article)  # warm: navigation and ads are kept per content version
    with django_assert_max_num_queries(10) as few:
        get(client, article, comments=2)
    CommentFactory.create_batch(30, article=article, status="approved")
    get(client, article)  # the new comments made a new content version: warm again
    with django_assert_max_num_queries(10) as many:
        get(client, article, comments=2)
    assert len(many) == len(few)


def test_a_story_without_approved_comments_reads_none_and_shows_the_readers_own(
    client, story, settings, django_assert_num_queries
):
    settings.NEWSROOM_PAGE_CACHE = False  # each request rendered
    article, _ = story
    get(client, article)  # warm: navigation and ads are kept per content version
    with CaptureQueriesContext(connection) as with_comments:
        get(client, article)
    queries_with_comments = len(with_comments)  # read now: each request clears the log

    quiet = ArticleFactory(published=True, created_by=None)
    CommentFactory(article=quiet, status="pending", body="Not approved yet")
    get(client, quiet)
    with django_assert_num_queries(queries_with_comments - 1):
        response, page = get(client, quiet)
    assert "No comments yet." in page and "Not approved yet" not in page

    # A reader's own held comment shows to them on a story with none approved.
    client.post(
        reverse("articles:post_comment", args=[quiet.pk, quiet.slug]),
        comment_form_data(quiet, name="Olga", body="Mine, awaiting moderation"),
    )
    _, page = get(client, quiet)
    assert "Mine, awaiting moderation" in page and "awaiting moderation." in page


def test_comment_ids_print_plainly_whatever_the_number_format(client, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    article = ArticleFactory(published=True, created_by=None)
    CommentFactory(pk=12345, article=article, status="approved")
    _, page = get(client, article)
    assert 'id="comment-12345"' in page and "?reply_to=12345#post-a-comment" in page


def test_comments_that_fit_on_a_page_come_in_the_storys_own_row(client, story, settings):
    settings.NEWSROOM_PAGE_CACHE = False  # each request rendered
    busy, _ = story  # eight approved comments: more than a page of them
    start = timezone.now() - timedelta(hours=1)
    article = ArticleFactory(published=True, created_by=None)
    first = approved(article, "Thread A", start)
    approved(article, "Reply to A", start + timedelta(minutes=2), parent=first)
    held = CommentFactory(article=article, status="pending", body="Thread held")
    approved(article, "Reply to held", start + timedelta(minutes=3), parent=held)
    for each in (article, busy):
        get(client, each)  # warm: navigation and ads are kept per content version

    with CaptureQueriesContext(connection) as fitting:
        _, page = get(client, article)
    fitting = fitting.captured_queries  # read now: each request clears the log
    # A reply whose parent is not shown begins a thread of its own, as on a page read alone.
    assert re.findall(r"<p>((?:Thread|Reply to) \w+)</p>", page) == [
        "Thread A",
        "Reply to A",
        "Reply to held",
    ]
    with CaptureQueriesContext(connection) as more:
        get(client, busy)
    # The busy story reads its page of threads in a query of its own; the other story's
    # comments came in its own row.
    assert len(more.captured_queries) == len(fitting) + 1
    assert sum(reads_comments(q) for q in more.captured_queries) == 1
    assert not any(reads_comments(q) for q in fitting)


def reads_comments(query):
    return query["sql"].startswith('SELECT "articles_comment".')


def test_a_story_reads_its_approved_comments_in_its_row_only_when_they_are_all():
    article = ArticleFactory(published=True, created_by=None)
    at = timezone.now() - timedelta(hours=1)
    later = approved(article, "Later", at)
    earlier = approved(article, "Earlier", at - timedelta(minutes=5))
    same_time = approved(article, "Tie", at, parent=earlier)
    CommentFactory(article=article, status="pending", body="Held")
    CommentFactory(article=article, status="spam", body="Spam")
    CommentFactory(article=ArticleFactory(published=True), status="approved", body="Elsewhere")

    story = Article.objects.for_page(first_comments=3).get(pk=article.pk)
    comments = story.read_approved_comments()
    assert story.read_approved_comments() == comments  # read again, the same
    assert [c.body for c in comments] == ["Earlier", "Later", "Tie"]
    assert [c.pk for c in comments] == [earlier.pk, later.pk, same_time.pk]
    assert comments[2].parent_id == earlier.pk and comments[0].created_at == earlier.created_at
    # A reader's page never reads the commenter's email or the moderation record.
    assert {"email", "ip_hash", "moderated_by_id"} <= comments[0].get_deferred_fields()

    # More approved comments than a page: the story's row carries none of them, and the page
    # reads its own (None here).
    busy = Article.objects.for_page(first_comments=2).get(pk=article.pk)
    assert busy.packed_comments is None and busy.read_approved_comments() is None
    # Not asked for: None too, and the story's row carries no comments.
    plain = Article.objects.for_page().get(pk=article.pk)
    assert plain.read_approved_comments() is None and not hasattr(plain, "packed_comments")
    quiet = ArticleFactory(published=True, created_by=None)
    assert (
        Article.objects.for_page(first_comments=3).get(pk=quiet.pk).read_approved_comments() == []
    )
