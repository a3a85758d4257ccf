"""export_content writes everything the site is made of as JSON; import_content loads it into
an empty database, and exporting again gives the same file."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import AnalysisBox, Article, Author, Comment, Section
from tests.factories import AnalysisBoxFactory, ArticleFactory, CommentFactory, EditorFactory
from tests.planner import row_estimates

pytestmark = pytest.mark.django_db


def without_time_of_export(data):
    return {k: v for k, v in data.items() if k != "exported_at"}


def empty_the_content():
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.all().delete()


def test_export_then_import_into_an_empty_database_round_trips(tmp_path):
    editor = EditorFactory(username="desk-editor")
    story = ArticleFactory(
        published=True,
        authors=3,
        tags=2,
        comments=2,
        body='<p>One <a href="https://x.test">x</a></p>',
    )
    AnalysisBoxFactory(article=story, after_paragraph=1, heading="Why now?")
    first = story.comments.order_by("pk").first()
    CommentFactory(article=story, parent=first, status="approved", body="A reply.")
    draft = ArticleFactory(created_by=editor, headline="Unfinished")
    draft.submit(by=editor)
    path = tmp_path / "content.json"

    call_command("export_content", output=str(path))
    exported = json.loads(path.read_text())
    assert {a["headline"] for a in exported["articles"]} == {story.headline, "Unfinished"}
    page_story = next(a for a in exported["articles"] if a["id"] == story.pk)
    assert page_story["bylines"] == [author.slug for author in story.byline]
    assert len(page_story["tags"]) == 2 and page_story["analysis_boxes"][0]["heading"] == "Why now?"
    assert {c["body"] for c in page_story["comments"]} == set(
        story.comments.values_list("body", flat=True)
    )
    assert all("email" in c for c in page_story["comments"])  # nothing held back

    empty_the_content()
    call_command("import_content", str(path))

    again = tmp_path / "again.json"
    call_command("export_content", output=str(again))
    assert without_time_of_export(json.loads(again.read_text())) == without_time_of_export(exported)
    restored = Article.objects.published().get()
    assert restored.get_absolute_url() == story.get_absolute_url()  # same id, same URL
    assert AnalysisBox.objects.get().article == restored
    assert Comment.objects.get(body="A reply.").parent.body == first.body
    assert Article.objects.get(headline="Unfinished").transitions.get().actor == editor
    # New rows after the restore get new ids, not ones the import used.
    assert ArticleFactory().pk > max(a["id"] for a in exported["articles"])


def test_an_import_leaves_planner_statistics(tmp_path):
    ArticleFactory.create_batch(3, published=True, comments=2)
    call_command("export_content", "-o", tmp_path / "content.json")
    empty_the_content()
    call_command("import_content", tmp_path / "content.json")
    assert row_estimates([Article, Comment]) == {"articles_article": 3, "articles_comment": 6}


def test_import_refuses_a_database_with_content_and_writes_nothing(tmp_path):
    ArticleFactory(published=True)
    path = tmp_path / "content.json"
    call_command("export_content", output=str(path))
    before = Article.objects.count()
    with pytest.raises(CommandError, match="already has content"):
        call_command("import_content", str(path))
    assert Article.objects.count() == before


def test_import_refuses_what_is_not_an_export(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(CommandError, match="not a Newsroom content export"):
        call_command("import_content", str(path))
    path.write_text("{broken")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_content", str(path))


def test_import_refuses_a_number_the_database_cannot_hold_and_writes_nothing(tmp_path):
    # Found by tests/test_fuzz.py: SQLite's driver raised OverflowError, which went unrefused.
    path = tmp_path / "content.json"
    path.write_text(
        json.dumps(
            {
                "format": "newsroom-content",
                "version": 1,
                "sections": [
                    {"id": 1, "name": "World", "slug": "world"},
                    {"id": 2, "name": "Sport", "slug": "sport", "position": 2**63},
                ],
                "authors": [],
                "articles": [],
            }
        )
    )
    with pytest.raises(CommandError, match="does not fit"):
        call_command("import_content", str(path))
    assert not Section.objects.exists()
