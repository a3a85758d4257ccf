from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.utils.functional import cached_property

# Story lists (home, section, author, tag pages) go back this many pages. Counting and
# skipping tens of thousands of stories made deep pages take seconds; search finds the rest.
MAX_LIST_PAGES = 50


class ListTooDeep(Http404):
    """A page past the end of what a list shows; its message is shown to the reader."""


class CappedPaginator(Paginator):
    """Counts at most `max_pages` pages of stories, and reads each page as narrow rows first:
    the page's ids are found with OFFSET, whole stories are read only for those ids."""

    def __init__(self, object_list, per_page, max_pages):
        super().__init__(object_list, per_page)
        self.limit = max_pages * per_page

    @cached_property
    def counted(self):
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.limit)

    @property
    def capped(self):
        """True when the list has older stories than its pages show."""
        return self.counted > self.limit

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def page_or_404(request, object_list, per_page, max_pages=None):
    """The requested page of a list; a page that is not a number or out of range is a 404."""
    requested = request.GET.get("page") or 1
    if max_pages is None:
        paginator = Paginator(object_list, per_page)
    else:
        paginator = CappedPaginator(object_list, per_page, max_pages)
    try:
        return paginator.page(requested)
    except InvalidPage as error:
        if max_pages is not None and paginator.capped and _number(requested) > max_pages:
            raise ListTooDeep(
                f"This list goes back {max_pages} pages, to its {paginator.limit:,} newest stories."
            ) from error
        raise Http404(str(error)) from error


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
