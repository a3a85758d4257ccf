"""Rich text: one editor configuration, one sanitizer, used by forms and models alike."""

from functools import cache

from django.conf import settings
from django_prose_editor.fields import ProseEditorField, create_sanitizer


def RichTextField(**kwargs):  # noqa: N802 - reads as a field class at the call site
    return ProseEditorField(extensions=settings.PROSE_EDITOR_EXTENSIONS, sanitize=True, **kwargs)


@cache
def _sanitizer():
    return create_sanitizer(settings.PROSE_EDITOR_EXTENSIONS)


def sanitize_html(html):
    """Clean HTML to what the editor can produce, wherever it came from."""
    return _sanitizer()(html or "")
