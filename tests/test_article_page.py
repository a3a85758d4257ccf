import pickle
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ads.models import Ad, AdSlot
from articles.models import Article, Correction, Status
from tests.factories import AnalysisBoxFactory, ArticleFactory, AuthorFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def header_ad(db):
    slot = AdSlot.objects.create(key="header", name="Header")
    return Ad.objects.create(
        slot=slot,
        name="House",
        text="Read the briefing",
        target_url="https://newsroom.example/briefing",
    )


def test_article_page_shows_everything_a_reader_expects(client, header_ad):
    article = ArticleFactory(published=True, authors=0, standfirst="The summary lead.")
    anna = AuthorFactory(name="Anna Petrenko", job_title="Ukraine correspondent")
    steve = AuthorFactory(name="Steve Rosenberg", job_title="Russia editor")
    article.bylines.create(author=anna, position=0)
    article.tags.add("Belarus")
    AnalysisBoxFactory(article=article, author=steve, after_paragraph=2, heading="Why now?")
    CommentFactory(article=article, status="approved", body="Visible comment")
    CommentFactory(article=article, status="pending", body="Held comment")
    CommentFactory(article=article, status="spam", body="Buy pills")

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert '<aside class="ad-slot ad-slot--header" aria-label="Advertisement">' in page
    assert 'rel="sponsored noopener"' in page
    assert f'<h1 class="story__headline">{article.headline}</h1>' in page
    assert "Anna Petrenko" in page and "Ukraine correspondent" in page
    assert "The summary lead." in page
    assert "<time datetime=" in page
    # The box sits after the second paragraph, with its author's name and job title.
    assert page.index("Second paragraph.") < page.index('<aside class="analysis-box"')
    assert page.index('<aside class="analysis-box"') < page.index("Third paragraph.")
    assert "Steve Rosenberg" in page and "Russia editor" in page
    assert "Belarus" in page
    assert "Visible comment" in page
    assert "Held comment" not in page and "Buy pills" not in page
    assert "Post a Comment" in page
    # The comment form carries no per-reader token, so the page can be shared by caches.
    assert "csrfmiddlewaretoken" not in page


def test_hero_image_with_alt_caption_and_credit(client):
    from django.core.files.base import ContentFile

    from tests.test_admin_desk import png_bytes

    article = ArticleFactory(
        published=True,
        hero_alt="Troops at the border",
        hero_caption="Near Volyn",
        hero_credit="Reuters",
    )
    article.hero_image.save("hero.png", ContentFile(png_bytes().read()))
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Troops at the border"' in page
    assert 'width="40" height="30"' in page
    assert "Near Volyn" in page and "Reuters" in page


@pytest.mark.parametrize("state", ["draft", "review", "withdrawn", "scheduled"])
def test_unpublished_stories_are_a_styled_404(client, state):
    if state == "scheduled":
        article = ArticleFactory(
            status=Status.PUBLISHED, publish_at=timezone.now() + timedelta(hours=1)
        )
    else:
        article = ArticleFactory(status=state)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()


def test_unknown_story_is_a_404(client):
    response = client.get(reverse("articles:article_detail", kwargs={"pk": 999, "slug": "nope"}))
    assert response.status_code == 404


def test_an_old_slug_redirects_to_the_canonical_url(client):
    article = ArticleFactory(published=True)
    old = reverse("articles:article_detail", kwargs={"pk": article.pk, "slug": "old-headline"})
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_home_lists_latest_published_stories_newest_first(client):
    now = timezone.now()
    old = ArticleFactory(published=True, headline="Older story", publish_at=now - timedelta(days=2))
    new = ArticleFactory(
        published=True, headline="Newer story", publish_at=now - timedelta(hours=1)
    )
    ArticleFactory(headline="Draft story")
    ArticleFactory(
        status=Status.PUBLISHED, headline="Scheduled story", publish_at=now + timedelta(hours=1)
    )
    page = client.get(reverse("articles:home")).content.decode()
    assert page.index(new.headline) < page.index(old.headline)
    assert "Draft story" not in page and "Scheduled story" not in page


def grow(article, n):
    for position in range(1, n + 1):
        article.bylines.create(author=AuthorFactory(), position=position)
    article.tags.add(*[f"extra {i}" for i in range(n)])
    AnalysisBoxFactory.create_batch(n, article=article, after_paragraph=1)
    for number in range(n):
        Correction.objects.create(article=article, kind="update", text=f"Update {number}.")
    CommentFactory.create_batch(n * 3, article=article, status="approved")


def test_article_page_queries_do_not_grow(client, django_assert_max_num_queries, header_ad):
    # With a box and a correction: the most queries a story's page runs.
    article = ArticleFactory(published=True, comments=1, tags=1)
    AnalysisBoxFactory(article=article, after_paragraph=1)
    Correction.objects.create(article=article, kind="update", text="An update.")
    # Story, bylines, tags, boxes, comments, sections, related stories, two ad slots, corrections.
    with django_assert_max_num_queries(10) as small:
        client.get(article.get_absolute_url())
    grow(article, 10)
    with django_assert_max_num_queries(10) as large:
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="comment"') == 31
    assert len(large.captured_queries) == len(small.captured_queries)


def reading(table, queries):
    return sum(f'"{table}"' in query["sql"] for query in queries.captured_queries)


def test_a_storys_relations_come_in_its_own_row(client, header_ad):
    article = ArticleFactory(published=True, comments=1, tags=1)
    with CaptureQueriesContext(connection) as plain:
        page = client.get(article.get_absolute_url()).content.decode()
    assert '<aside class="analysis-box"' not in page and "Corrections and updates" not in page

    AnalysisBoxFactory(article=article, after_paragraph=1, heading="Why now?")
    Correction.objects.create(article=article, kind="update", text="Adds the response.")
    with CaptureQueriesContext(connection) as full:
        page = client.get(article.get_absolute_url()).content.decode()
    assert "Why now?" in page and "Adds the response." in page
    # Boxes and corrections are read in the story's own query (newsroom/packed.py), with its
    # bylines and tags (test_page_relations_answer_without_queries), some or none.
    for queries in (plain, full):
        assert reading("articles_analysisbox", queries) == 1
        assert reading("articles_correction", queries) == 1
    assert len(full.captured_queries) == len(plain.captured_queries)


def test_page_relations_answer_without_queries(django_assert_num_queries):
    article = ArticleFactory(published=True, authors=1)
    article.tags.add("Ukraine", "Belarus", "Russia")
    bare = ArticleFactory(published=True, authors=1)
    with django_assert_num_queries(1):  # bylines, tags, boxes, corrections in the story's row
        story = Article.objects.published().for_page().get(pk=article.pk)
    with django_assert_num_queries(1):
        stories = Article.objects.published().for_page().filter(pk__in=[article.pk, bare.pk])
        stories = {story.pk: story for story in stories}
    with django_assert_num_queries(0):
        for each in [story, stories[article.pk]]:
            # In the order they were added, as taggit gives them.
            assert [tag.name for tag in each.tags.all()] == ["Ukraine", "Belarus", "Russia"]
            assert list(each.analysis_boxes.all()) == list(each.corrections.all()) == []
            assert each.analysis_boxes.count() == each.corrections.count() == 0
        assert list(stories[bare.pk].tags.all()) == []
    # A filter on the prefetched tags stays within the story's tags.
    assert [tag.name for tag in story.tags.filter(name__startswith="R")] == ["Russia"]


def test_home_queries_do_not_grow(client, django_assert_max_num_queries, header_ad):
    ArticleFactory(published=True)
    with django_assert_max_num_queries(7) as small:
        client.get(reverse("articles:home"))
    for _ in range(15):
        ArticleFactory(published=True, authors=3)
    with django_assert_max_num_queries(7) as large:
        client.get(reverse("articles:home"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_server_error_is_a_styled_500_without_a_trace(client, monkeypatch):
    article = ArticleFactory(published=True)

    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("articles.views.public.render_article", broken)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "hunter2" not in page and "Traceback" not in page


def test_stories_read_without_their_packed_relations_are_prefetched_as_django_does():
    article = ArticleFactory(published=True, authors=2)
    article.tags.add("Ukraine")
    AnalysisBoxFactory(article=article, after_paragraph=1, heading="Why now?")
    lookups = Article.objects.for_page()._prefetch_related_lookups
    story = Article.objects.prefetch_related(*lookups).get(pk=article.pk)
    assert [author.pk for author in story.byline] == [
        line.author_id for line in article.bylines.order_by("position", "pk")
    ]
    assert [tag.name for tag in story.tags.all()] == ["Ukraine"]
    assert [box.heading for box in story.analysis_boxes.all()] == ["Why now?"]


@pytest.mark.parametrize("read", ["for_page", "for_listing"])
def test_a_filter_on_prefetched_relations_reads_only_the_storys_own_rows(
    read, django_assert_num_queries
):
    article, other = (ArticleFactory(published=True, authors=2) for _ in range(2))
    for story in (article, other):
        Correction.objects.create(article=story, kind="update", text=f"On {story.pk}.")
    article.tags.add("Russia", "Ukraine")
    stories = {s.pk: s for s in getattr(Article.objects.published(), read)()}
    story = stories[article.pk]
    first, second = story.bylines.all()
    assert list(story.bylines.filter(position=second.position)) == [second]
    # As Django's related manager gives them: the story known, each author read with its line.
    with django_assert_num_queries(1):
        found = story.bylines.get(position=second.position)
        assert found.article is story and found.author.name == second.author.name
    assert story.bylines.order_by("-position").first() == second
    assert story.bylines.count() == 2
    assert [c.text for c in story.corrections.filter(kind="update")] == [f"On {article.pk}."]
    # Every story's relations start from one shared query: a filter on one leaves the rest.
    for each in (other, article):
        assert [c.text for c in stories[each.pk].corrections.filter(kind="update")] == [
            f"On {each.pk}."
        ]
        lines = list(stories[each.pk].bylines.all())
        assert list(stories[each.pk].bylines.exclude(pk=lines[0].pk)) == lines[1:]
    assert [tag.name for tag in stories[article.pk].tags.filter(name__startswith="R")] == ["Russia"]
    assert list(stories[other.pk].tags.filter(name__startswith="R")) == []
    copied = pickle.loads(pickle.dumps(story))  # noqa: S301 - our own bytes, as a cache keeps them
    assert [line.pk for line in copied.bylines.filter(position=second.position)] == [second.pk]


def test_boxes_at_the_end_and_after_a_paragraph_show_in_order(client):
    article = ArticleFactory(published=True, body="<p>One.</p><p>Two.</p><p>Three.</p>")
    AnalysisBoxFactory(article=article, after_paragraph=None, heading="At the end")
    AnalysisBoxFactory(article=article, after_paragraph=2, heading="After two")
    story = Article.objects.published().for_page().get(pk=article.pk)
    assert [box.heading for box in story.analysis_boxes.all()] == ["After two", "At the end"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("Two.") < page.index("After two") < page.index("Three.")
    assert page.index("Three.") < page.index("At the end")
