"""Readers' forms without CSRF tokens: the browser's Sec-Fetch-Site and Origin decide
(newsroom/crossorigin.py); the desk keeps Django's CSRF tokens."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Comment
from newsletter.models import Subscriber
from tests.factories import ArticleFactory, comment_form_data

pytestmark = pytest.mark.django_db

OURS = [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://testserver"},  # a browser too old for Sec-Fetch-Site
    {},  # not a browser (curl, a script): no reader's cookies ride along
]
THEIRS = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://blog.testserver"},  # a sibling subdomain
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame or a privacy redirect
]


def post_comment(article, headers, **fields):
    return Client(enforce_csrf_checks=True).post(
        reverse("articles:post_comment", args=[article.pk, article.slug]),
        comment_form_data(article, **fields),
        headers=headers,
    )


def subscribe(email, headers):
    return Client(enforce_csrf_checks=True).post(
        reverse("newsletter:subscribe"), {"email": email, "source": "header /"}, headers=headers
    )


@pytest.mark.parametrize("headers", OURS)
def test_comments_from_our_pages_are_taken_without_a_token(headers):
    article = ArticleFactory(published=True)
    response = post_comment(article, headers, body="Sent from the story's own page.")
    assert response.status_code == 302
    assert Comment.objects.get().body == "Sent from the story's own page."


@pytest.mark.parametrize("headers", THEIRS)
def test_comments_sent_from_another_site_are_refused_and_the_text_kept(headers):
    article = ArticleFactory(published=True)
    response = post_comment(article, headers, name="Olga", body="My long, careful reply.")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form was not sent" in page and "another website" in page
    assert "My long, careful reply." in page and "Olga" in page  # to copy, nothing lost
    assert f'href="{article.get_absolute_url()}#post-a-comment"' in page
    assert "olga@example.com" not in page  # only what the form shows is shown again
    assert not Comment.objects.exists()


@pytest.mark.parametrize("headers", OURS)
def test_the_newsletter_takes_sign_ups_from_our_pages(headers):
    assert subscribe("reader@example.com", headers).status_code == 302
    assert Subscriber.objects.filter(email="reader@example.com").exists()


@pytest.mark.parametrize("headers", THEIRS)
def test_the_newsletter_refuses_sign_ups_from_other_sites(headers):
    response = subscribe("victim@example.com", headers)
    assert response.status_code == 403
    assert "victim@example.com" in response.content.decode()
    assert f'href="{reverse("newsletter:subscribe")}"' in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_trusted_origin_may_post(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.testserver.example"]
    article = ArticleFactory(published=True)
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://www.testserver.example"}
    assert post_comment(article, headers).status_code == 302


def test_the_desk_keeps_djangos_csrf_tokens(editor):
    desk = Client(enforce_csrf_checks=True)
    desk.force_login(editor)
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    response = desk.post(reverse("admin:articles_section_add"), {"name": "X"}, headers=headers)
    assert response.status_code == 403  # no token: refused, same-origin or not
    login = Client(enforce_csrf_checks=True).post(
        reverse("admin:login"), {"username": "a", "password": "b"}, headers=headers
    )
    assert login.status_code == 403


def test_public_pages_carry_no_token_and_set_no_cookie(client):
    article = ArticleFactory(published=True, comments=1)
    for url in ("/", article.get_absolute_url(), reverse("newsletter:subscribe")):
        response = Client(enforce_csrf_checks=True).get(url)
        assert response.status_code == 200, url
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
        assert not response.cookies, url
