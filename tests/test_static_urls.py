"""Static files' URLs are looked up once per process (newsroom/static_urls.py) and are
always Django's own: after a change of settings, and under each script prefix."""

from django.templatetags.static import static as django_static
from django.test.utils import override_script_prefix

from newsroom.static_urls import static


def test_the_url_is_djangos_and_follows_the_settings(settings):
    assert static("css/site.css") == django_static("css/site.css") == "/static/css/site.css"
    settings.STATIC_URL = "https://cdn.example.org/assets/"
    assert static("css/site.css") == "https://cdn.example.org/assets/css/site.css"


def test_hashed_names_once_the_files_are_collected(settings, tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1"}'
    )
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    assert static("css/site.css") == "/static/css/site.0123456789ab.css"
    assert static("css/site.css") == django_static("css/site.css")


def test_a_relative_static_url_under_each_script_prefix(settings):
    settings.STATIC_URL = "static/"
    with override_script_prefix("/news/"):
        assert static("favicon.svg") == django_static("favicon.svg")
    assert static("favicon.svg") == django_static("favicon.svg")
