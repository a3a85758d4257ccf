"""axe-core in Chromium on every public page: no WCAG 2.2 A or AA violations, phone and desktop."""

import pytest

from tests.browser.support import DESKTOP, PHONE, PUBLIC_PAGES, browser_db

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)

pytestmark = browser_db

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page):
    results = axe_playwright.Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    )
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_meets_wcag_22_aa(open_page, demo_pages, name):
    for viewport in (PHONE, DESKTOP):
        page = open_page(viewport)
        response = page.goto(demo_pages[name])
        assert response.status == (404 if name == "404" else 200)
        assert_accessible(page)


def test_refused_comment_form_meets_wcag_22_aa(open_page, demo_pages):
    page = open_page(PHONE)
    page.goto(demo_pages["article"])
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".field__error")
    assert_accessible(page)


def test_newsletter_answers_to_a_reader_meet_wcag_22_aa(open_page, demo_pages):
    """The pages a reader reaches by sending a form or following a broken link."""
    page = open_page(PHONE)
    page.goto(demo_pages["newsletter"])
    form = page.locator("main form.subscribe")
    form.get_by_role("textbox").fill("reader@example")
    form.get_by_role("button", name="Subscribe").click()
    page.wait_for_selector("main .field__error")
    assert_accessible(page)

    page.goto(demo_pages["newsletter-unsubscribe"])
    page.get_by_role("main").get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("h1:has-text('You are unsubscribed')")
    assert_accessible(page)

    for broken in ("/newsletter/confirm/not-a-token/", "/newsletter/unsubscribe/not-a-token/"):
        assert page.goto(broken).status == 400
        assert_accessible(page)


def test_axe_reports_what_it_should(browser):
    """The check above is only as good as its rules: a missing alt text must be caught."""
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    results = axe_playwright.Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    )
    page.close()
    assert "image-alt" in results.generate_report()
