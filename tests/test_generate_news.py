"""generate_news: realistic bulk data, and the pages keep their query counts as it grows."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from taggit.models import TaggedItem

from articles.models import Article, Comment, CommentStatus, Status
from tests.planner import row_estimates

pytestmark = pytest.mark.django_db


def generate(articles, comments):
    call_command(
        "generate_news",
        articles=articles,
        comments=comments,
        batch_size=25,
        no_progress=True,
        stdout=io.StringIO(),
    )


def test_generates_what_was_asked_with_realistic_text():
    generate(articles=60, comments=300)
    assert Article.objects.count() == 60
    assert Comment.objects.count() == 300
    published = Article.objects.published()
    assert published.count() > 45
    story = published.first()
    assert story.body.startswith("<p>") and len(story.body) > 300
    assert story.byline and story.slug
    assert TaggedItem.objects.exists()
    assert Comment.objects.filter(status=CommentStatus.APPROVED).count() > 200
    assert not Comment.objects.exclude(article__status=Status.PUBLISHED).exists()


def test_the_filled_tables_have_planner_statistics():
    generate(articles=60, comments=300)
    # Set by ANALYZE in this very transaction: autovacuum cannot see uncommitted rows.
    assert row_estimates([Article, Comment]) == {"articles_article": 60, "articles_comment": 300}


def busiest_story():
    return Article.objects.published().annotate(n=Count("comments")).order_by("-n").first()


def query_counts(client, story):
    """Queries per page, rendered for staff so that the page cache does not hide them."""
    counts = {}
    for name, url in (
        ("home", "/"),
        ("article", story.get_absolute_url()),
        ("admin list", "/admin/articles/article/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    return counts


def test_pages_keep_their_query_counts_as_the_data_grows(admin_client):
    generate(articles=10, comments=20)
    small = query_counts(admin_client, busiest_story())
    generate(articles=150, comments=1200)
    story = busiest_story()
    assert story.n > 30
    assert query_counts(admin_client, story) == small
