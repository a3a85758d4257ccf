"""Revision history: every admin save keeps the story with its boxes and byline; the desk
lists revisions, compares any two word by word, and reverts (as a new revision)."""

import pytest
from django.urls import reverse

from articles import revisions
from articles.models import Article, Status
from tests.factories import AuthorFactory, SectionFactory
from tests.test_admin_desk import ADD_URL, article_post, change_url, existing_post

pytestmark = pytest.mark.django_db

QUERIES = 6  # session, user, story, revisions with their users, permissions


def revisions_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


def box_fields(article, **changes):
    box = article.analysis_boxes.get()
    data = {
        "analysis_boxes-TOTAL_FORMS": "1",
        "analysis_boxes-INITIAL_FORMS": "1",
        "analysis_boxes-0-id": str(box.pk),
        "analysis_boxes-0-article": str(article.pk),
        "analysis_boxes-0-author": str(box.author_id),
        "analysis_boxes-0-heading": box.heading,
        "analysis_boxes-0-after_paragraph": str(box.after_paragraph or ""),
        "analysis_boxes-0-body": box.body,
    }
    data.update({f"analysis_boxes-0-{k}": v for k, v in changes.items()})
    return data


@pytest.fixture
def story(client, reporter):
    """A story written in the admin, then edited twice: three revisions."""
    client.force_login(reporter)
    author = AuthorFactory(name="Steve Rosenberg")
    response = client.post(ADD_URL, article_post(SectionFactory(), [author]))
    assert response.status_code == 302
    article = Article.objects.get()
    client.post(
        change_url(article),
        existing_post(
            article,
            body="<p>First.</p><p>Second, now longer.</p>",
            **box_fields(article, body="<p>Analysis, revised.</p>"),
        ),
    )
    client.post(
        change_url(article),
        existing_post(
            article,
            headline="Border defences strengthened again",
            body="<p>First.</p><p>Second, now longer.</p>",
            **box_fields(article, body="<p>Analysis, revised.</p>"),
        ),
    )
    return article


def test_every_admin_save_is_a_revision_with_its_boxes_and_author(story, reporter):
    versions = list(revisions.versions_of(story))
    assert len(versions) == 3
    assert {v.revision.user for v in versions} == {reporter}
    first = revisions.snapshot(versions[-1])
    assert first["Body"] == "First.\nSecond."
    assert "Analysis." in first[f"Analysis box #{story.analysis_boxes.get().pk}"]
    assert first["Byline"] == "Steve Rosenberg"


def test_a_refused_save_makes_no_revision(client, story):
    client.post(change_url(story), existing_post(story, headline=""))
    assert revisions.versions_of(story).count() == 3


def test_word_diff_between_any_two_revisions_is_escaped(client, story, reporter):
    newest, middle, oldest = revisions.versions_of(story)
    page = client.get(revisions_url(story), {"from": oldest.pk, "to": newest.pk}).content.decode()
    assert "<del>Second.</del>" in page and "<ins>Second, now longer.</ins>" in page
    assert "<del>Analysis.</del>" in page and "<ins>Analysis, revised.</ins>" in page
    assert "<ins>again</ins>" in page
    # Only the pair asked for: the middle revision already had the longer body.
    page = client.get(revisions_url(story), {"from": middle.pk, "to": newest.pk}).content.decode()
    assert "<ins>again</ins>" in page and "Second, now longer.</ins>" not in page

    diff = str(revisions.word_diff("a <b>", "a <script>x</script>"))
    assert "<script>" not in diff and "&lt;script&gt;" in diff


def test_revert_restores_words_and_boxes_as_a_new_revision(client, story, editor):
    story.submit(by=story.created_by)
    story.publish(by=editor)
    oldest = revisions.versions_of(story).last()
    client.force_login(editor)
    confirm = client.get(reverse("admin:articles_article_revert", args=[story.pk, oldest.pk]))
    assert "<del>again</del>" in confirm.content.decode()
    response = client.post(reverse("admin:articles_article_revert", args=[story.pk, oldest.pk]))
    assert response.status_code == 302

    story.refresh_from_db()
    assert story.headline == "Border defences strengthened"
    assert story.body == "<p>First.</p><p>Second.</p>"
    assert story.analysis_boxes.get().body == "<p>Analysis.</p>"
    # The workflow state is not rolled back with the words.
    assert story.status == Status.PUBLISHED and story.is_public
    versions = list(revisions.versions_of(story))
    assert len(versions) == 4
    assert versions[0].revision.user == editor
    assert "Reverted" in versions[0].revision.get_comment()


def test_revert_removes_a_box_added_later(client, reporter):
    client.force_login(reporter)
    data = article_post(SectionFactory(), [AuthorFactory()])
    data.update({"analysis_boxes-TOTAL_FORMS": "0"})
    client.post(ADD_URL, data)
    article = Article.objects.get()
    first = revisions.versions_of(article).get()
    added = existing_post(article)
    added.update(
        {
            "analysis_boxes-TOTAL_FORMS": "1",
            "analysis_boxes-0-author": str(AuthorFactory().pk),
            "analysis_boxes-0-heading": "Late box",
            "analysis_boxes-0-after_paragraph": "",
            "analysis_boxes-0-body": "<p>Late.</p>",
        }
    )
    client.post(change_url(article), added)
    assert article.analysis_boxes.count() == 1
    client.post(reverse("admin:articles_article_revert", args=[article.pk, first.pk]))
    assert article.analysis_boxes.count() == 0


def test_revert_brings_back_a_box_deleted_later(client, reporter):
    client.force_login(reporter)
    client.post(ADD_URL, article_post(SectionFactory(), [AuthorFactory()]))
    article = Article.objects.get()
    first = revisions.versions_of(article).get()
    client.post(change_url(article), existing_post(article, **box_fields(article, DELETE="on")))
    assert not article.analysis_boxes.exists()
    diff = client.get(
        revisions_url(article) + f"?from={first.pk}&to={revisions.versions_of(article).first().pk}"
    ).content.decode()
    assert "<del>Why now?" in diff  # the deletion shows in the diff

    client.post(reverse("admin:articles_article_revert", args=[article.pk, first.pk]))
    box = article.analysis_boxes.get()
    assert (box.heading, box.body, box.after_paragraph) == ("Why now?", "<p>Analysis.</p>", 1)


def test_reporter_cannot_revert_a_story_they_may_not_edit(client, story, other_reporter):
    oldest = revisions.versions_of(story).last()
    client.force_login(other_reporter)
    response = client.post(reverse("admin:articles_article_revert", args=[story.pk, oldest.pk]))
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline == "Border defences strengthened again"


def test_revisions_page_queries_do_not_grow(client, story, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        client.get(revisions_url(story))
    for n in range(5):
        client.post(
            change_url(story),
            existing_post(
                story,
                headline=f"Edit {n}",
                **box_fields(story),
            ),
        )
    with django_assert_max_num_queries(QUERIES):
        page = client.get(revisions_url(story))
    assert page.content.decode().count('name="from"') == 8


def test_change_form_links_to_the_revisions(client, story):
    page = client.get(change_url(story)).content.decode()
    assert revisions_url(story) in page
