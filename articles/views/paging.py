from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.http import Http404
from django.utils.functional import cached_property

from newsroom.precompiled import Precompiled

# Story lists (home, section, author, tag pages) go back this many pages. Counting and
# skipping tens of thousands of stories made deep pages take seconds; search finds the rest.
MAX_LIST_PAGES = 50


class ListTooDeep(Http404):
    """A page past the end of what a list shows; its message is shown to the reader."""


class StoryList:
    """A story list whose queries are built and compiled once per process, each request
    binding its own values (newsroom/precompiled.py): `build(**values)` is the whole list, in
    its order, as the page shows it.

    Its pages are read as narrow rows first: a page's ids are found with OFFSET, whole stories
    are read only for those ids. The page's bounds are a slice, so each page is a shape of its
    own.
    """

    def __init__(self, build):
        self._counted = Precompiled(
            lambda limit, **values: build(**values).order_by().values("pk")[:limit]
        )
        self._page = Precompiled(lambda bottom, top, **values: _page(build(**values), bottom, top))

    def count(self, limit, **values):
        """How many stories the list has, counting no further than `limit`."""
        return self._counted.count(limit, **values)

    def page(self, bottom, top, **values):
        """The stories from the list's `bottom` to before its `top`, in the list's order."""
        return self._page(bottom, top, **values)


def _page(stories, bottom, top):
    return stories.filter(pk__in=stories.values("pk")[bottom:top])


class CappedPaginator(Paginator):
    """Counts at most `max_pages` pages of the StoryList `stories` with these `values`."""

    def __init__(self, stories, values, per_page, max_pages):
        super().__init__(stories, per_page)
        self.values = values
        self.max_pages = max_pages
        self.limit = max_pages * per_page

    @cached_property
    def counted(self):
        return self.object_list.count(self.limit + 1, **self.values)

    @cached_property
    def count(self):
        return min(self.counted, self.limit)

    @property
    def capped(self):
        """True when the list has older stories than its pages show."""
        return self.counted > self.limit

    def validate_number(self, number):
        """As Paginator's; a page past the last one shown of a longer list is ListTooDeep."""
        try:
            return super().validate_number(number)
        except EmptyPage as error:
            # EmptyPage: `number` is a whole number, out of range.
            if self.capped and int(number) > self.max_pages:
                raise ListTooDeep(
                    f"This list goes back {self.max_pages} pages, "
                    f"to its {self.limit:,} newest stories."
                ) from error
            raise

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        stories = self.object_list.page(bottom, bottom + self.per_page, **self.values)
        return self._get_page(stories, number, self)


def page_or_404(request, object_list, per_page):
    """The requested page of a list; a page that is not a number or out of range is a 404."""
    return _page_or_404(request, Paginator(object_list, per_page))


def story_page_or_404(request, stories, per_page, max_pages, **values):
    """The requested page of the StoryList `stories` with these `values`, as `page_or_404`;
    a page past the `max_pages` a long list shows is a 404 that says so (ListTooDeep)."""
    return _page_or_404(request, CappedPaginator(stories, values, per_page, max_pages))


def _page_or_404(request, paginator):
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
