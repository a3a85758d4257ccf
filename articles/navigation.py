"""The site's sections, as the navigation lists them: read once per content version."""

from articles.models import Section
from delivery.versioned import PerVersion

_sections = PerVersion(lambda: list(Section.objects.all()))


def sections(request):
    return _sections.get(request)


def section(request, slug):
    """The section at `slug`, from the same list (no query of its own), or None."""
    for found in sections(request):
        if found.slug == slug:
            return found
    return None
