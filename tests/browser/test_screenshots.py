"""Screenshots of every public page at phone and desktop widths, for people to look at.

They go to var/screenshots/; NEWSROOM_SCREENSHOTS_DIR=docs/screenshots refreshes the committed
ones that README shows. Each shot also checks what a person would notice at once.
"""

import os

import pytest
from django.conf import settings

from tests.browser.support import DESKTOP, PHONE, PUBLIC_PAGES, browser_db

pytestmark = browser_db

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def screenshots_dir():
    # A relative NEWSROOM_SCREENSHOTS_DIR is taken from the project folder.
    folder = settings.BASE_DIR / os.environ.get("NEWSROOM_SCREENSHOTS_DIR", "var/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_screenshots(open_page, demo_pages, screenshots_dir, name):
    for label, viewport in VIEWPORTS.items():
        page = open_page(viewport)
        page.goto(demo_pages[name])
        # Nothing wider than the screen: a phone reader never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # Every image loaded (a broken image shows as a zero-width box).
        assert (
            page.evaluate(
                "[...document.images].filter(img => !img.complete || !img.naturalWidth).length"
            )
            == 0
        )
        page.screenshot(path=screenshots_dir / f"{name}-{label}.png", full_page=True)
