"""Ads: slots that show one live ad by weight or collapse, counted clicks and impressions."""

import io
import random
import socket
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ads.impressions import flush_impressions, pending_impressions, record_impression
from ads.models import Ad, AdSlot, SlotKind, SlotSize
from tests.factories import ArticleFactory
from tests.test_admin_desk import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def header_slot():
    return AdSlot.objects.create(key="header", name="Header", size=SlotSize.LEADERBOARD)


@pytest.fixture
def in_article_slot():
    return AdSlot.objects.create(
        key="in-article",
        name="In article",
        kind=SlotKind.IN_ARTICLE,
        size=SlotSize.MEDIUM_RECTANGLE,
    )


def make_ad(slot, **fields):
    fields = {
        "name": "Briefing",
        "text": "Read the briefing",
        "target_url": "https://advertiser.example/landing?utm=newsroom",
        **fields,
    }
    return Ad.objects.create(slot=slot, **fields)


def render_slot(key):
    """The slot as a template outside a request shows it (a page's template leaves a hole)."""
    return engines["jinja2"].from_string('{{ ad_slot("' + key + '") }}').render({})


def test_a_slot_shows_a_labelled_sponsored_ad_in_its_reserved_box(header_slot):
    ad = make_ad(header_slot)
    html = render_slot("header")
    assert '<aside class="ad-slot ad-slot--header" aria-label="Advertisement">' in html
    assert '<p class="ad-slot__label">Advertisement</p>' in html
    assert 'class="ad-slot__box ad-size-728x90"' in html
    assert 'rel="sponsored noopener"' in html
    # The link goes through the click counter, never straight to the advertiser.
    assert f'href="{reverse("ads:click", args=[ad.pk])}"' in html
    assert "advertiser.example" not in html
    assert "Read the briefing" in html
    # No inline style: the size class reserves the space (a strict CSP forbids style="").
    assert "style=" not in html


def test_every_slot_size_has_a_css_class_that_reserves_its_space(settings):
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    for size in SlotSize.values:
        width, height = size.split("x")
        assert f".ad-size-{size} {{ max-width: {width}px; aspect-ratio: {width} / {height};" in css


def test_an_image_ad_has_alt_text_and_the_slot_dimensions(in_article_slot):
    ad = Ad(
        slot=in_article_slot,
        name="Square",
        image_alt="A red square",
        target_url="https://a.example/",
    )
    ad.image.save("ad.png", ContentFile(png_bytes().read()))  # saves the ad with its image
    html = render_slot("in-article")
    assert 'class="ad-slot ad-slot--in-article"' in html
    assert 'alt="A red square" width="300" height="250"' in html


def test_an_empty_slot_collapses_without_a_trace(header_slot):
    make_ad(header_slot, is_active=False)
    make_ad(header_slot, starts_at=timezone.now() + timedelta(hours=1))
    make_ad(header_slot, ends_at=timezone.now() - timedelta(minutes=1))
    assert render_slot("header").strip() == ""
    assert render_slot("no-such-slot").strip() == ""


def test_only_live_ads_of_the_slot_are_shown(header_slot, in_article_slot):
    now = timezone.now()
    live = make_ad(
        header_slot,
        name="Live",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    make_ad(header_slot, name="Paused", is_active=False)
    make_ad(in_article_slot, name="Other slot")
    assert {Ad.objects.pick_for("header") for _ in range(20)} == {live}


def test_ads_rotate_in_proportion_to_their_weight(header_slot):
    heavy = make_ad(header_slot, name="Heavy", weight=9)
    light = make_ad(header_slot, name="Light", weight=1)
    random.seed(5)
    picks = [Ad.objects.pick_for("header") for _ in range(300)]
    assert 230 <= picks.count(heavy) <= 295
    assert picks.count(light) == 300 - picks.count(heavy)


def test_the_database_refuses_an_ad_that_ends_before_it_starts(header_slot):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        make_ad(header_slot, starts_at=now, ends_at=now - timedelta(hours=1))


def test_a_click_is_counted_and_goes_to_the_stored_url_only(client, header_slot):
    ad = make_ad(header_slot)
    url = reverse("ads:click", args=[ad.pk])
    response = client.get(url, {"next": "https://evil.example/", "url": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "https://advertiser.example/landing?utm=newsroom"
    assert "no-cache" in response["Cache-Control"]
    client.get(url)
    ad.refresh_from_db()
    assert ad.clicks == 2


def test_a_click_is_one_atomic_update(client, header_slot):
    ad = make_ad(header_slot)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("ads:click", args=[ad.pk]))
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"clicks" = ("ads_ad"."clicks" + ' in updates[0]


def test_link_previews_and_unknown_ads_are_not_counted(client, header_slot):
    ad = make_ad(header_slot)
    assert client.head(reverse("ads:click", args=[ad.pk])).status_code == 302
    assert client.post(reverse("ads:click", args=[ad.pk])).status_code == 405
    assert client.get(reverse("ads:click", args=[ad.pk + 1000])).status_code == 404
    ad.refresh_from_db()
    assert ad.clicks == 0


def test_the_click_url_rejects_non_web_targets(header_slot):
    from django.core.exceptions import ValidationError

    ad = Ad(slot=header_slot, name="Bad", text="x", target_url="ftp://files.example/a")
    with pytest.raises(ValidationError) as error:
        ad.full_clean()
    assert "target_url" in error.value.message_dict


def test_page_views_count_impressions_without_writing_to_the_database(client, header_slot):
    ad = make_ad(header_slot)
    article = ArticleFactory(published=True)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(article.get_absolute_url()).status_code == 200
    assert not [q for q in queries if not q["sql"].startswith("SELECT")]
    assert pending_impressions([ad.pk]) == {ad.pk: 3}
    ad.refresh_from_db()
    assert ad.impressions == 0

    out = io.StringIO()
    call_command("flush_ad_impressions", stdout=out)
    assert "Wrote 3 ad impression(s)" in out.getvalue()
    ad.refresh_from_db()
    assert ad.impressions == 3
    assert pending_impressions([ad.pk]) == {}
    # A second flush writes nothing more: no impression is counted twice.
    assert flush_impressions() == 0
    ad.refresh_from_db()
    assert ad.impressions == 3


def test_counters_are_flushed_in_batches_when_they_reach_the_threshold(settings, header_slot):
    settings.ADS_IMPRESSIONS_FLUSH_EVERY = 5
    ad = make_ad(header_slot)
    for _ in range(4):
        record_impression(ad.pk)
    ad.refresh_from_db()
    assert ad.impressions == 0
    record_impression(ad.pk)
    ad.refresh_from_db()
    assert ad.impressions == 5
    record_impression(ad.pk)
    assert pending_impressions([ad.pk]) == {ad.pk: 1}


def test_a_cache_outage_costs_the_count_never_the_page(client, settings, header_slot):
    make_ad(header_slot)
    article = ArticleFactory(published=True)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Read the briefing" in response.content.decode()


def test_impressions_are_counted_and_flushed_with_redis(own_redis, client, header_slot):
    ad = make_ad(header_slot)
    article = ArticleFactory(published=True)
    for _ in range(4):
        client.get(article.get_absolute_url())
    assert cache.get(f"ads:impressions:{ad.pk}") == 4
    assert flush_impressions() == 4
    ad.refresh_from_db()
    assert ad.impressions == 4
    assert pending_impressions([ad.pk]) == {}


def test_the_article_page_carries_a_header_and_an_in_article_ad(
    client, header_slot, in_article_slot
):
    make_ad(header_slot, text="Header offer")
    make_ad(in_article_slot, text="Story offer")
    page = client.get(ArticleFactory(published=True).get_absolute_url()).content.decode()
    assert "Header offer" in page and "Story offer" in page
    assert page.index("Third paragraph.") < page.index("Story offer")


def test_a_sensitive_story_shows_no_ads_at_all(client, header_slot, in_article_slot):
    ad = make_ad(header_slot)
    make_ad(in_article_slot)
    article = ArticleFactory(published=True, suppress_ads=True)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Advertisement" not in page and "ad-slot" not in page
    assert pending_impressions([ad.pk]) == {}
    # Other pages still carry the header ad.
    assert "Advertisement" in client.get(reverse("articles:home")).content.decode()


def test_editors_switch_ads_off_for_a_story_in_the_desk(client, editor):
    article = ArticleFactory(published=True)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert 'name="suppress_ads"' in page.content.decode()


def test_the_admin_shows_impressions_clicks_and_click_through_rate(client, editor, header_slot):
    ad = make_ad(header_slot, name="Briefing ad")
    Ad.objects.filter(pk=ad.pk).update(impressions=190, clicks=5)
    for _ in range(10):
        record_impression(ad.pk)  # counted in the cache, not yet flushed
    client.force_login(editor)
    page = client.get(reverse("admin:ads_ad_changelist")).content.decode()
    assert '<td class="field-impressions_to_date">200</td>' in page
    assert '<td class="field-clicks">5</td>' in page
    assert '<td class="field-click_through_rate_display">2.50%</td>' in page
    change = client.get(reverse("admin:ads_ad_change", args=[ad.pk])).content.decode()
    assert "2.50%" in change


def test_editors_manage_ads_in_the_admin(client, editor, header_slot):
    client.force_login(editor)
    response = client.post(
        reverse("admin:ads_ad_add"),
        {
            "slot": header_slot.pk,
            "name": "Spring sale",
            "target_url": "https://shop.example/",
            "text": "",
            "image_alt": "",
            "is_active": "on",
            "weight": "2",
        },
    )
    assert response.status_code == 200
    assert "Give the ad some text, or an image." in response.content.decode()
    assert 'value="Spring sale"' in response.content.decode()
