"""Rich text: one editor configuration, one sanitizer, used by forms and models alike."""

import re
from functools import cache, lru_cache

import nh3
from django.conf import settings
from django.utils.safestring import mark_safe
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorField

# Every link in stored text gets this rel, whatever the author (or a paste) wrote.
LINK_REL = "noopener noreferrer"


def RichTextField(**kwargs):  # noqa: N802 - reads as a field class at the call site
    return ProseEditorField(
        extensions=settings.PROSE_EDITOR_EXTENSIONS, sanitize=sanitize_html, **kwargs
    )


@cache
def _cleaner():
    # The editor's extensions are the allow-list; only the link rel is ours to set.
    allowlist = allowlist_from_extensions(expand_extensions(settings.PROSE_EDITOR_EXTENSIONS))
    attributes = {tag: set(names) - {"rel"} for tag, names in allowlist["attributes"].items()}
    return nh3.Cleaner(
        tags=allowlist["tags"],
        attributes=attributes,
        url_schemes=allowlist["url_schemes"],
        link_rel=LINK_REL,
    )


def sanitize_html(html):
    """Clean HTML to what the editor can produce, wherever it came from."""
    cleaned = _cleaner().clean(html or "")
    # The editor always sends at least one empty paragraph; an empty field stores nothing.
    return "" if re.fullmatch(r"<(\w+)></\1>", cleaned) else cleaned


# Stored texts cleaned for pages, kept in each process: the same text is not cleaned again on
# every request. Keyed by the whole text, so only identical input gets a kept result.
PAGE_TEXTS_KEPT = 256


@lru_cache(maxsize=PAGE_TEXTS_KEPT)
def sanitized_for_page(html):
    """sanitize_html for stored text on its way to a page, remembered per text."""
    return sanitize_html(html)


def safe_rich_text(html):
    """Stored rich text for a template: cleaned again, so rows written around save() are safe."""
    return mark_safe(sanitized_for_page(html or ""))  # noqa: S308 - nh3 cleaned it
