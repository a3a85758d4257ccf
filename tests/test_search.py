"""Search: full-text on PostgreSQL, every-word fallback on SQLite, and the page around it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Status
from articles.search import MAX_QUERY_CHARS, clean_query
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def story(**kwargs):
    kwargs.setdefault("created_by", None)
    return ArticleFactory(published=True, **kwargs)


def search_page(client, q, **params):
    response = client.get(reverse("articles:search"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_finds_a_story_by_any_of_its_fields_and_only_published_ones(client):
    story(headline="Ukraine boosts border defences", body="<p>Troops moved north.</p>")
    story(headline="Budget vote", standfirst="Ministers argue over the border tax.")
    story(headline="Weather", body="<p>Rain at the border crossing.</p>")
    ArticleFactory(headline="Border draft", created_by=None)
    ArticleFactory(
        headline="Border scheduled",
        status=Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(hours=2),
        created_by=None,
    )
    page = search_page(client, "border")
    assert "3 stories found" in page
    assert "defences" in page and "Budget vote" in page and "Weather" in page
    assert "Border draft" not in page and "Border scheduled" not in page


def test_every_word_must_be_found_in_the_story(client):
    story(headline="Border talks in Minsk", body="<p>Lukashenko hosted Putin.</p>")
    story(headline="Border talks elsewhere", body="<p>Nothing about Belarus.</p>")
    page = search_page(client, "border Lukashenko")
    assert "Minsk" in page and "elsewhere" not in page


def test_headline_matches_rank_above_standfirst_above_body(client):
    now = timezone.now()
    body = story(
        headline="Third", body="<p>The sanctions were lifted.</p>", publish_at=now
    )  # newest, so only the weighting can put it last
    standfirst = story(
        headline="Second",
        standfirst="Sanctions and what they mean.",
        publish_at=now - timedelta(hours=1),
    )
    headline = story(headline="Sanctions tightened", publish_at=now - timedelta(hours=2))
    results = list(Article.objects.published().search("sanctions"))
    assert results == [headline, standfirst, body]


def test_snippets_keep_paragraphs_apart(client):
    story(headline="Weather", body="<p>It rained in Minsk.</p><p>Storms followed.</p>")
    page = search_page(client, "storms")
    assert "Minsk. <mark>Storms</mark> followed" in page
    assert page.count('type="search"') == 1  # the page's own search form, not the masthead's


def test_results_highlight_the_words_and_escape_the_text(client):
    story(
        headline="Tom & Jerry <b>talks</b>",
        body="<p>Long before the talks began, &lt;script&gt; was quoted.</p>",
    )
    page = search_page(client, "talks")
    assert "Tom &amp; Jerry &lt;b&gt;<mark>talks</mark>" in page
    assert "before the <mark>talks</mark> began, &lt;script&gt; was quoted" in page
    assert "<script>" not in page and "<b>talks" not in page


@pytest.mark.postgres
def test_english_stemming_finds_other_forms_of_a_word(client):
    story(headline="Leaders are talking", body="<p>Negotiations continued.</p>")
    page = search_page(client, "talks")
    assert "Leaders are" in page
    assert "<mark>talking</mark>" in page
    assert "Negotiations" in search_page(client, "negotiation")


@pytest.mark.postgres
def test_search_vector_follows_edits_and_the_gin_index_is_used():
    article = story(headline="Quiet day")
    assert not Article.objects.published().search("earthquake").exists()
    article.body = "<p>An earthquake struck at dawn.</p>"
    article.save()
    assert list(Article.objects.published().search("earthquake")) == [article]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["articles_article_search_vector_gin"],
        )
        assert "USING gin (search_vector)" in cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Article.objects.search("earthquake").values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "articles_article_search_vector_gin" in plan


def test_empty_query_explains_how_to_search(client):
    SectionFactory(name="World", slug="world")
    page = search_page(client, "   ")
    assert "Type one or more words" in page
    assert 'href="/sections/world/"' in page


def test_no_results_says_so_and_suggests_what_to_do(client):
    story(headline="Something else")
    page = search_page(client, "zanzibar")
    assert "No stories match “zanzibar”" in page
    assert "Check the spelling" in page


def test_a_query_of_thousands_of_characters_is_cut_not_an_error(client):
    story(headline="Border news")
    page = search_page(client, "border " + "x" * 5000 + " words" * 800)
    assert f"first {MAX_QUERY_CHARS} characters" in page
    assert "<mark>Border</mark> news" in page


@pytest.mark.parametrize(
    "raw",
    ['"unbalanced', "a & | ! ( ) : * <", "-", "\x00null", "or or or", "ünïcödé 🚀", "%_\\"],
)
def test_awkward_queries_never_fail(client, raw):
    story(headline="Border news")
    search_page(client, raw)


def test_clean_query_cuts_at_a_word_boundary():
    query, shortened = clean_query("word " * 100)
    assert shortened and len(query) <= MAX_QUERY_CHARS and query.endswith("word")
    assert clean_query("  two\n words\t") == ("two words", False)


def test_results_are_paginated_with_the_query_kept(client):
    for n in range(12):
        story(headline=f"Election update {n}")
    page = search_page(client, "election")
    assert "12 stories found" in page
    assert 'href="?q=election&amp;page=2"' in page
    assert "Page 2 of 2" in search_page(client, "election", page=2)
    assert client.get(reverse("articles:search"), {"q": "election", "page": 9}).status_code == 404


def test_search_queries_do_not_grow(client, django_assert_max_num_queries):
    section = SectionFactory(slug="world")
    story(section=section, headline="Election day", authors=5, tags=3, comments=2)
    with django_assert_max_num_queries(6) as small:
        search_page(client, "election")
    for n in range(50):
        story(section=section, headline=f"Election {n}", authors=5, tags=3, comments=2)
    with django_assert_max_num_queries(6) as large:
        page = search_page(client, "election")
    assert "51 stories found" in page
    assert len(large.captured_queries) == len(small.captured_queries)
