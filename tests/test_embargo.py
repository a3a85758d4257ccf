"""Embargo: a scheduled story is absent from every public surface until its time, and present
on all of them right after. No job has to run: the clock passing is enough.

The surfaces are found in the URLconf, so a new public page cannot escape this test: each
public URL name must be listed below, either as a surface to check or as exempt with why.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from articles.models import Article, Status
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

HEADLINE = "Embargoed: central bank cuts rates by half a point"


def surfaces(story, sibling):
    """URL name → (page, what shows the story there once it is out)."""
    author, section = story.byline[0].slug, story.section.slug
    url = story.get_absolute_url()
    return {
        "articles:home": (reverse("articles:home"), HEADLINE),
        "articles:section": (reverse("articles:section", kwargs={"slug": section}), HEADLINE),
        "articles:author": (reverse("articles:author", kwargs={"slug": author}), HEADLINE),
        "articles:tag": (reverse("articles:tag", kwargs={"slug": "rates-embargo"}), HEADLINE),
        "articles:article_detail": (url, HEADLINE),
        # Search highlights the words it matched, so look for the link to the story.
        "articles:search": (reverse("articles:search") + "?q=central+bank", url),
        "articles:feed_rss": (reverse("articles:feed_rss"), HEADLINE),
        "articles:feed_atom": (reverse("articles:feed_atom"), HEADLINE),
        "articles:section_feed_rss": (
            reverse("articles:section_feed_rss", kwargs={"slug": section}),
            HEADLINE,
        ),
        "articles:section_feed_atom": (
            reverse("articles:section_feed_atom", kwargs={"slug": section}),
            HEADLINE,
        ),
        "articles:author_feed_rss": (
            reverse("articles:author_feed_rss", kwargs={"slug": author}),
            HEADLINE,
        ),
        "articles:author_feed_atom": (
            reverse("articles:author_feed_atom", kwargs={"slug": author}),
            HEADLINE,
        ),
        "articles:sitemap_part": (
            reverse("articles:sitemap_part", kwargs={"section": "articles"}),
            url,
        ),
        "articles:news_sitemap": (reverse("articles:news_sitemap"), url),
        # Related stories: the published sibling shares a tag with the embargoed story.
        "related stories": (sibling.get_absolute_url(), HEADLINE),
    }


# Public URL names that are not reader-facing lists or pages of stories, and why.
EXEMPT = {
    "articles:post_comment": "a POST target; checked below to refuse embargoed stories",
    "articles:preview": "opens only with a signed link staff made (tests/test_preview.py)",
    "ads:click": "redirects to an ad's target; shows no stories",
    "healthz": "the load balancer's health check; shows no stories",
    "articles:sitemap": "the sitemap index lists the sitemap parts, which are checked",
    "articles:robots_txt": "names the sitemaps; shows no stories",
    "newsletter:subscribe": "the sign-up form; shows no stories",
    "newsletter:check_inbox": "tells the reader to confirm by email; shows no stories",
    "newsletter:confirm": "confirms a subscription token; shows no stories",
    "newsletter:unsubscribe": "ends a subscription; shows no stories",
}


def public_url_names(patterns=None, namespace=""):
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner == "admin":
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= public_url_names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


@pytest.fixture
def scheduled(editor):
    section, author = SectionFactory(slug="economy"), AuthorFactory(slug="economics-editor")
    sibling = ArticleFactory(published=True, section=section, authors=0)
    sibling.bylines.create(author=author)
    sibling.tags.add("interest rates")
    story = ArticleFactory(status=Status.REVIEW, section=section, headline=HEADLINE, authors=0)
    story.bylines.create(author=author)
    story.tags.add("interest rates", "rates embargo")
    story.publish(by=editor, at=timezone.now() + timedelta(hours=2))
    return Article.objects.for_page().get(pk=story.pk), sibling


def test_every_public_url_is_checked_or_exempt_with_a_reason(scheduled):
    story, sibling = scheduled
    checked = set(surfaces(story, sibling)) | set(EXEMPT)
    found = public_url_names()
    assert {"articles:home", "articles:article_detail", "ads:click"} <= found
    unchecked = sorted(found - checked)
    assert not unchecked, (
        f"New public URL(s) {unchecked}: add them to surfaces() in tests/test_embargo.py "
        "so the embargo is checked there (or to EXEMPT with the reason)."
    )


def test_scheduled_story_is_absent_everywhere_until_its_time_then_present(
    client, scheduled, time_machine
):
    story, sibling = scheduled
    cache.clear()
    pages = surfaces(story, sibling)
    for name, (url, marker) in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        assert marker not in response.content.decode(), f"{name} leaks the embargoed story"
    assert client.get(reverse("articles:tag", kwargs={"slug": "rates-embargo"})).status_code == 404
    comment = client.post(
        reverse("articles:post_comment", kwargs={"pk": story.pk, "slug": story.slug}),
        {"name": "Early", "email": "e@example.com", "body": "First!"},
    )
    assert comment.status_code == 404
    assert not story.comments.exists()

    # A second past the embargo, with whatever the pages cached before.
    time_machine.move_to(story.publish_at + timedelta(seconds=1))
    for name, (url, marker) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert marker in response.content.decode(), f"{name} misses the story once it is out"


def test_the_moment_itself_is_the_boundary(client, scheduled, time_machine):
    story, _ = scheduled
    time_machine.move_to(story.publish_at - timedelta(seconds=1), tick=False)
    assert client.get(story.get_absolute_url()).status_code == 404
    time_machine.move_to(story.publish_at, tick=False)
    assert client.get(story.get_absolute_url()).status_code == 200
