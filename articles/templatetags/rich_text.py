from django import template

from articles.richtext import safe_rich_text

register = template.Library()


@register.filter
def rich_text(html):
    """Stored rich text, cleaned once more on the way out (see articles.richtext)."""
    return safe_rich_text(html)
