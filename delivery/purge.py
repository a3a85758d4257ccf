"""The CDN purge hook: after a change commits, ask the shared cache to drop changed pages."""

import logging
import urllib.request

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger(__name__)


def changed_paths(article_ids):
    """The story pages and every list that shows them: home, section, author and tag pages."""
    from articles.models import Article

    paths = {"/"}
    stories = (
        Article.objects.filter(pk__in=article_ids)
        .select_related("section")
        .prefetch_related("authors", "tags")
    )
    for article in stories:
        paths.add(article.get_absolute_url())
        paths.add(reverse("articles:section", args=[article.section.slug]))
        paths.update(reverse("articles:author", args=[a.slug]) for a in article.authors.all())
        paths.update(reverse("articles:tag", args=[t.slug]) for t in article.tags.all())
    return sorted(paths)


def purge_pages(article_ids):
    """Call NEWSROOM_CDN_PURGE_URL once per changed path. Failures are logged, never raised."""
    template = settings.NEWSROOM_CDN_PURGE_URL
    if not template:
        return
    for path in changed_paths(article_ids):
        url = template.format(path=path)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in settings
            url, method=settings.NEWSROOM_CDN_PURGE_METHOD, headers={"X-Newsroom-Purge": "1"}
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.NEWSROOM_CDN_PURGE_TIMEOUT
            ):
                pass
        except Exception:
            logger.exception("CDN purge failed for %s", url)
