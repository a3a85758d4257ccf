import pytest

from articles.story import split_story
from tests.factories import AnalysisBoxFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def test_body_saved_outside_the_admin_is_sanitized():
    article = ArticleFactory(
        body='<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
        '<iframe src="//evil"></iframe>'
    )
    article.refresh_from_db()
    assert "<script" not in article.body
    assert "onclick" not in article.body
    assert "onerror" not in article.body
    assert "javascript:" not in article.body
    assert "<iframe" not in article.body
    assert "<p>Hi</p>" in article.body


def test_rich_formatting_the_editor_makes_survives():
    html = (
        '<h2>Sub</h2><p><strong>b</strong> <em>i</em> <a href="https://example.com">l</a></p>'
        "<ul><li>one</li></ul><blockquote><p>q</p></blockquote>"
    )
    article = ArticleFactory(body=html)
    article.refresh_from_db()
    for fragment in [
        "<h2>Sub</h2>",
        "<strong>b</strong>",
        "<em>i</em>",
        "<ul><li>one</li></ul>",
        'href="https://example.com"',
        "<blockquote>",
    ]:
        assert fragment in article.body


def test_analysis_box_body_is_sanitized_too():
    box = AnalysisBoxFactory(body="<p>ok</p><script>x()</script>")
    box.refresh_from_db()
    assert box.body == "<p>ok</p>"


class Box:
    def __init__(self, after):
        self.after_paragraph = after


def test_boxes_land_after_the_paragraph_they_name():
    html = "<p>one</p><p>two <em>x</em></p><ul><li>l</li></ul><p>three</p>"
    first, end, top = Box(1), Box(None), Box(0)
    parts = split_story(html, [first, end, top])
    assert [(str(p.html), p.boxes) for p in parts] == [
        ("", [top]),
        ("<p>one</p>", [first]),
        ("<p>two <em>x</em></p><ul><li>l</li></ul><p>three</p>", [end]),
    ]


def test_box_past_the_last_paragraph_closes_the_story_and_nothing_is_lost():
    html = "<p>a</p>\n<p>b</p>"
    parts = split_story(html, [Box(9)])
    assert "".join(str(p.html) for p in parts) == html
    assert parts[-1].boxes and parts[-1].boxes[0].after_paragraph == 9
