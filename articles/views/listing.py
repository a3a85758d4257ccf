"""The story lists: home, section, author and tag pages.

Their queries are built and compiled once per process (newsroom/precompiled.py), each request
binding its own values: the time that decides what is published, the section, author or tag.
"""

from itertools import groupby
from operator import attrgetter

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from taggit.models import Tag

from articles import navigation
from articles.models import Article, Author
from articles.views.paging import MAX_LIST_PAGES, StoryList, story_page_or_404
from delivery.pagecache import cache_public_page
from newsroom.precompiled import Precompiled

STORIES_PER_PAGE = 20
STORIES_PER_SECTION_BLOCK = 4

LATEST = StoryList(lambda now: Article.objects.published(now).latest_first().for_listing())
IN_SECTION = StoryList(
    lambda now, section: (
        Article.objects.published(now).filter(section=section).latest_first().for_listing()
    )
)
BY_AUTHOR = StoryList(
    lambda now, author: (
        Article.objects.published(now).by_author(author).latest_first().for_listing()
    )
)
TAGGED = StoryList(
    lambda now, tag: Article.objects.published(now).tagged(tag).latest_first().for_listing()
)
SECTION_BLOCKS = Precompiled(
    lambda per_section, now, section_ids: (
        Article.objects.published(now).for_listing().top_per_section(per_section, section_ids)
    )
)
AUTHOR = Precompiled(lambda slug: Author.objects.filter(slug=slug))
# A tag used only on unpublished stories stays unknown: its name could give a story away.
TAG = Precompiled(
    lambda now, slug: Tag.objects.filter(
        Exists(Article.objects.published(now).filter(tags=OuterRef("pk"))), slug=slug
    )
)


@cache_public_page
def home(request):
    now = timezone.now()
    page = story_page_or_404(request, LATEST, STORIES_PER_PAGE, MAX_LIST_PAGES, now=now)
    context = {"page": page, "stories": page.object_list}
    if page.number == 1:
        section_stories = SECTION_BLOCKS(
            STORIES_PER_SECTION_BLOCK,
            now=now,
            section_ids=[section.pk for section in navigation.sections(request)],
        )
        context["section_blocks"] = [
            (section, list(stories))
            for section, stories in groupby(section_stories, key=attrgetter("section"))
        ]
    return render(request, "articles/home.html", context)


@cache_public_page
def section_detail(request, slug):
    section = navigation.section(request, slug)
    if section is None:
        raise Http404("No such section.")
    page = story_page_or_404(
        request,
        IN_SECTION,
        STORIES_PER_PAGE,
        MAX_LIST_PAGES,
        now=timezone.now(),
        section=section.pk,
    )
    return render(
        request,
        "articles/section_detail.html",
        {"section": section, "current_section": section, "page": page},
    )


@cache_public_page
def author_detail(request, slug):
    author = _found_or_404(AUTHOR.first(slug=slug))
    page = story_page_or_404(
        request, BY_AUTHOR, STORIES_PER_PAGE, MAX_LIST_PAGES, now=timezone.now(), author=author.pk
    )
    return render(request, "articles/author_detail.html", {"author": author, "page": page})


@cache_public_page
def tag_detail(request, slug):
    now = timezone.now()
    tag = _found_or_404(TAG.first(now=now, slug=slug))
    page = story_page_or_404(request, TAGGED, STORIES_PER_PAGE, MAX_LIST_PAGES, now=now, tag=tag.pk)
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


def _found_or_404(found):
    if found is None:
        raise Http404("No such page.")
    return found
