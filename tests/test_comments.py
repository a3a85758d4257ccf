import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from articles.forms import CommentForm
from articles.models import Comment, CommentStatus
from articles.services import comments
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def comment_url(article):
    return reverse("articles:post_comment", args=[article.pk, article.slug])


def test_posted_comment_is_held_and_the_reader_is_told(client):
    article = ArticleFactory(published=True)
    response = client.post(
        comment_url(article),
        comment_form_data(article, name="Olga", email="olga@example.com", body="Thoughtful piece."),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    page = client.get(response["Location"]).content.decode()
    assert "held for moderation" in page
    # The writer sees it marked as waiting (their session); other readers do not see it.
    assert "Thoughtful piece." in page and "Your comment is awaiting moderation." in page
    page = Client().get(response["Location"]).content.decode()
    assert "Thoughtful piece." not in page  # not public until approved
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING and comment.article == article


def test_refused_comment_keeps_what_the_reader_typed(client):
    article = ArticleFactory(published=True)
    text = "A long, careful comment that must not be lost."
    response = client.post(
        comment_url(article),
        comment_form_data(article, name="Olga", email="not-an-email", body=text),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert text in page
    assert 'value="Olga"' in page and 'value="not-an-email"' in page
    assert "Enter a valid email address." in page
    assert not Comment.objects.exists()


def test_blank_form_widgets_are_rendered_once_and_a_refused_form_shows_what_was_typed(client):
    article = ArticleFactory(published=True)
    blank = CommentForm(article=article)
    fields = [*blank.reader_fields, blank["website"]]
    assert [blank.field_html(field) for field in fields] == [str(field) for field in fields]
    assert all(blank.field_html(field) is blank.field_html(field) for field in fields)

    refused = CommentForm(
        {"name": "Olga", "email": "not-an-email", "body": "Kept."}, article=article
    )
    assert not refused.is_valid()
    email = refused.field_html(refused["email"])
    assert email == str(refused["email"]) != blank.field_html(blank["email"])
    assert 'value="not-an-email"' in email and 'aria-invalid="true"' in email
    # The blank widgets were not changed by the refused form.
    assert "value=" not in blank.field_html(blank["email"])
    page = client.get(article.get_absolute_url()).content.decode()
    assert blank.field_html(blank["body"]) in page


def test_a_pages_blank_form_is_a_new_forms_copy_with_its_own_story_and_fields():
    first, second = ArticleFactory(published=True), ArticleFactory(published=True)
    new = CommentForm(article=first)
    copied = CommentForm.blank(first)
    other = CommentForm.blank(second)

    def shown(form):
        fields = [*form.reader_fields, form["website"]]
        return [(f.label, f.id_for_label, f.errors, form.field_html(f)) for f in fields]

    assert shown(copied) == shown(new) and copied.initial == new.initial
    assert not copied.is_bound and not copied.is_valid() and copied.replying_to is None
    assert copied.non_field_errors() == new.non_field_errors() == []
    assert copied.article == first and other.article == second
    assert comments.form_age(other.issued_token, second) < 5
    assert comments.form_age(other.issued_token, first) is None
    # Each copy has its own bound fields and field dictionary.
    assert copied["name"] is not other["name"] and copied["name"].form is copied
    copied.fields["website"] = None
    assert other.fields["website"] is not None and CommentForm.blank(first)["website"]


def test_blank_comment_is_refused_beside_the_field(client):
    article = ArticleFactory(published=True)
    response = client.post(
        comment_url(article),
        comment_form_data(article, name="Olga", email="o@example.com", body="   "),
    )
    assert response.status_code == 400
    assert "field__error" in response.content.decode()


def test_comment_form_refuses_posts_from_other_sites(client):
    # More in tests/test_cross_site_forms.py.
    article = ArticleFactory(published=True)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        comment_url(article),
        comment_form_data(article, name="a", email="a@example.com", body="b"),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comments_cannot_be_posted_to_unpublished_stories(client):
    article = ArticleFactory()
    response = client.post(
        comment_url(article), comment_form_data(article, name="a", email="a@example.com", body="b")
    )
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_closed_comments_are_refused_with_a_reason(client):
    article = ArticleFactory(published=True, comments_open=False)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments on this story are closed." in page and "Post a Comment" not in page
    response = client.post(
        comment_url(article), comment_form_data(article, name="a", email="a@example.com", body="b")
    )
    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_body_is_escaped(client):
    article = ArticleFactory(published=True)
    CommentFactory(article=article, status="approved", body="<script>alert(1)</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", CommentStatus.APPROVED),
        ("reject", CommentStatus.REJECTED),
        ("mark_spam", CommentStatus.SPAM),
    ],
)
def test_editor_moderates_in_bulk_and_it_is_recorded(client, editor, action, status):
    article = ArticleFactory(published=True)
    comments = CommentFactory.create_batch(3, article=article, status="pending", body="Hello there")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    for comment in Comment.objects.all():
        assert comment.status == status
        assert comment.moderated_by == editor and comment.moderated_at
    visible = client.get(article.get_absolute_url()).content.decode().count("Hello there")
    assert visible == (3 if status == CommentStatus.APPROVED else 0)


def test_moderation_queue_filters_and_searches(client, editor):
    CommentFactory(status="pending", body="needle in the haystack")
    CommentFactory(status="approved", body="other words")
    client.force_login(editor)
    url = reverse("admin:articles_comment_changelist")
    assert "needle" in client.get(url, {"status__exact": "pending"}).content.decode()
    assert "other words" not in client.get(url, {"status__exact": "pending"}).content.decode()
    assert "needle" in client.get(url, {"q": "haystack"}).content.decode()


def test_reporters_cannot_moderate(client, reporter):
    comment = CommentFactory(status="pending")
    client.force_login(reporter)
    assert not reporter.has_perm("articles.change_comment")
    response = client.post(
        reverse("admin:articles_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    assert not Permission.objects.filter(
        group__name="Reporters", codename="change_comment"
    ).exists()
