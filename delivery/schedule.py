"""Changes that happen by the clock, with no save to invalidate the cache."""

from django.utils import timezone

from ads.models import Ad
from articles.models import Article, Status


def next_timed_change(now=None):
    """When a scheduled story next goes public or an ad starts or ends (one query), or None."""
    now = now or timezone.now()
    stories = Article.objects.filter(status=Status.PUBLISHED, publish_at__gt=now).values_list(
        "publish_at"
    )
    ads = Ad.objects.filter(is_active=True)
    starts = ads.filter(starts_at__gt=now).values_list("starts_at")
    ends = ads.filter(ends_at__gt=now).values_list("ends_at")
    moments = stories.order_by().union(starts.order_by(), ends.order_by()).order_by("publish_at")
    return next(iter(moments[:1]), (None,))[0]
