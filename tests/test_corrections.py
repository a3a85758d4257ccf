"""Corrections, clarifications and updates on published stories."""

import json
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, CorrectionKind
from tests.factories import ArticleFactory
from tests.test_admin_desk import change_url, existing_post, inline_management
from tests.test_feeds_sitemaps import SITEMAP_QUERIES

pytestmark = pytest.mark.django_db

NS = {"atom": "http://www.w3.org/2005/Atom", "sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}

QUERIES = 10  # the article page (ads, related stories) with its corrections prefetched


def correction_post(article, *rows):
    data = existing_post(article, **inline_management("corrections", len(rows)))
    for index, (kind, text) in enumerate(rows):
        data[f"corrections-{index}-kind"] = kind
        data[f"corrections-{index}-text"] = text
        data[f"corrections-{index}-at_0"] = timezone.localtime().strftime("%Y-%m-%d")
        data[f"corrections-{index}-at_1"] = timezone.localtime().strftime("%H:%M:%S")
    return data


def test_editor_adds_a_correction_in_the_article_admin_and_readers_see_it(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    response = client.post(
        change_url(article),
        correction_post(article, (CorrectionKind.CORRECTION, "An earlier version misspelt Minsk.")),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    correction = Correction.objects.get()
    assert correction.author == editor
    assert correction.article == article

    page = client.get(article.get_absolute_url()).content.decode()
    foot = page.split('class="story__corrections"')[1]
    assert "Correction</strong>" in foot
    assert "An earlier version misspelt Minsk." in foot
    assert f'datetime="{correction.at.isoformat()}"' in foot


def test_a_correction_dated_in_the_future_is_refused_beside_its_time(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    data = correction_post(article, (CorrectionKind.UPDATE, "Adds the Kremlin's response."))
    tomorrow = timezone.localtime() + timedelta(days=1)
    data["corrections-0-at_0"] = tomorrow.strftime("%Y-%m-%d")
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be in the future" in page
    assert "Adds the Kremlin&#x27;s response." in page
    assert not Correction.objects.exists()


def test_corrections_inline_is_only_for_editors_on_published_stories(client, editor, reporter):
    draft = ArticleFactory(created_by=reporter)
    client.force_login(reporter)
    page = client.get(change_url(draft)).content.decode()
    assert "corrections-TOTAL_FORMS" not in page
    # A crafted POST from the reporter adds nothing.
    client.post(change_url(draft), correction_post(draft, ("correction", "Sneaky")))
    assert not Correction.objects.exists()

    client.force_login(editor)
    assert "corrections-TOTAL_FORMS" not in client.get(change_url(draft)).content.decode()
    published = ArticleFactory(published=True)
    assert "corrections-TOTAL_FORMS" in client.get(change_url(published)).content.decode()


def test_last_modified_follows_the_latest_correction(editor):
    article = ArticleFactory(published=True)
    assert article.last_modified == article.publish_at
    later = timezone.now() + timedelta(minutes=5)
    Correction.objects.create(
        article=article, kind=CorrectionKind.UPDATE, text="Adds the Kremlin's response.", at=later
    )
    Correction.objects.create(
        article=article,
        kind=CorrectionKind.CLARIFICATION,
        text="Clarifies the date.",
        at=later - timedelta(minutes=1),
    )
    fresh = Article.objects.for_page().get(pk=article.pk)
    assert fresh.last_modified == later


def test_corrections_are_shown_in_order_with_the_update_time(client):
    article = ArticleFactory(published=True)
    first = timezone.now() - timedelta(minutes=30)
    Correction.objects.create(article=article, kind="update", text="Second note.", at=first)
    Correction.objects.create(
        article=article, kind="correction", text="First note.", at=first - timedelta(minutes=5)
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("First note.") < page.index("Second note.")
    assert "; updated <time" in page


def test_article_page_queries_do_not_grow_with_corrections(client, django_assert_max_num_queries):
    article = ArticleFactory(published=True)
    Correction.objects.create(article=article, kind="update", text="One.")
    with django_assert_max_num_queries(QUERIES):
        client.get(article.get_absolute_url())
    for n in range(20):
        Correction.objects.create(article=article, kind="update", text=f"More {n}.")
    with django_assert_max_num_queries(QUERIES):
        client.get(article.get_absolute_url())


def test_a_correction_moves_date_modified_the_feeds_and_the_sitemaps(client):
    """One modification time everywhere: the page's "updated" line, JSON-LD dateModified,
    Open Graph, Atom <updated> (entry and feed), RSS lastBuildDate and the sitemaps' lastmod.
    The correction is added without saving the story, so only the correction can move them."""
    published = timezone.now().replace(microsecond=0) - timedelta(days=2)
    article = ArticleFactory(published=True, publish_at=published)
    corrected = published + timedelta(days=1, minutes=7)
    Correction.objects.create(
        article=article, kind="correction", text="Fixes a name.", at=corrected
    )

    page = client.get(article.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )
    assert datetime.fromisoformat(data["dateModified"]) == corrected
    assert datetime.fromisoformat(data["datePublished"]) == published
    stamp = timezone.localtime(corrected).isoformat()
    assert f'<meta property="article:modified_time" content="{stamp}">' in page
    assert f'; updated <time datetime="{stamp}">' in page

    feed = ElementTree.fromstring(client.get(reverse("articles:feed_atom")).content)  # noqa: S314
    assert datetime.fromisoformat(feed.findtext("atom:updated", namespaces=NS)) == corrected
    entry = feed.find("atom:entry", NS)
    assert datetime.fromisoformat(entry.findtext("atom:updated", namespaces=NS)) == corrected
    assert datetime.fromisoformat(entry.findtext("atom:published", namespaces=NS)) == published
    rss = ElementTree.fromstring(client.get(reverse("articles:feed_rss")).content)  # noqa: S314
    assert parsedate_to_datetime(rss.findtext("channel/lastBuildDate")) == corrected

    index = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    articles_part = next(
        s
        for s in index.findall("sm:sitemap", NS)
        if "articles" in s.findtext("sm:loc", namespaces=NS)
    )
    assert datetime.fromisoformat(articles_part.findtext("sm:lastmod", namespaces=NS)) == corrected
    sitemap = ElementTree.fromstring(client.get("/sitemap-articles.xml").content)  # noqa: S314
    # Django's sitemap gives the day only.
    lastmod = sitemap.find("sm:url", NS).findtext("sm:lastmod", namespaces=NS)
    assert lastmod == f"{timezone.localtime(corrected):%Y-%m-%d}"


def test_feed_and_sitemap_queries_do_not_grow_with_corrections(
    client, django_assert_max_num_queries
):
    urls = [
        reverse("articles:feed_atom"),
        reverse("articles:feed_rss"),
        "/sitemap.xml",
        "/sitemap-articles.xml",
    ]
    ArticleFactory(published=True)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(SITEMAP_QUERIES) as queries:
            client.get(url)
        counts[url] = len(queries.captured_queries)
    for _ in range(10):
        article = ArticleFactory(published=True)
        for n in range(3):
            Correction.objects.create(article=article, kind="update", text=f"Note {n}.")
    for url in urls:
        with django_assert_max_num_queries(SITEMAP_QUERIES) as queries:
            client.get(url)
        assert len(queries.captured_queries) == counts[url], url
