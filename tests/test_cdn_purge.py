"""The CDN purge hook: called after the commit, for the changed story and the home page."""

import http.server
import threading

import pytest

from articles.models import Comment, CommentStatus
from tests.factories import ArticleFactory, CommentFactory
from tests.servers import free_port

pytestmark = pytest.mark.django_db
PORT = free_port()


@pytest.fixture
def purge_server(settings):
    calls = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - http.server's naming
            calls.append((self.command, self.path, self.headers["X-Newsroom-Purge"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM_CDN_PURGE_URL = f"http://127.0.0.1:{PORT}/purge{{path}}"
    yield calls
    server.shutdown()
    server.server_close()


def test_an_edit_purges_the_story_and_home_after_the_commit(
    purge_server, django_capture_on_commit_callbacks
):
    article = ArticleFactory(published=True)
    purge_server.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        article.headline = "Corrected headline"
        article.save()
        assert purge_server == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    author = article.authors.get()
    assert sorted(purge_server) == sorted(
        ("PURGE", f"/purge{path}", "1")
        for path in [
            "/",
            article.get_absolute_url(),
            f"/sections/{article.section.slug}/",
            f"/authors/{author.slug}/",
        ]
    )


def test_comment_approval_purges_its_story(
    purge_server, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(published=True)
    CommentFactory(article=article, status=CommentStatus.PENDING)
    purge_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.moderate(CommentStatus.APPROVED, by=editor)
    assert ("PURGE", f"/purge{article.get_absolute_url()}", "1") in purge_server


def test_a_dead_cdn_is_logged_not_raised(settings, caplog, django_capture_on_commit_callbacks):
    settings.NEWSROOM_CDN_PURGE_URL = f"http://127.0.0.1:{PORT}/purge{{path}}"  # nobody there
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(published=True)
    assert "CDN purge failed" in caplog.text
