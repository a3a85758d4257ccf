"""Static files' URLs are looked up once per process (newsroom/static_urls.py) and are
always Django's own, after a change of settings too."""

import json

from django.templatetags.static import static as django_static

from newsroom.static_urls import static


def test_the_url_is_djangos_and_follows_the_settings(settings):
    assert static("css/site.css") == django_static("css/site.css") == "/static/css/site.css"
    settings.STATIC_URL = "https://cdn.example.org/assets/"
    assert static("css/site.css") == "https://cdn.example.org/assets/css/site.css"


def test_hashed_names_from_the_manifest_in_the_static_root(settings, tmp_path):
    def collected(name, hashed):
        folder = tmp_path / name
        folder.mkdir()
        manifest = {"paths": {"css/site.css": hashed}, "version": "1.1"}
        (folder / "staticfiles.json").write_text(json.dumps(manifest))
        return folder

    settings.STATIC_ROOT = collected("first", "css/site.0123456789ab.css")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    assert static("css/site.css") == "/static/css/site.0123456789ab.css"
    assert static("css/site.css") == django_static("css/site.css")
    # Collected again elsewhere: the new manifest's names.
    settings.STATIC_ROOT = collected("second", "css/site.ba9876543210.css")
    assert static("css/site.css") == django_static("css/site.css")
    assert static("css/site.css") == "/static/css/site.ba9876543210.css"
