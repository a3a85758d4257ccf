"""Feeds (RSS 2.0, Atom), sitemap.xml with its parts, the Google News sitemap, robots.txt.
Every response is parsed as XML, the way a feed reader or a crawler reads it."""

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

# The index: the latest modification of each sitemap, the sections' and authors' counts, and
# the newest story of the news sitemap.
SITEMAP_QUERIES = 7

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def story(**kwargs):
    kwargs.setdefault("created_by", None)
    return ArticleFactory(published=True, **kwargs)


def hidden_stories(section=None, author=None):
    """A draft and a scheduled story, which no machine may see either."""
    section = section or SectionFactory()
    draft = ArticleFactory(headline="Hidden draft", section=section, created_by=None)
    scheduled = ArticleFactory(
        headline="Hidden embargoed story",
        section=section,
        status=Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(hours=3),
        created_by=None,
    )
    if author:
        for article in (draft, scheduled):
            article.bylines.create(author=author, position=5)


def get_xml(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(content_type)
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own output


def rss(client, url):
    root = get_xml(client, url, "application/rss+xml")
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel")


def atom(client, url):
    root = get_xml(client, url, "application/atom+xml")
    assert root.tag == f"{{{NS['atom']}}}feed"
    return root


@pytest.fixture
def byline_story():
    anna = AuthorFactory(name="Anna Petrenko", slug="anna", job_title="Ukraine correspondent")
    steve = AuthorFactory(name="Steve Rosenberg", slug="steve", job_title="Russia editor")
    world = SectionFactory(name="World", slug="world")
    article = story(
        headline="Border talks",
        standfirst="Leaders meet in Minsk.",
        section=world,
        authors=0,
    )
    article.bylines.create(author=anna, position=0)
    article.bylines.create(author=steve, position=1)
    article.tags.add("Belarus", "Ukraine")
    hidden_stories(world, anna)
    return article


def test_latest_rss_has_full_metadata_and_only_public_stories(client, byline_story):
    channel = rss(client, reverse("articles:feed_rss"))
    assert channel.findtext("title") == "Newsroom: latest stories"
    assert channel.findtext("link") == "http://testserver/"
    assert channel.findtext("language") == "en"
    assert channel.findtext("ttl") == "15"
    assert channel.find("atom:link", NS).get("rel") == "self"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Border talks"]
    item = items[0]
    url = f"http://testserver{byline_story.get_absolute_url()}"
    assert item.findtext("link") == url and item.findtext("guid") == url
    assert item.findtext("description") == "Leaders meet in Minsk."
    published = parsedate_to_datetime(item.findtext("pubDate"))
    assert abs(published - byline_story.publish_at) < timedelta(seconds=1)
    assert [c.findtext(".") for c in item.findall("dc:creator", NS)] == [
        "Anna Petrenko",
        "Steve Rosenberg",
    ]
    assert sorted(c.text for c in item.findall("category")) == ["Belarus", "Ukraine", "World"]


def test_latest_atom_has_every_author_with_a_link(client, byline_story):
    feed = atom(client, reverse("articles:feed_atom"))
    assert feed.findtext("atom:title", namespaces=NS) == "Newsroom: latest stories"
    entries = feed.findall("atom:entry", NS)
    assert [e.findtext("atom:title", namespaces=NS) for e in entries] == ["Border talks"]
    entry = entries[0]
    authors = [
        (a.findtext("atom:name", namespaces=NS), a.findtext("atom:uri", namespaces=NS))
        for a in entry.findall("atom:author", NS)
    ]
    assert authors == [
        ("Anna Petrenko", "http://testserver/authors/anna/"),
        ("Steve Rosenberg", "http://testserver/authors/steve/"),
    ]
    assert entry.findtext("atom:published", namespaces=NS)
    assert entry.findtext("atom:updated", namespaces=NS)
    assert entry.findtext("atom:summary", namespaces=NS) == "Leaders meet in Minsk."
    terms = sorted(c.get("term") for c in entry.findall("atom:category", NS))
    assert terms == ["Belarus", "Ukraine", "World"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_and_author_feeds_hold_only_their_stories(client, byline_story, kind):
    story(headline="Elsewhere", section=SectionFactory(slug="sport"))
    section_url = reverse(f"articles:section_feed_{kind}", kwargs={"slug": "world"})
    author_url = reverse(f"articles:author_feed_{kind}", kwargs={"slug": "steve"})
    for url in (section_url, author_url):
        if kind == "rss":
            titles = [i.findtext("title") for i in rss(client, url).findall("item")]
        else:
            entries = atom(client, url).findall("atom:entry", NS)
            titles = [e.findtext("atom:title", namespaces=NS) for e in entries]
        assert titles == ["Border talks"], url


@pytest.mark.parametrize("name", ["section_feed_rss", "author_feed_atom"])
def test_feeds_of_unknown_slugs_are_404(client, name):
    assert client.get(reverse(f"articles:{name}", kwargs={"slug": "nope"})).status_code == 404


def test_pages_advertise_their_feeds(client, byline_story):
    home = client.get("/").content.decode()
    assert f'href="{reverse("articles:feed_rss")}"' in home
    section_page = client.get("/sections/world/").content.decode()
    assert 'type="application/atom+xml"' in section_page
    assert 'href="/sections/world/rss/"' in section_page


def test_feed_queries_do_not_grow(client, django_assert_max_num_queries):
    section = SectionFactory(slug="world")
    story(section=section, authors=5, tags=3)
    url = reverse("articles:section_feed_atom", kwargs={"slug": "world"})
    with django_assert_max_num_queries(5) as small:
        client.get(url)
    for _ in range(50):
        story(section=section, authors=5, tags=3)
    with django_assert_max_num_queries(5) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_sitemap_index_lists_articles_sections_and_authors(client, byline_story):
    index = get_xml(client, "/sitemap.xml", "application/xml")
    locations = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert locations == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-authors.xml",
        "http://testserver/news-sitemap.xml",
    ]

    def urls(name):
        root = get_xml(client, f"/sitemap-{name}.xml", "application/xml")
        return {u.findtext("sm:loc", namespaces=NS): u for u in root.findall("sm:url", NS)}

    articles = urls("articles")
    assert list(articles) == [f"http://testserver{byline_story.get_absolute_url()}"]
    assert next(iter(articles.values())).findtext("sm:lastmod", namespaces=NS)
    assert "http://testserver/sections/world/" in urls("sections")
    # Authors with a public story only; nobody else is in the sitemap.
    AuthorFactory(slug="no-stories-yet")
    assert set(urls("authors")) == {
        "http://testserver/authors/anna/",
        "http://testserver/authors/steve/",
    }


def test_the_index_lists_the_news_sitemap_with_its_newest_story(client):
    def news_entry():
        index = get_xml(client, "/sitemap.xml", "application/xml")
        (entry,) = [
            s
            for s in index.findall("sm:sitemap", NS)
            if s.findtext("sm:loc", namespaces=NS) == "http://testserver/news-sitemap.xml"
        ]
        return entry.findtext("sm:lastmod", namespaces=NS)

    story(publish_at=timezone.now() - timedelta(hours=49))
    assert news_entry() is None  # nothing in the last two days: no date to give
    fresh = story(publish_at=timezone.now().replace(microsecond=0) - timedelta(hours=3))
    story(publish_at=timezone.now() - timedelta(hours=20))
    hidden_stories()
    assert datetime.fromisoformat(news_entry()) == fresh.publish_at


def test_news_sitemap_holds_the_last_48_hours(client):
    story(headline="Fresh & new", publish_at=timezone.now() - timedelta(hours=3))
    story(headline="Old news", publish_at=timezone.now() - timedelta(hours=49))
    hidden_stories()
    root = get_xml(client, "/news-sitemap.xml", "application/xml")
    urls = root.findall("sm:url", NS)
    assert len(urls) == 1
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Fresh & new"
    assert "T" in news.findtext("news:publication_date", namespaces=NS)


def test_sitemap_queries_do_not_grow(client, django_assert_max_num_queries, byline_story):
    urls = ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-authors.xml", "/news-sitemap.xml"]
    small = {}
    for url in urls:
        with django_assert_max_num_queries(SITEMAP_QUERIES) as queries:
            client.get(url)
        small[url] = len(queries.captured_queries)
    for _ in range(30):
        story(section=byline_story.section, authors=3)
    for url in urls:
        with django_assert_max_num_queries(SITEMAP_QUERIES) as queries:
            client.get(url)
        assert len(queries.captured_queries) == small[url], url


def test_robots_txt_points_at_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
