"""The URLs of static files, looked up once per process.

With hashed names (ManifestStaticFilesStorage, in production) each lookup reads the manifest,
then joins and quotes the URL: about 15 µs, and an article page makes three. The answer
changes only with the settings, which clear what is kept, as they rebuild Django's storage.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static as django_static

STATIC_SETTINGS = {"STATIC_URL", "STATIC_ROOT", "STORAGES", "DEBUG", "INSTALLED_APPS"}


@lru_cache(maxsize=256)
def static(path):
    """Django's `static(path)`."""
    return django_static(path)


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in STATIC_SETTINGS:
        static.cache_clear()
