"""The URLs of static files, looked up once per process.

With hashed names (ManifestStaticFilesStorage, in production) each lookup reads the manifest,
then joins and quotes the URL: about 15 µs, and an article page makes three. The answer
changes only with the settings (which clear what is kept) and, for a relative STATIC_URL, with
the script prefix (part of the key).
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static as django_static

from newsroom.rendering import script_prefix

STATIC_SETTINGS = {"STATIC_URL", "STORAGES", "DEBUG", "INSTALLED_APPS"}


def static(path):
    """Django's `static(path)`."""
    return _static(path, script_prefix())


@lru_cache(maxsize=256)
def _static(path, script_prefix):
    return django_static(path)


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in STATIC_SETTINGS:
        _static.cache_clear()
