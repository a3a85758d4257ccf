"""The desk dashboard on the admin index."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def section(page, heading_id):
    """The HTML of one dashboard panel."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_reporter_sees_drafts_returned_notes_and_own_review(
    client, reporter, editor, other_reporter
):
    ArticleFactory(created_by=reporter, headline="Plain draft")
    returned = ArticleFactory(created_by=reporter, status=Status.REVIEW, headline="Sent back")
    returned.return_to_draft(by=editor, note="Needs a second source on the troop numbers.")
    ArticleFactory(created_by=reporter, status=Status.REVIEW, headline="Mine in review")
    ArticleFactory(created_by=other_reporter, status=Status.REVIEW, headline="Someone else's")
    ArticleFactory(created_by=other_reporter, headline="Not my draft")
    client.force_login(reporter)
    page = client.get(INDEX).content.decode()

    drafts = section(page, "board-drafts")
    assert "Plain draft" in drafts and "Sent back" in drafts and "Not my draft" not in drafts
    back = section(page, "board-returned")
    assert "Sent back" in back and "Plain draft" not in back
    assert "Needs a second source on the troop numbers." in back and "editor-one" in back
    review = section(page, "board-review")
    assert "Mine in review" in review and "Someone else" not in review
    assert 'id="board-comments"' not in page


def test_editor_sees_the_queue_the_schedule_recent_stories_and_pending_comments(client, editor):
    ArticleFactory(status=Status.REVIEW, headline="Waiting one")
    at = timezone.now() + timedelta(hours=5)
    ArticleFactory(status=Status.PUBLISHED, publish_at=at, headline="Out at five")
    ArticleFactory(published=True, headline="Out already")
    CommentFactory(
        article=ArticleFactory(published=True, headline="Commented"),
        status="pending",
        body="Is this true?",
    )
    CommentFactory(status="approved", body="Already fine.")
    client.force_login(editor)
    page = client.get(INDEX).content.decode()

    assert "Waiting one" in section(page, "board-review")
    scheduled = section(page, "board-scheduled")
    assert "Out at five" in scheduled and f'datetime="{at.isoformat()}"' in scheduled
    assert "Out at five" not in section(page, "board-published")
    assert "Out already" in section(page, "board-published")
    comments = section(page, "board-comments")
    assert "Is this true?" in comments and "Already fine." not in comments
    # The usual app list is still there.
    assert reverse("admin:articles_article_changelist") in page


def test_dashboard_queries_do_not_grow(client, editor, django_assert_max_num_queries):
    def fill():
        for _ in range(3):
            ArticleFactory(created_by=editor)
            ArticleFactory(status=Status.REVIEW)
            ArticleFactory(status=Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1))
            ArticleFactory(published=True)
            CommentFactory(status="pending")
            back = ArticleFactory(created_by=editor, status=Status.REVIEW)
            back.return_to_draft(by=editor, note="Again")

    client.force_login(editor)
    fill()
    with django_assert_max_num_queries(QUERIES):
        client.get(INDEX)
    for _ in range(4):
        fill()
    with django_assert_max_num_queries(QUERIES):
        page = client.get(INDEX).content.decode()
    assert section(page, "board-returned").count("<li>") == 8


QUERIES = 13  # session, user, permissions, app list with pending count, six panels, recent actions
