"""RSS 2.0 and Atom feeds: the latest stories, each section's and each author's."""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed

from articles.models import Article, Author, Section

FEED_ITEMS = 30
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class NewsRssFeed(Rss201rev2Feed):
    """RSS 2.0 with one <dc:creator> per byline author (Django writes only the first)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["byline"][1:]:
            handler.addQuickElement("dc:creator", name, {"xmlns:dc": DUBLIN_CORE})


class NewsAtomFeed(Atom1Feed):
    """Atom with one <author> per byline author (Django writes only the first)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["byline"][1:]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")


class LatestStoriesFeed(Feed):
    feed_type = NewsRssFeed
    language = "en"
    ttl = 15  # minutes: a newsroom publishes through the day

    def __call__(self, request, *args, **kwargs):
        # One copy per request, so the request (for absolute author URLs) is never shared.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self, obj=None):
        return f"{settings.NEWSROOM_SITE_NAME}: latest stories"

    def link(self, obj=None):
        return "/"

    def description(self, obj=None):
        return f"The latest stories from {settings.NEWSROOM_SITE_NAME}."

    def feed_copyright(self, obj=None):
        return f"© {settings.NEWSROOM_SITE_NAME}"

    def stories(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        stories = self.stories(obj).latest_first().for_listing().with_last_modified()
        return stories.prefetch_related("tags")[:FEED_ITEMS]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # Atom's <updated> (and the feed's own) follow corrections, like the page's dateModified.
        return item.last_modified

    def item_author_name(self, item):
        authors = item.byline
        return authors[0].name if authors else None

    def item_author_link(self, item):
        authors = item.byline
        return self.request.build_absolute_uri(authors[0].get_absolute_url()) if authors else None

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tag_list)]

    def item_enclosures(self, item):
        picture = item.hero_picture
        if picture is None:
            return []
        largest = picture.largest
        url = self.request.build_absolute_uri(largest["url"])
        return [Enclosure(url, str(largest["bytes"]), "image/jpeg")]

    def item_copyright(self, item):
        return self.feed_copyright()

    def item_extra_kwargs(self, item):
        return {
            "byline": [
                (author.name, self.request.build_absolute_uri(author.get_absolute_url()))
                for author in item.byline
            ]
        }


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = NewsAtomFeed
    subtitle = LatestStoriesFeed.description


class SectionFeed(LatestStoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj=None):
        return f"{settings.NEWSROOM_SITE_NAME}: {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def description(self, obj=None):
        return f"The latest {obj.name} stories from {settings.NEWSROOM_SITE_NAME}."

    def stories(self, obj):
        return Article.objects.published().filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = NewsAtomFeed
    subtitle = SectionFeed.description


class AuthorFeed(LatestStoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj=None):
        return f"{settings.NEWSROOM_SITE_NAME}: {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def description(self, obj=None):
        role = f", {obj.job_title}" if obj.job_title else ""
        return f"Stories by {obj.name}{role}, from {settings.NEWSROOM_SITE_NAME}."

    def stories(self, obj):
        return Article.objects.published().by_author(obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsAtomFeed
    subtitle = AuthorFeed.description
