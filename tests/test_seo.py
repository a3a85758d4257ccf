"""What search engines and social sites read: JSON-LD NewsArticle, Open Graph, Twitter card,
canonical link, meta description."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.utils.text import Truncator
from PIL import Image

from articles.seo import truncated
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.test_admin_desk import png_bytes

pytestmark = pytest.mark.django_db


class HeadReader(HTMLParser):
    """Collects <meta>, <link rel> and JSON-LD scripts as a crawler would."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, {}, []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link" and "rel" in attrs:
            self.links.setdefault(attrs["rel"], []).append(attrs.get("href"))
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def read_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def iso_datetime(value):
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no time zone"
    return parsed


def absolute_url(value):
    assert re.match(r"^https?://[^/\s]+/", value), f"{value} is not an absolute URL"
    return value


def validate_news_article(data):
    """The fields schema.org's NewsArticle and Google's article rich results require."""
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert 0 < len(data["headline"]) <= 110
    assert data["description"]
    assert data["image"] and all(absolute_url(url) for url in data["image"])
    published, modified = iso_datetime(data["datePublished"]), iso_datetime(data["dateModified"])
    assert modified >= published
    assert data["author"], "at least one author"
    for person in data["author"]:
        assert person["@type"] == "Person"
        assert person["name"]
        absolute_url(person["url"])
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"]
    assert publisher["logo"]["@type"] == "ImageObject"
    absolute_url(publisher["logo"]["url"])
    assert data["mainEntityOfPage"]["@type"] == "WebPage"
    absolute_url(data["mainEntityOfPage"]["@id"])


@pytest.fixture
def article():
    article = ArticleFactory(
        published=True,
        created_by=None,
        authors=0,
        headline="Ukraine boosts Belarus border defences as Putin meets Lukashenko " * 2,
        standfirst="Kyiv reinforces the north </script><script>alert(1)</script>",
        section=SectionFactory(name="World", slug="world"),
        hero_alt="Troops at the border",
    )
    article.hero_image.save("hero.png", ContentFile(png_bytes((1200, 800)).read()))
    article.bylines.create(
        author=AuthorFactory(name="Anna Petrenko", slug="anna", job_title="Ukraine correspondent"),
        position=0,
    )
    article.bylines.create(
        author=AuthorFactory(name="Steve Rosenberg", slug="steve", job_title="Russia editor"),
        position=1,
    )
    article.tags.add("Belarus")
    return article


def test_article_json_ld_is_a_valid_news_article(client, article):
    page = read_page(client, article.get_absolute_url())
    assert len(page.json_ld) == 1
    data = json.loads(page.json_ld[0])
    validate_news_article(data)
    assert data["headline"].startswith("Ukraine boosts Belarus border defences")
    assert data["description"].startswith("Kyiv reinforces the north")
    assert [(a["name"], a["jobTitle"], a["url"]) for a in data["author"]] == [
        ("Anna Petrenko", "Ukraine correspondent", "http://testserver/authors/anna/"),
        ("Steve Rosenberg", "Russia editor", "http://testserver/authors/steve/"),
    ]
    assert data["articleSection"] == "World" and data["keywords"] == ["Belarus"]
    assert data["mainEntityOfPage"]["@id"] == f"http://testserver{article.get_absolute_url()}"


def test_json_ld_cannot_break_out_of_its_script_element(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    script = html[html.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<" not in script[len('<script type="application/ld+json">') :]


def test_story_without_hero_image_uses_the_site_logo(client):
    plain = ArticleFactory(published=True, created_by=None)
    page = read_page(client, plain.get_absolute_url())
    data = json.loads(page.json_ld[0])
    validate_news_article(data)
    assert data["image"] == [data["publisher"]["logo"]["url"]]
    assert page.meta["twitter:card"] == ["summary"]
    logo = data["publisher"]["logo"]
    assert logo["url"] == "http://testserver/static/img/logo.png"
    with Image.open(finders.find("img/logo.png")) as image:
        assert image.size == (logo["width"], logo["height"])


def test_open_graph_twitter_canonical_and_description(client, article):
    page = read_page(client, article.get_absolute_url())
    url = f"http://testserver{article.get_absolute_url()}"
    assert page.links["canonical"] == [url]
    assert page.meta["description"][0].startswith("Kyiv reinforces the north")
    assert page.meta["og:type"] == ["article"]
    assert page.meta["og:url"] == [url]
    assert page.meta["og:title"] == [article.headline]
    assert page.meta["og:description"] == page.meta["description"]
    assert page.meta["og:site_name"] == ["Newsroom"]
    absolute_url(page.meta["og:image"][0])
    assert page.meta["og:image:alt"] == ["Troops at the border"]
    assert int(page.meta["og:image:width"][0]) > 0
    iso_datetime(page.meta["article:published_time"][0])
    assert page.meta["article:section"] == ["World"]
    assert page.meta["article:tag"] == ["Belarus"]
    assert page.meta["article:author"] == [
        "http://testserver/authors/anna/",
        "http://testserver/authors/steve/",
    ]
    assert page.meta["twitter:card"] == ["summary_large_image"]
    assert page.meta["twitter:title"] == [article.headline]
    assert page.meta["twitter:image"] == page.meta["og:image"]


def test_old_slug_canonical_is_the_current_one(client, article):
    response = client.get(f"/articles/{article.pk}/an-old-slug/")
    assert response.status_code == 301
    page = read_page(client, response["Location"])
    assert page.links["canonical"] == [f"http://testserver{article.get_absolute_url()}"]


@pytest.mark.parametrize("url", ["/sections/world/", "/authors/anna/", "/tags/belarus/"])
def test_list_pages_have_canonical_and_description(client, article, url):
    page = read_page(client, url)
    assert page.links["canonical"] == [f"http://testserver{url}"]
    assert page.meta["description"][0]


@pytest.mark.parametrize(
    "text",
    [
        "Kyiv digs in.",
        "x" * 300,
        "x" * 301,
        "e\u0301" * 200,  # 400 code points, 200 characters once combined: not cut
        "e\u0301" * 301,
        "Cafe\u0301 " * 70,  # decomposed: normalized, as Truncator gives it
        "Cafe\u0301",  # short and decomposed: normalized too
        "",
    ],
)
def test_truncated_is_djangos_truncator(text):
    assert truncated(text, 300) == Truncator(text).chars(300)
