"""The site's own 404 page: one that says why, when the reason helps the reader."""

from django.shortcuts import render

from articles.views.paging import ListTooDeep


def page_not_found(request, exception):
    message = str(exception) if isinstance(exception, ListTooDeep) else ""
    return render(request, "404.html", {"message": message}, status=404)
