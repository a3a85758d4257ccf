from django import template
from django.utils.html import format_html

from delivery.pagecache import CSRF_MARKER

register = template.Library()


@register.simple_tag
def cacheable_csrf_token():
    """A CSRF field whose token is filled in per response, so the page itself can be cached."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', CSRF_MARKER)
