"""The reader's pages: home, section, author, tag and article pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import reverse
from django.utils import timezone

from ads.models import Ad, AdSlot
from articles.models import Status
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def header_ad(db):
    slot = AdSlot.objects.create(key="header", name="Header")
    return Ad.objects.create(slot=slot, name="House", text="Read the briefing", target_url="/")


def story(**kwargs):
    kwargs.setdefault("created_by", None)  # no desk user: hashing passwords is slow
    return ArticleFactory(published=True, **kwargs)


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def test_home_has_lead_latest_and_a_block_per_section_in_navigation_order(client):
    world = SectionFactory(name="World", slug="world", position=1)
    sport = SectionFactory(name="Sport", slug="sport", position=2)
    business = SectionFactory(name="Business", slug="business", position=3)
    story(section=sport, headline="Cup final tonight", publish_at=hours_ago(1))
    story(section=world, headline="Summit ends", publish_at=hours_ago(2))
    for n in range(6):
        story(section=business, headline=f"Markets item {n}", publish_at=hours_ago(10 + n))
    ArticleFactory(section=business, headline="Draft merger story", created_by=None)

    page = client.get(reverse("articles:home")).content.decode()

    assert page.index("teaser--lead") < page.index("Cup final tonight") < page.index("Summit ends")
    blocks = [page.index(f'id="section-{slug}"') for slug in ("world", "sport", "business")]
    assert blocks == sorted(blocks)
    business_block = page[blocks[2] :]
    # Four newest of the section, not the older two.
    assert "Markets item 3" in business_block and "Markets item 4" not in business_block
    assert f'href="{business.get_absolute_url()}"' in page
    assert "Draft merger story" not in page


def test_navigation_links_every_section_in_position_order(client):
    SectionFactory(name="Later", slug="later", position=5)
    SectionFactory(name="First", slug="first", position=0)
    page = client.get(reverse("articles:home")).content.decode()
    nav = page[page.index('<nav class="site-nav"') :]
    assert nav.index('href="/sections/first/"') < nav.index('href="/sections/later/"')


def test_navigation_links_follow_the_script_prefix_of_each_request(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False  # each request rendered, the navigation still kept
    SectionFactory(name="World", slug="world")

    def nav():
        page = client.get(reverse("articles:home")).content.decode()
        return page[page.index('<nav class="site-nav"') :]

    # The links are kept per content version: a site mounted under a prefix gets its own.
    assert 'href="/sections/world/"' in nav()
    with override_script_prefix("/news/"):
        assert 'href="/news/sections/world/"' in nav()
    assert 'href="/sections/world/"' in nav()


def test_home_more_pages(client):
    section = SectionFactory(slug="world")
    for n in range(25):
        story(section=section, headline=f"Item {n:02d}", publish_at=hours_ago(n + 1))
    first = client.get(reverse("articles:home")).content.decode()
    assert "Item 00" in first and "Item 20" not in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get(reverse("articles:home"), {"page": 2}).content.decode()
    assert "Item 20" in second and "Item 24" in second and "Item 00" not in second


@pytest.mark.parametrize("page", ["abc", "0", "99", "-1", "1.5"])
def test_bad_or_out_of_range_pages_are_404(client, page):
    section = SectionFactory(slug="world")
    story(section=section)
    for url in [reverse("articles:home"), section.get_absolute_url()]:
        response = client.get(url, {"page": page})
        assert response.status_code == 404, url
        assert "We cannot find that page" in response.content.decode()


def test_section_page_lists_its_published_stories_paginated(client):
    world = SectionFactory(name="World", slug="world")
    other = SectionFactory(name="Sport", slug="sport")
    for n in range(22):
        story(section=world, headline=f"World item {n:02d}", publish_at=hours_ago(n + 1))
    story(section=other, headline="Sport item")
    ArticleFactory(
        section=world,
        headline="Scheduled world story",
        status=Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(hours=1),
        created_by=None,
    )
    response = client.get(world.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>World</h1>" in page
    assert "World item 00" in page and "World item 21" not in page
    assert "Sport item" not in page and "Scheduled world story" not in page
    assert 'aria-current="page">World</a>' in page
    second = client.get(world.get_absolute_url(), {"page": 2}).content.decode()
    assert "World item 21" in second


def test_author_page_shows_photo_role_bio_and_their_stories(client):
    from django.core.files.base import ContentFile

    from tests.test_admin_desk import png_bytes

    author = AuthorFactory(
        name="Steve Rosenberg", slug="steve-rosenberg", job_title="Russia editor", bio="In Moscow."
    )
    author.photo.save("steve.png", ContentFile(png_bytes().read()))
    mine = story(headline="Why Putin went to Minsk")
    mine.bylines.create(author=author, position=1)
    story(headline="Someone else's story")
    draft = ArticleFactory(headline="Unpublished draft", created_by=None)
    draft.bylines.create(author=author, position=1)

    response = client.get(author.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Steve Rosenberg" in page and "Russia editor" in page and "In Moscow." in page
    assert 'class="author-card__photo"' in page
    assert "Why Putin went to Minsk" in page
    assert "Someone else" not in page and "Unpublished draft" not in page


def test_tag_page_lists_published_stories_with_the_tag(client):
    tagged = story(headline="Border story")
    tagged.tags.add("Belarus")
    story(headline="Untagged story")
    response = client.get(reverse("articles:tag", kwargs={"slug": "belarus"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Belarus</h1>" in page and "Border story" in page and "Untagged story" not in page


def test_tag_only_on_unpublished_stories_is_unknown(client):
    ArticleFactory(created_by=None).tags.add("Secret merger")
    response = client.get(reverse("articles:tag", kwargs={"slug": "secret-merger"}))
    assert response.status_code == 404


def test_non_latin_tag_has_a_page(client):
    story(headline="Minsk story").tags.add("Беларусь")
    page = client.get(story(headline="Other").get_absolute_url()).content.decode()
    response = client.get(reverse("articles:tag", kwargs={"slug": "беларусь"}))
    assert response.status_code == 200
    assert "Minsk story" in response.content.decode()
    assert "Беларусь" not in page  # the other story is not tagged


@pytest.mark.parametrize("name", ["section", "author", "tag"])
def test_unknown_slugs_are_404(client, name):
    response = client.get(reverse(f"articles:{name}", kwargs={"slug": "no-such-thing"}))
    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()


def test_article_page_links_section_authors_tags_and_shows_reading_time(client):
    article = story(body="<p>" + "word " * 690 + "</p>")
    article.tags.add("Belarus")
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{article.section.get_absolute_url()}"' in page
    assert f'href="{article.byline[0].get_absolute_url()}"' in page
    assert 'href="/tags/belarus/" rel="tag"' in page
    assert "3 min read" in page


def test_related_stories_share_tags_first_then_section(client):
    world, sport = SectionFactory(slug="world"), SectionFactory(slug="sport")
    article = story(section=world, headline="Main story")
    article.tags.add("Belarus", "Ukraine")
    both = story(section=sport, headline="Shares two tags", publish_at=hours_ago(30))
    both.tags.add("Belarus", "Ukraine")
    one = story(section=sport, headline="Shares one tag", publish_at=hours_ago(20))
    one.tags.add("Ukraine")
    story(section=world, headline="Same section only", publish_at=hours_ago(2))
    story(section=sport, headline="Unrelated story")
    hidden = ArticleFactory(section=world, headline="Draft in section", created_by=None)
    hidden.tags.add("Belarus")

    page = client.get(article.get_absolute_url()).content.decode()
    related = page[page.index('id="related-heading"') :]
    assert (
        related.index("Shares two tags")
        < related.index("Shares one tag")
        < related.index("Same section only")
    )
    assert "Unrelated story" not in related and "Draft in section" not in related
    assert "Main story" not in related


def test_each_story_page_lists_its_own_related_stories(client, settings):
    # Pages built afresh, one after the other: the related query is compiled once, bound anew.
    settings.NEWSROOM_PAGE_CACHE = False
    world, sport, culture = (SectionFactory(slug=slug) for slug in ("world", "sport", "culture"))
    first = story(section=world, headline="First main")
    first.tags.add("Belarus")
    second = story(section=sport, headline="Second main")
    second.tags.add("Chess")
    story(section=culture, headline="About Belarus").tags.add("Belarus")
    story(section=culture, headline="About chess").tags.add("Chess")

    def related(article):
        page = client.get(article.get_absolute_url()).content.decode()
        return page[page.index('id="related-heading"') :]

    assert "About Belarus" in related(first) and "About chess" not in related(first)
    assert "About chess" in related(second) and "About Belarus" not in related(second)
    assert "About Belarus" in related(first)


def test_previous_slug_redirects_permanently_to_the_canonical_url(client):
    article = story(headline="First headline")
    old_url = article.get_absolute_url()
    article.headline, article.slug = "Corrected headline", "corrected-headline"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_teasers_show_approved_comment_counts(client):
    article = story(headline="Talked about", comments=3)
    CommentFactory(article=article, status="pending")
    page = client.get(reverse("articles:home")).content.decode()
    assert "3 comments" in page


# Fixed query counts as the data grows: 50 stories with 5 authors, 3 tags and 2 comments each.


def grow_newsroom(section, author, count):
    for n in range(count):
        article = story(section=section, authors=5, tags=3, comments=2, publish_at=hours_ago(n))
        article.bylines.create(author=author, position=9)
        article.tags.add("Common")
    return article


def page_urls(section, author, article):
    return {
        "home": reverse("articles:home"),
        "home page 2": reverse("articles:home") + "?page=1",
        "section": section.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": "common"}),
        "article": article.get_absolute_url(),
    }


def test_page_queries_do_not_grow_with_stories_authors_tags_comments(
    client, django_assert_max_num_queries, header_ad
):
    section, author = SectionFactory(slug="world"), AuthorFactory(slug="steve")
    for n in range(4):
        SectionFactory(slug=f"extra-{n}")
    first = grow_newsroom(section, author, 2)  # two, so the first has a related story
    small = {}
    for name, url in page_urls(section, author, first).items():
        with django_assert_max_num_queries(11) as queries:
            assert client.get(url).status_code == 200
        small[name] = len(queries.captured_queries)

    for extra in SectionFactory._meta.model.objects.exclude(pk=section.pk):
        story(section=extra, authors=5, tags=3)
    grow_newsroom(section, author, 50)
    first.tags.add(*[f"shared {n}" for n in range(5)])
    for name, url in page_urls(section, author, first).items():
        with django_assert_max_num_queries(11) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries.captured_queries) == small[name], name
    assert response.content.decode().count('class="teaser"') == 4  # related stories


def test_list_pages_read_no_story_bodies(client):
    # A teaser shows none of it, and it is the largest column (2.6 kB a story at scale).
    section, author = SectionFactory(slug="world"), AuthorFactory(slug="steve")
    first = grow_newsroom(section, author, 3)
    urls = page_urls(section, author, first)
    for name in ["home", "section", "author", "tag"]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(urls[name]).content.decode()
        assert page.count('class="teaser') >= 3, name
        assert not [q for q in queries.captured_queries if '"body"' in q["sql"]], name
    with CaptureQueriesContext(connection) as queries:
        client.get(urls["article"])
    assert any('"articles_article"."body"' in q["sql"] for q in queries.captured_queries)
