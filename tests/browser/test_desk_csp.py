"""The content security policies in a real browser: the desk's editor works under the desk
policy, and public pages raise no violation under the strict one."""

import pytest
from django.urls import reverse

from articles.models import Status
from tests.browser.support import PASSWORD, browser_db, log_in
from tests.factories import ArticleFactory, UserFactory

pytestmark = browser_db

VIOLATIONS_RECORDER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`));
"""


@pytest.fixture
def chief(db):
    # A superuser: the desk's groups come from a migration, and these tests need none of them.
    return UserFactory(username="chief", is_superuser=True, password=PASSWORD)


def test_the_editor_works_under_the_desk_policy(open_page, chief):
    article = ArticleFactory(status=Status.REVIEW, body="<p>Draft text.</p>", created_by=chief)
    page = open_page()
    page.add_init_script(VIOLATIONS_RECORDER)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, chief.username)
    page.goto(reverse("admin:articles_article_change", args=[article.pk]))
    body_editor = page.locator(".ProseMirror >> visible=true").first
    body_editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed in the browser.")
    violations = page.evaluate("window.__violations")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    violations += page.evaluate("window.__violations")

    assert violations == []
    assert errors == []
    article.refresh_from_db()
    assert article.body == "<p>Draft text. Typed in the browser.</p>"


def test_public_pages_raise_no_violation(open_page, chief):
    article = ArticleFactory(published=True, comments=1, created_by=chief)
    page = open_page()
    page.add_init_script(VIOLATIONS_RECORDER)
    for path in ["/", article.get_absolute_url(), "/no-such-page/"]:
        page.goto(path)
        assert page.evaluate("window.__violations") == [], path
