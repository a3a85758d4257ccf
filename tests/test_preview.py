"""Preview links: staff make a signed, expiring, revocable link to a draft that an outsider
opens without logging in; previews are noindex and never cached publicly."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import PreviewLink
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def links_url(article):
    return reverse("admin:articles_article_preview_links", args=[article.pk])


def make_link(client, article, **data):
    response = client.post(links_url(article), data)
    assert response.status_code == 302
    return PreviewLink.objects.filter(article=article).first()


def test_reporter_makes_a_link_that_an_outsider_opens_without_login(client, reporter):
    draft = ArticleFactory(created_by=reporter, headline="Embargoed investigation")
    client.force_login(reporter)
    link = make_link(client, draft)
    assert link.created_by == reporter
    hours = (link.expires_at - timezone.now()).total_seconds() / 3600
    assert 47.9 < hours <= 48
    assert link.get_absolute_url() in client.get(links_url(draft)).content.decode()

    client.logout()
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Embargoed investigation" in page
    assert "Preview — not published" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert 'id="comments"' not in page
    # The draft itself is still not public.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_link_expires_by_itself(client, editor, time_machine):
    draft = ArticleFactory()
    client.force_login(editor)
    link = make_link(client, draft, hours="2")
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 200
    time_machine.move_to(link.expires_at + timedelta(seconds=1))
    gone = client.get(link.get_absolute_url())
    assert gone.status_code == 410
    assert "It expired" in gone.content.decode()
    assert draft.headline not in gone.content.decode()


def test_revoked_link_stops_working(client, editor):
    draft = ArticleFactory()
    client.force_login(editor)
    link = make_link(client, draft)
    client.post(links_url(draft), {"revoke": link.pk})
    client.logout()
    gone = client.get(link.get_absolute_url())
    assert gone.status_code == 410
    assert "withdrew it" in gone.content.decode()


def test_no_cache_keeps_a_preview_after_an_edit_or_a_revocation(client, editor, settings):
    """The page cache (on here, as in production) never stores a preview: the outsider sees
    the draft as it is now, and nothing once the link is revoked."""
    assert settings.NEWSROOM_PAGE_CACHE
    draft = ArticleFactory(headline="First draft headline")
    client.force_login(editor)
    link = make_link(client, draft)
    outsider = Client()
    for _ in range(2):
        seen = outsider.get(link.get_absolute_url())
        assert "First draft headline" in seen.content.decode()
    assert "no-store" in seen["Cache-Control"] and "public" not in seen["Cache-Control"]
    draft.headline = "Second draft headline"
    draft.save()
    assert "Second draft headline" in outsider.get(link.get_absolute_url()).content.decode()
    client.post(links_url(draft), {"revoke": link.pk})
    gone = outsider.get(link.get_absolute_url())
    assert gone.status_code == 410
    assert "no-store" in gone["Cache-Control"]


def test_forged_or_tampered_tokens_are_not_found(client, editor):
    draft = ArticleFactory()
    link = PreviewLink.objects.create(article=draft, created_by=editor)
    assert client.get(reverse("articles:preview", args=[link.token])).status_code == 404
    tampered = link.get_absolute_url().rstrip("/")[:-2] + "xx/"
    assert client.get(tampered).status_code == 404


def test_only_people_who_may_edit_the_story_make_links(client, reporter, other_reporter):
    draft = ArticleFactory(created_by=other_reporter)
    client.force_login(reporter)
    assert client.post(links_url(draft)).status_code == 403
    assert not PreviewLink.objects.exists()
    client.logout()
    assert client.post(links_url(draft)).status_code == 302  # to the login page
    assert not PreviewLink.objects.exists()


def test_bad_lifetime_is_refused_with_a_message(client, editor):
    draft = ArticleFactory()
    client.force_login(editor)
    response = client.post(links_url(draft), {"hours": "0"}, follow=True)
    assert "1 to 720" in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_change_form_links_to_preview_links(client, editor):
    draft = ArticleFactory()
    client.force_login(editor)
    assert (
        links_url(draft)
        in client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    )
