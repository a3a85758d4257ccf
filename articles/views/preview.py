from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from articles.models import Article, PreviewLink


@never_cache  # private, no-store: a preview must never sit in a shared cache
def preview(request, signed):
    """A story as readers will see it, for anyone holding a valid preview link."""
    link = PreviewLink.objects.from_signed(signed)
    if link is None:
        raise Http404("No such preview.")
    if not link.is_valid:
        response = render(request, "articles/preview_gone.html", {"link": link}, status=410)
    else:
        article = Article.objects.for_page().get(pk=link.article_id)
        response = render(
            request, "articles/article_detail.html", {"article": article, "preview": link}
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
