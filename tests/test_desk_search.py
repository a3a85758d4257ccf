"""The desk's admin searches: what they find, and on PostgreSQL that trigram indexes find it."""

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {
    "articles_article_headline_trgm": "headline",
    "articles_article_standfirst_trgm": "standfirst",
    "articles_comment_body_trgm": "body",
    "articles_comment_name_trgm": "name",
    "articles_comment_email_trgm": "email",
}


@pytest.fixture
def queue(client, editor):
    client.force_login(editor)
    url = reverse("admin:articles_comment_changelist")
    return lambda q: client.get(url, {"q": q}).content.decode()


@pytest.fixture
def comments():
    flood = ArticleFactory(published=True, headline="Flooding in the Lowlands")
    other = ArticleFactory(published=True, headline="Budget talks")
    return [
        CommentFactory(article=flood, body="First wet comment", name="Zofia", email="z@a.example"),
        CommentFactory(article=other, body="Second dry COMMENT", name="Ivan", email="iv@b.example"),
        CommentFactory(article=other, body="Third one", name="Olga Lowe", email="olga@c.example"),
    ]


def found(page):
    return {body for body in ("First wet", "Second dry", "Third one") if body in page}


def test_the_comment_search_finds_by_body_name_email_and_story_headline(queue, comments):
    assert found(queue("DRY")) == {"Second dry"}
    assert found(queue("comment")) == {"First wet", "Second dry"}
    assert found(queue("zof")) == {"First wet"}
    assert found(queue("c.example")) == {"Third one"}
    assert found(queue("budget")) == {"Second dry", "Third one"}
    # A substring of a headline and of a name, case aside.
    assert found(queue("LOW")) == {"First wet", "Third one"}
    assert found(queue("nothing-like-this")) == set()


def test_every_word_must_match_somewhere_and_quotes_keep_a_phrase(queue, comments):
    assert found(queue("budget ivan")) == {"Second dry"}
    assert found(queue("flooding ivan")) == set()
    assert found(queue('"dry comment"')) == {"Second dry"}
    assert found(queue('"comment dry"')) == set()


def test_searching_the_queue_runs_no_more_queries_than_listing_it(client, editor, comments):
    client.force_login(editor)
    url = reverse("admin:articles_comment_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as listing:
        client.get(url)
    with CaptureQueriesContext(connection) as searching:
        client.get(url, {"q": "budget"})
    assert len(searching) == len(listing)


def test_the_story_search_finds_headline_and_standfirst_substrings(client, editor):
    ArticleFactory(headline="Prime Minister resigns", standfirst="A quiet exit.")
    ArticleFactory(headline="Harvest festival", standfirst="The ministers stayed away.")
    ArticleFactory(headline="Weather", standfirst="Rain.")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_changelist"), {"q": "MINISTER"})
    text = page.content.decode()
    assert "Prime Minister resigns" in text and "Harvest festival" in text
    assert "Weather" not in text


def desk_search(model, term):
    request = RequestFactory().get("/", {"q": term})
    queryset, _ = site.get_model_admin(model).get_search_results(request, model.objects.all(), term)
    return queryset


def plan(queryset):
    """The plan of the search's WHERE as the changelist's count and date range use it."""
    with connection.cursor() as cursor:
        # The test database is tiny: make the planner show whether an index can be used for
        # the condition. Only bitmap scans are left, so a whole-table walk of some other
        # index (the primary key's, filtered) cannot stand in for the trigram index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_the_migration_made_trigram_indexes_on_what_icontains_compares():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(TRIGRAM_INDEXES)],
        )
        made = dict(cursor.fetchall())
    assert set(made) == set(TRIGRAM_INDEXES)
    for name, column in TRIGRAM_INDEXES.items():
        # PostgreSQL prints upper(body) for a text column, upper((name)::text) for a varchar.
        definition = made[name].replace(f"(({column})::text)", f"({column})")
        assert f"USING gin (upper({column}) gin_trgm_ops)" in definition


@pytest.mark.postgres
def test_the_desk_searches_use_the_trigram_indexes(comments):
    stories = plan(desk_search(Article, "minister"))
    assert "articles_article_headline_trgm" in stories
    assert "articles_article_standfirst_trgm" in stories

    queue = plan(desk_search(Comment, "minister"))
    for index in (
        "articles_comment_body_trgm",
        "articles_comment_name_trgm",
        "articles_comment_email_trgm",
        "articles_article_headline_trgm",
    ):
        assert index in queue
    # The story part is an index lookup of the matching stories' ids, not a join or a
    # filter on every comment.
    assert "JOIN" not in queue.upper() and "SubPlan" not in queue
    assert "Seq Scan" not in queue
