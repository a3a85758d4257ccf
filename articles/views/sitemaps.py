"""sitemap.xml (an index of articles, sections and authors), the Google News sitemap and
robots.txt."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from articles.models import Article, Author, Byline, Section

# Google News reads stories from the last two days, at most 1000 of them.
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_STORIES = 1000


def _latest_publish_at(stories):
    return Subquery(stories.order_by("-publish_at").values("publish_at")[:1])


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        stories = Article.objects.published().latest_first().with_last_modified()
        return stories.only("pk", "slug", "publish_at")

    def lastmod(self, article):
        # As the page's dateModified: publication or the latest correction.
        return article.last_modified

    def get_latest_lastmod(self):
        # The index asks for this; Django's default would load every story to find it.
        return Article.objects.published().latest_modified()


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        newest = Article.objects.published().filter(section=OuterRef("pk"))
        return Section.objects.annotate(last_published=_latest_publish_at(newest))

    def lastmod(self, section):
        return section.last_published


class AuthorSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        # Authors with at least one public story; the rest have nothing to index.
        public_bylines = Byline.objects.filter(article__in=Article.objects.published())
        newest = Article.objects.published().by_author(OuterRef("pk"))
        return (
            Author.objects.filter(pk__in=public_bylines.values("author"))
            .annotate(last_published=_latest_publish_at(newest))
            .order_by("name", "pk")
        )

    def lastmod(self, author):
        return author.last_published


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap, "authors": AuthorSitemap}


def news_stories():
    return (
        Article.objects.published()
        .filter(publish_at__gte=timezone.now() - NEWS_WINDOW)
        .latest_first()
    )


@require_GET
def sitemap_index(request):
    """Every sitemap, the Google News sitemap included.

    A news sitemap is a sitemap with the news extension, and an index may list any sitemap of
    the site in its directory or below (Google Search Central: news sitemaps; sitemap index
    files): one address, in robots.txt or Search Console, then finds them all.
    """
    response = sitemap_views.index(request, SITEMAPS, sitemap_url_name="articles:sitemap_part")
    location = reverse("articles:news_sitemap")
    newest = news_stories().values_list("publish_at", flat=True).first()
    response.context_data["sitemaps"].append(
        SitemapIndexItem(f"{request.scheme}://{get_current_site(request).domain}{location}", newest)
    )
    return response


@require_GET
def news_sitemap(request):
    stories = news_stories().only("pk", "slug", "headline", "publish_at")[:NEWS_MAX_STORIES]
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "stories": stories,
            "base_url": request.build_absolute_uri("/").rstrip("/"),
            "publication_name": settings.NEWSROOM_SITE_NAME,
            "language": settings.LANGUAGE_CODE.split("-")[0],
        },
        content_type="application/xml; charset=utf-8",
    )


@require_GET
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {
            "sitemap_url": request.build_absolute_uri(reverse("articles:sitemap")),
            "news_sitemap_url": request.build_absolute_uri(reverse("articles:news_sitemap")),
        },
        content_type="text/plain; charset=utf-8",
    )
