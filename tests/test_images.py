"""Images: checked uploads with metadata stripped, renditions made once, <picture> markup."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, features

from articles.images import RENDITION_WIDTHS, rendition_formats
from articles.models import Article, Author
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps(size=(1800, 1200)):
    image = Image.new("RGB", size, "steelblue")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[GPS_IFD] = {1: "N", 2: (53.0, 54.0, 0.0), 3: "E", 4: (27.0, 34.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png(size, mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 0, 0, 128) if mode == "RGBA" else "red").save(buffer, "PNG")
    return buffer.getvalue()


def decompression_bomb():
    """A tiny PNG that claims to be 100,000 × 100,000 pixels."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def open_stored(name):
    with default_storage.open(name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def story_with_hero(data, name="hero.jpg", **kwargs):
    article = ArticleFactory(published=True, created_by=None, hero_alt="Troops", **kwargs)
    article.hero_image.save(name, ContentFile(data))
    article.refresh_from_db()
    return article


def test_renditions_are_made_once_in_every_format_and_width():
    article = story_with_hero(jpeg_with_gps((1800, 1200)))
    renditions = article.hero_renditions
    assert renditions["source"] == article.hero_image.name
    assert (renditions["width"], renditions["height"]) == (1800, 1200)
    expected = {"image/webp", "image/jpeg"} | ({"image/avif"} if features.check("avif") else set())
    assert set(renditions["formats"]) == expected
    for mime, versions in renditions["formats"].items():
        assert [v["width"] for v in versions] == list(RENDITION_WIDTHS)
        for version in versions:
            image = open_stored(version["name"])
            assert image.format == {"image/avif": "AVIF", "image/webp": "WEBP"}.get(mime, "JPEG")
            assert image.size == (version["width"], version["height"])
            assert version["height"] == round(1200 * version["width"] / 1800)
            assert not image.getexif(), f"{version['name']} kept metadata"
    # Saving again without a new image writes nothing new.
    article.headline = "Edited headline"
    article.save()
    article.refresh_from_db()
    assert article.hero_renditions == renditions


def test_avif_is_offered_when_pillow_supports_it():
    assert ("AVIF" in rendition_formats()) == features.check("avif")
    assert rendition_formats()[-1] == "JPEG"


def test_small_images_are_not_enlarged_and_transparency_is_kept_where_possible():
    article = story_with_hero(png((500, 250)), name="chart.png")
    formats = article.hero_renditions["formats"]
    assert [v["width"] for v in formats["image/jpeg"]] == [320, 500]
    assert open_stored(formats["image/webp"][-1]["name"]).mode == "RGBA"
    assert open_stored(formats["image/jpeg"][-1]["name"]).mode == "RGB"


def test_a_new_hero_image_replaces_the_old_renditions_and_their_files(
    django_capture_on_commit_callbacks,
):
    article = story_with_hero(png((700, 400), mode="RGB"), name="first.png")
    old_names = [v["name"] for vs in article.hero_renditions["formats"].values() for v in vs]
    assert all(default_storage.exists(name) for name in old_names)
    with django_capture_on_commit_callbacks(execute=True):
        article.hero_image.save("second.png", ContentFile(png((900, 600), mode="RGB")))
    article.refresh_from_db()
    assert article.hero_renditions["source"] == article.hero_image.name
    assert article.hero_renditions["width"] == 900
    assert not any(default_storage.exists(name) for name in old_names)


def test_article_page_serves_a_picture_with_srcset_sizes_and_dimensions(client):
    article = story_with_hero(jpeg_with_gps((1800, 1200)))
    page = client.get(article.get_absolute_url()).content.decode()
    hero = page[page.index('<figure class="story__hero">') :]
    hero = hero[: hero.index("</figure>")]
    assert hero.count("<source ") == len(rendition_formats()) - 1
    assert 'type="image/webp"' in hero
    assert " 320w, " in hero and " 1600w" in hero
    assert 'sizes="' in hero
    assert 'width="1600" height="1067"' in hero
    assert 'alt="Troops"' in hero
    assert 'fetchpriority="high"' in hero and 'loading="lazy"' not in hero  # above the fold


def test_teaser_images_below_the_fold_load_lazily(client):
    section = SectionFactory(slug="world")
    for n in range(3):
        story_with_hero(png((800, 500), mode="RGB"), name=f"s{n}.png", section=section)
    page = client.get(reverse("articles:home")).content.decode()
    images = [part.split(">")[0] for part in page.split("<img ")[1:]]
    story_images = [tag for tag in images if "/renditions/" in tag]
    assert story_images
    assert 'fetchpriority="high"' in story_images[0]  # the lead story's image
    assert all('loading="lazy"' in tag for tag in story_images[1:])
    assert all('width="' in tag and 'height="' in tag for tag in story_images)


def test_hero_upload_in_the_admin_is_stripped_of_gps_and_gets_renditions(client, editor):
    client.force_login(editor)
    section = SectionFactory()
    author = AuthorFactory()
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Border story",
            "slug": "",
            "standfirst": "Summary",
            "section": section.pk,
            "body": "<p>Text.</p>",
            "tags": "",
            "hero_image": SimpleUploadedFile("camera.jpg", jpeg_with_gps(), "image/jpeg"),
            "hero_alt": "Troops at the border",
            "hero_caption": "",
            "hero_credit": "",
            "comments_open": "on",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "1",
            "bylines-MAX_NUM_FORMS": "1000",
            "bylines-0-author": author.pk,
            "bylines-0-position": "0",
            "analysis_boxes-TOTAL_FORMS": "0",
            "analysis_boxes-INITIAL_FORMS": "0",
            "analysis_boxes-MIN_NUM_FORMS": "0",
            "analysis_boxes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Border story")
    stored = open_stored(article.hero_image.name)
    assert not stored.getexif() and GPS_IFD not in stored.getexif()
    assert article.hero_renditions["formats"]


def test_author_photo_upload_is_reencoded_without_metadata(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("boss", "b@x.test", "pw-123-long")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Steve Rosenberg",
            "slug": "steve-rosenberg",
            "job_title": "Russia editor",
            "bio": "",
            "photo": SimpleUploadedFile("steve.jpg", jpeg_with_gps((600, 600)), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    author = Author.objects.get(slug="steve-rosenberg")
    assert not open_stored(author.photo.name).getexif()
    assert author.photo_renditions["formats"]["image/jpeg"][-1]["width"] == 600
    page = client.get(author.get_absolute_url()).content.decode()
    assert "<picture>" in page and 'width="600" height="600"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a but really a script <?php ?>", "not an image we can read"),
        (decompression_bomb(), "megapixels we accept"),
    ],
)
def test_bad_uploads_get_a_clear_error_beside_the_field(client, django_user_model, data, message):
    admin_user = django_user_model.objects.create_superuser("boss", "b@x.test", "pw-123-long")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Steve",
            "slug": "steve",
            "photo": SimpleUploadedFile("photo.png", data, "image/png"),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["photo"]), errors
    assert 'value="Steve"' in response.content.decode()  # the typed text is kept
    assert not Author.objects.exists()


def test_too_many_pixels_is_refused_with_the_limit_named(client, django_user_model, settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    admin_user = django_user_model.objects.create_superuser("boss", "b@x.test", "pw-123-long")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:articles_author_add"),
        {
            "name": "Steve",
            "slug": "steve",
            "photo": SimpleUploadedFile("photo.png", png((200, 200)), "image/png"),
        },
    )
    assert "200×200 pixels" in " ".join(response.context["adminform"].form.errors["photo"])


def test_feeds_carry_the_hero_image_as_an_enclosure(client):
    from xml.etree import ElementTree

    article = story_with_hero(png((700, 400), mode="RGB"), name="feed.png")
    largest = article.hero_renditions["formats"]["image/jpeg"][-1]
    feed = client.get(reverse("articles:feed_rss")).content
    channel = ElementTree.fromstring(feed)  # noqa: S314 - our own output
    enclosure = channel.find("channel/item/enclosure")
    assert enclosure.get("type") == "image/jpeg"
    assert enclosure.get("length") == str(largest["bytes"])
    assert enclosure.get("url") == f"http://testserver/media/{largest['name']}"
    assert default_storage.exists(largest["name"])


def test_renditions_command_fills_in_missing_renditions():
    from django.core.management import call_command

    article = story_with_hero(png((700, 400), mode="RGB"), name="old.png")
    Article.objects.filter(pk=article.pk).update(hero_renditions={})
    call_command("make_renditions")
    article.refresh_from_db()
    assert article.hero_renditions["source"] == article.hero_image.name


def test_hero_decompression_bomb_is_refused_beside_the_field(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Bomb",
            "section": SectionFactory().pk,
            "hero_image": SimpleUploadedFile("bomb.png", decompression_bomb(), "image/png"),
            "hero_alt": "Nothing",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "analysis_boxes-TOTAL_FORMS": "0",
            "analysis_boxes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["hero_image"]
    assert "megapixels we accept" in " ".join(errors)
    assert not Article.objects.filter(headline="Bomb").exists()
