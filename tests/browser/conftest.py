"""Browser tests: Playwright drives the system's Chromium against pytest-django's live server.

They skip, saying why, when the playwright package or Chromium is missing; `.ci/run` installs
both so CI runs them.
"""

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from articles.management.commands.load_demo import DEMO_SLUG
from articles.models import Article
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PUBLIC_PAGES


def skip_or_fail(reason):
    # CI sets NEWSROOM_REQUIRE_BROWSER=1: there a missing browser is an error, not a skip.
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        skip_or_fail("playwright is not installed: pip install -r requirements-dev.txt")
    if not CHROMIUM.exists():
        skip_or_fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary blocking calls, so Django's async guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Django keeps connections per context, and the code after Playwright starts runs in a
    # fresh one: hand the migrated data saved for serialized_rollback over to the new handles.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    try:
        with sync_api.sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def open_page(browser, live_server, settings):
    """open_page(viewport=PHONE) gives a page in a fresh browser context: one person each."""
    # Uploaded images are served by the web server in production; the live server needs a hand.
    settings.ROOT_URLCONF = "tests.browser.urls"
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def demo_pages(open_page):
    """The demo story loaded as `python3 dev.py serve` loads it; the public pages by name."""
    call_command("load_demo", stdout=StringIO())
    article = Article.objects.get(slug=DEMO_SLUG)
    return {name: path(article) for name, path in PUBLIC_PAGES.items()}
