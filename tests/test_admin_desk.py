"""The desk in the admin: reporters draft and submit, editors review and publish.
Every rule is checked with the requests a browser (or a crafted POST) would send."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, EditorImage, Status
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_post(section, authors, **overrides):
    data = {
        "headline": "Border defences strengthened",
        "slug": "border-defences-strengthened",
        "standfirst": "Kyiv moves troops north.",
        "section": str(section.pk),
        "body": "<p>First.</p><p>Second.</p>",
        "tags": "Ukraine, Belarus",
        "hero_alt": "",
        "hero_caption": "",
        "hero_credit": "",
        "comments_open": "on",
        "workflow_note": "",
        "workflow_publish_at_0": "",
        "workflow_publish_at_1": "",
        **inline_management("bylines", len(authors)),
        **inline_management("analysis_boxes", 1),
        "analysis_boxes-0-author": str(authors[0].pk),
        "analysis_boxes-0-heading": "Why now?",
        "analysis_boxes-0-after_paragraph": "1",
        "analysis_boxes-0-body": "<p>Analysis.</p>",
    }
    for index, author in enumerate(authors):
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = str(index)
    data.update(overrides)
    return data


def existing_post(article, **overrides):
    """The change form as the browser would send it back for an existing story."""
    bylines = list(article.bylines.all())
    data = article_post(
        article.section,
        [b.author for b in bylines],
        headline=article.headline,
        slug=article.slug,
        **inline_management("analysis_boxes", 0),
    )
    data.update(inline_management("bylines", len(bylines), len(bylines)))
    # Published stories also carry the corrections inline (editors only); unused otherwise.
    data.update(inline_management("corrections", 0))
    for index, line in enumerate(bylines):
        data[f"bylines-{index}-id"] = str(line.pk)
        data[f"bylines-{index}-article"] = str(article.pk)
    data.update(overrides)
    return data


def test_reporter_writes_a_story_with_byline_boxes_and_tags_then_submits(client, reporter):
    section = SectionFactory()
    first, second = AuthorFactory(), AuthorFactory()
    client.force_login(reporter)
    response = client.post(ADD_URL, article_post(section, [second, first]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.status == Status.DRAFT
    assert article.created_by == reporter
    assert article.byline == [second, first]
    assert sorted(article.tags.names()) == ["Belarus", "Ukraine"]
    assert article.analysis_boxes.get().after_paragraph == 1

    response = client.post(change_url(article), existing_post(article, _workflow="submit"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    assert article.transitions.get().actor == reporter


def test_the_form_offers_the_rich_text_editor_and_the_workflow_buttons(client, reporter):
    client.force_login(reporter)
    page = client.get(ADD_URL).content.decode()
    assert "django_prose_editor" in page
    assert 'value="submit"' in page
    assert 'value="publish"' not in page


def test_reporter_crafted_publish_post_is_refused_and_nothing_changes(client, reporter):
    article = ArticleFactory(created_by=reporter)
    client.force_login(reporter)
    response = client.post(
        change_url(article), existing_post(article, headline="Changed", _workflow="publish")
    )
    assert response.status_code == 200
    assert "cannot “Publish”" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert article.headline != "Changed"
    assert not Article.objects.published().exists()


def test_reporter_crafted_status_field_is_ignored(client, reporter):
    article = ArticleFactory(created_by=reporter)
    client.force_login(reporter)
    client.post(
        change_url(article),
        existing_post(article, status="published", publish_at="2020-01-01 00:00"),
    )
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.publish_at is None


def test_reporter_cannot_edit_another_reporters_draft(client, reporter, other_reporter):
    article = ArticleFactory(created_by=other_reporter, headline="Theirs")
    client.force_login(reporter)
    page = client.get(change_url(article))
    assert page.status_code == 200  # may read it
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change_url(article), existing_post(article, headline="Mine now"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "Theirs"


def test_reporter_cannot_edit_own_story_once_submitted(client, reporter):
    article = ArticleFactory(created_by=reporter, status=Status.REVIEW)
    client.force_login(reporter)
    response = client.post(change_url(article), existing_post(article, headline="Sneaky"))
    assert response.status_code == 403


def test_reporter_list_actions_cannot_publish(client, reporter):
    article = ArticleFactory(created_by=reporter, status=Status.REVIEW)
    client.force_login(reporter)
    changelist = reverse("admin:articles_article_changelist")
    assert "publish_selected" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "publish_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_editor_sees_review_queue_and_publishes_from_the_form(client, editor):
    waiting = ArticleFactory(status=Status.REVIEW, headline="Waiting for an editor")
    ArticleFactory(headline="Still a draft")
    client.force_login(editor)
    queue = client.get(reverse("admin:articles_article_changelist"), {"status": "review"})
    page = queue.content.decode()
    assert "Waiting for an editor" in page and "Still a draft" not in page
    assert "In review (1)" in page

    response = client.post(change_url(waiting), existing_post(waiting, _workflow="publish"))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.is_public


def test_editor_schedules_a_story_for_later(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    at = timezone.localtime() + timedelta(days=1)
    client.force_login(editor)
    client.post(
        change_url(article),
        existing_post(
            article,
            _workflow="publish",
            workflow_publish_at_0=at.strftime("%Y-%m-%d"),
            workflow_publish_at_1=at.strftime("%H:%M:%S"),
        ),
    )
    article.refresh_from_db()
    assert article.is_scheduled
    assert abs(article.publish_at - at) < timedelta(seconds=1)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_past_schedule_time_is_refused_with_the_text_kept(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    client.force_login(editor)
    response = client.post(
        change_url(article),
        existing_post(
            article,
            headline="Edited headline",
            _workflow="publish",
            workflow_publish_at_0="2001-01-01",
            workflow_publish_at_1="10:00:00",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This time has passed" in page
    assert 'value="Edited headline"' in page
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_editor_returns_to_draft_with_a_note_the_reporter_then_sees(client, editor, reporter):
    article = ArticleFactory(created_by=reporter, status=Status.REVIEW)
    client.force_login(editor)
    response = client.post(change_url(article), existing_post(article, _workflow="return_to_draft"))
    assert "Write a note saying why" in response.content.decode()
    client.post(
        change_url(article),
        existing_post(article, _workflow="return_to_draft", workflow_note="Needs a second source."),
    )
    article.refresh_from_db()
    assert article.status == Status.DRAFT

    client.force_login(reporter)
    page = client.get(change_url(article)).content.decode()
    assert "Needs a second source." in page
    assert "editor-one" in page


def test_editor_withdraws_with_a_note_from_the_list(client, editor):
    first, second = ArticleFactory(published=True), ArticleFactory(published=True)
    changelist = reverse("admin:articles_article_changelist")
    client.force_login(editor)
    ask = client.post(
        changelist, {"action": "withdraw_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert ask.status_code == 200 and "Note" in ask.content.decode()
    client.post(
        changelist,
        {
            "action": "withdraw_selected",
            "apply": "yes",
            "_selected_action": [first.pk, second.pk],
            "workflow_note": "Duplicate coverage",
        },
    )
    assert set(Article.objects.values_list("status", flat=True)) == {Status.WITHDRAWN}
    assert first.transitions.get().note == "Duplicate coverage"


def test_history_is_shown_on_the_article(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    article.publish(by=editor, note="Good to go")
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert "workflow-history" in page and "Good to go" in page


def png_bytes(size=(40, 30), exif=False):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "red")
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # camera make
        image.save(buffer, "JPEG", exif=data)
    else:
        image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def upload(client, content, name="photo.png"):
    content.name = name
    return client.post(reverse("admin:articles_article_upload_image"), {"image": content})


def test_editor_image_upload_is_reencoded_without_metadata(client, reporter):
    client.force_login(reporter)
    response = upload(client, png_bytes(exif=True), "camera.jpg")
    assert response.status_code == 200
    data = response.json()
    assert (data["width"], data["height"]) == (40, 30)
    stored = EditorImage.objects.get()
    with Image.open(stored.file.path) as image:
        assert not image.getexif()
    assert b"SecretCam" not in stored.file.read()


def test_image_upload_refuses_non_images_and_strangers(client, reporter, django_user_model):
    client.force_login(reporter)
    response = upload(client, io.BytesIO(b"<?php evil(); ?>"), "shell.png")
    assert response.status_code == 400
    assert "not an image" in response.json()["error"]

    outsider = django_user_model.objects.create_user(
        "outsider", password="x-long-password", is_staff=True
    )
    client.force_login(outsider)
    assert upload(client, png_bytes()).status_code == 403
    client.logout()
    assert upload(client, png_bytes()).status_code == 302  # to the login page
    assert not EditorImage.objects.exists()


def test_image_upload_refuses_too_many_pixels(client, reporter, settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 100
    client.force_login(reporter)
    response = upload(client, png_bytes(size=(20, 20)))
    assert response.status_code == 400
    assert "megapixels" in response.json()["error"] or "pixels" in response.json()["error"]


def test_hero_image_needs_alt_text(client, reporter):
    section, author = SectionFactory(), AuthorFactory()
    client.force_login(reporter)
    image = png_bytes()
    image.name = "hero.png"
    response = client.post(ADD_URL, article_post(section, [author], hero_image=image))
    assert response.status_code == 200
    assert "Describe the image" in response.content.decode()
    assert not Article.objects.exists()
