from django.conf import settings

from articles import navigation


def site(request):
    # A callable: pages that do not show the navigation read nothing for it, and the others
    # read it once per content version in each process.
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": lambda: navigation.sections(request),
        "nav_links": lambda: navigation.links(request),
    }
