from django.conf import settings

from articles.models import Section


def site(request):
    # A queryset is lazy: pages that do not show the navigation run no query for it.
    return {"site_name": settings.NEWSROOM_SITE_NAME, "nav_sections": Section.objects.all()}
