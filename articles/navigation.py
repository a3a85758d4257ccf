"""The site's sections, as the navigation lists them: read once per content version."""

from django.urls import get_script_prefix

from articles.models import Section
from delivery.versioned import PerVersion

_sections = PerVersion(lambda: list(Section.objects.all()))
# {script prefix: [(section, its path)]}: each page links every section, and a link made by
# a method called from the template cost about 6 µs.
_links = PerVersion(dict)


def sections(request):
    return _sections.get(request)


def links(request):
    """(section, path) for each section of the navigation, the paths made once per content
    version and script prefix."""
    by_prefix = _links.get(request)
    prefix = get_script_prefix()
    pairs = by_prefix.get(prefix)
    if pairs is None:
        pairs = by_prefix[prefix] = [
            (section, section.get_absolute_url()) for section in sections(request)
        ]
    return pairs


def section(request, slug):
    """The section at `slug`, from the same list (no query of its own), or None."""
    for found in sections(request):
        if found.slug == slug:
            return found
    return None
