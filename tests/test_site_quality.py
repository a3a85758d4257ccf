"""Quality every public page shares: landmarks, skip link, no JavaScript needed, small CSS
written for the site, readable contrast, a print stylesheet."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR, "static/css/site.css").read_text()


@pytest.fixture
def public_urls():
    article = ArticleFactory(published=True, created_by=None)
    article.tags.add("Belarus")
    author = AuthorFactory(slug="anna")
    article.bylines.create(author=author, position=1)
    return [
        reverse("articles:home"),
        article.section.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "belarus"}),
        reverse("articles:search") + "?q=story",
        article.get_absolute_url(),
    ]


def test_every_page_has_landmarks_a_skip_link_and_needs_no_javascript(client, public_urls):
    for url in public_urls:
        page = client.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in page, url
        assert '<main id="main"' in page, url
        for landmark in ("<header", "<nav", "<footer"):
            assert landmark in page, (url, landmark)
        assert page.count("<h1") == 1, url
        scripts = re.findall(r"<script([^>]*)>", page)
        assert all('type="application/ld+json"' in attrs for attrs in scripts), (url, scripts)


def test_stylesheet_is_small_and_has_no_framework():
    assert len(CSS.encode()) < 16 * 1024
    assert "bootstrap" not in CSS.lower() and "tailwind" not in CSS.lower()


def test_stylesheet_has_visible_focus_and_a_print_version():
    assert re.search(r"a:focus-visible[^{]*\{[^}]*outline: 3px solid", CSS)
    print_rules = CSS[CSS.index("@media print") :]
    for hidden in (".site-nav", ".ad-slot", ".comment-form", ".masthead__search"):
        assert hidden in print_rules


def relative_luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def test_text_colours_meet_wcag_aa_contrast_on_their_backgrounds():
    palette = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS))
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("accent", "paper"),
        ("ink", "aside"),
        ("muted", "aside"),
    ]
    for foreground, background in pairs:
        ratio = contrast(palette[foreground], palette[background])
        assert ratio >= 4.5, f"--{foreground} on --{background}: {ratio:.2f}:1"
    assert contrast(palette["focus"], palette["paper"]) >= 3  # non-text contrast
