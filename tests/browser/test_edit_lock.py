"""The soft lock in a real browser: the second editor is told who has the story, taking it
over keeps what they had typed, and the first editor is told in turn."""

from django.urls import reverse

from articles.models import EditLock, Status
from tests.browser.support import PASSWORD, browser_db, log_in
from tests.factories import ArticleFactory, UserFactory

pytestmark = browser_db


def test_taking_over_keeps_what_was_typed(open_page, db):
    first, second = (
        UserFactory(username=name, is_superuser=True, password=PASSWORD)
        for name in ("editor-anna", "editor-boris")
    )
    article = ArticleFactory(status=Status.REVIEW, headline="Border talks", created_by=first)
    url = reverse("admin:articles_article_change", args=[article.pk])
    anna = open_page()
    log_in(anna, first.username)
    anna.goto(url)

    boris = open_page()
    log_in(boris, second.username)
    boris.goto(url)
    notice = boris.locator("#edit-lock")
    assert "editor-anna has had this story open since" in notice.inner_text()
    boris.fill("#id_headline", "Border talks resume")
    notice.get_by_role("button", name="Take over").click()
    notice.wait_for(state="hidden")

    assert boris.input_value("#id_headline") == "Border talks resume"
    assert boris.url.endswith(url)
    assert EditLock.objects.get(article=article).user == second

    # The first editor's page learns it at its next heartbeat (here: coming back to the tab).
    anna.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    taken = anna.locator("#edit-lock")
    taken.wait_for(state="visible")
    assert "editor-boris has had this story open since" in taken.inner_text()
