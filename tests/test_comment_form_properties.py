"""Property-based tests of the comment form: whatever is sent, never a 500, and every
accepted comment is stored exactly once."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape  # as the reader's pages (Jinja2) escape

from articles.models import Comment
from articles.services.comments import form_token
from tests.factories import ArticleFactory, CommentFactory
from tests.properties import bounded_examples, rolled_back

pytestmark = pytest.mark.django_db

FIELDS = ["name", "email", "body", "website", "issued", "reply_to"]
# Any unicode (control characters, NUL, emoji, right-to-left marks), short and long.
any_text = st.one_of(
    st.text(max_size=120),
    st.text(min_size=4990, max_size=5010),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
)
# What a person can type: any unicode but NUL, which Django's forms refuse (as does PostgreSQL).
readable = st.characters(codec="utf-8", exclude_characters="\x00")
VALID = "<a valid form timestamp>"
REFUSALS = {400, 409}

examples = bounded_examples(50)


@pytest.fixture
def story(settings):
    settings.NEWSROOM_COMMENTS_RATE_LIMIT = 10**6  # every example is a fresh reader
    article = ArticleFactory(published=True)
    return article, CommentFactory(article=article, status="approved", body="The parent.")


def url_of(article):
    return reverse("articles:post_comment", args=[article.pk, article.slug])


@examples
@given(
    data=st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(any_text, st.sampled_from([VALID, "parent"]), st.integers().map(str)),
    )
)
def test_any_form_is_answered_without_a_server_error(story, data):
    article, parent = story
    data = {
        key: form_token(article, time.time() - 60)
        if value == VALID
        else str(parent.pk)
        if key == "reply_to" and value == "parent"
        else value
        for key, value in data.items()
    }
    with rolled_back():
        response = Client().post(url_of(article), data)
        assert response.status_code in {302} | REFUSALS
        if response.status_code == 302:
            stored = Comment.objects.exclude(pk=parent.pk)
            assert stored.count() == 1
            assert stored.get().body == data["body"].strip()
        else:
            assert Comment.objects.count() == 1  # only the parent
            if "body" in data:
                assert escape(data["body"]) in response.content.decode()


@examples
@given(
    name=st.text(readable, min_size=1, max_size=80).filter(str.strip),
    email=st.emails(),
    body=st.text(readable, min_size=1, max_size=5000).filter(str.strip),
    reply=st.booleans(),
    typed_for=st.integers(min_value=3, max_value=86_000),
)
def test_every_accepted_comment_is_stored_exactly_once(story, name, email, body, reply, typed_for):
    article, parent = story
    data = {
        "name": name,
        "email": email,
        "body": body,
        "website": "",
        "issued": form_token(article, time.time() - typed_for),
        "reply_to": str(parent.pk) if reply else "",
    }
    reader = Client()
    with rolled_back():
        first = reader.post(url_of(article), data)
        assert first.status_code in {302, 400}
        if first.status_code == 400:  # e.g. an address Django's validator does not take
            assert 'class="field__error"' in first.content.decode()
            assert Comment.objects.count() == 1
            return
        comment = Comment.objects.exclude(pk=parent.pk).get()
        assert comment.body == body.strip() and comment.name == name.strip()
        assert comment.parent == (parent if reply else None)
        assert comment.status == "pending"

        # Sent again (a double click, a reload): refused, still stored once.
        again = reader.post(url_of(article), data)
        assert again.status_code == 409
        assert Comment.objects.exclude(pk=parent.pk).count() == 1
        # The reader sees it, once, marked as waiting.
        page = reader.get(article.get_absolute_url()).content.decode()
        assert page.count("Your comment is awaiting moderation.") == 1
