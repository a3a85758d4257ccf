from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def page_or_404(request, object_list, per_page):
    """The requested page of a list; a page that is not a number or out of range is a 404."""
    paginator = Paginator(object_list, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
