"""The story lists: home, section, author and tag pages."""

from itertools import groupby
from operator import attrgetter

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from articles import navigation
from articles.models import Article, Author, Section
from articles.views.paging import MAX_LIST_PAGES, page_or_404
from delivery.pagecache import cache_public_page

STORIES_PER_PAGE = 20
STORIES_PER_SECTION_BLOCK = 4


@cache_public_page
def home(request):
    stories = Article.objects.published().latest_first().for_listing()
    page = page_or_404(request, stories, STORIES_PER_PAGE, MAX_LIST_PAGES)
    context = {"page": page, "stories": page.object_list}
    if page.number == 1:
        section_ids = [section.pk for section in navigation.sections(request)]
        section_stories = (
            Article.objects.published()
            .for_listing()
            .top_per_section(STORIES_PER_SECTION_BLOCK, section_ids)
        )
        context["section_blocks"] = [
            (section, list(stories))
            for section, stories in groupby(section_stories, key=attrgetter("section"))
        ]
    return render(request, "articles/home.html", context)


@cache_public_page
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    stories = Article.objects.published().filter(section=section).latest_first().for_listing()
    return render(
        request,
        "articles/section_detail.html",
        {
            "section": section,
            "current_section": section,
            "page": page_or_404(request, stories, STORIES_PER_PAGE, MAX_LIST_PAGES),
        },
    )


@cache_public_page
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    stories = Article.objects.published().by_author(author).latest_first().for_listing()
    return render(
        request,
        "articles/author_detail.html",
        {"author": author, "page": page_or_404(request, stories, STORIES_PER_PAGE, MAX_LIST_PAGES)},
    )


@cache_public_page
def tag_detail(request, slug):
    published = Article.objects.published()
    # A tag used only on unpublished stories stays unknown: its name could give a story away.
    used = published.filter(tags=OuterRef("pk"))
    tag = get_object_or_404(Tag.objects.filter(Exists(used)), slug=slug)
    stories = published.tagged(tag).latest_first().for_listing()
    return render(
        request,
        "articles/tag_detail.html",
        {"tag": tag, "page": page_or_404(request, stories, STORIES_PER_PAGE, MAX_LIST_PAGES)},
    )
