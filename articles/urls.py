from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from articles.views import feeds, listing, preview, public, search, sitemaps

app_name = "articles"

urlpatterns = [
    # First: the page most requests ask for, found before the rest are tried in turn.
    path("articles/<int:pk>/<slug:slug>/", public.article_detail, name="article_detail"),
    path("", listing.home, name="home"),
    path("sections/<slug:slug>/", listing.section_detail, name="section"),
    path("authors/<slug:slug>/", listing.author_detail, name="author"),
    # Tag slugs keep non-Latin letters (django-taggit's default), which <slug:> would refuse.
    path("tags/<str:slug>/", listing.tag_detail, name="tag"),
    path("search/", search.search, name="search"),
    # Feeds: RSS 2.0 and Atom for the latest stories, each section and each author.
    path("feeds/rss/", feeds.LatestStoriesFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestStoriesAtomFeed(), name="feed_atom"),
    path("sections/<slug:slug>/rss/", feeds.SectionFeed(), name="section_feed_rss"),
    path("sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("authors/<slug:slug>/rss/", feeds.AuthorFeed(), name="author_feed_rss"),
    path("authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    # For search engines.
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap_part",
    ),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news_sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("articles/<int:pk>/<slug:slug>/comments/", public.post_comment, name="post_comment"),
    path("preview/<str:signed>/", preview.preview, name="preview"),
]
