"""Django's messages, stored as Django's default storage does (a cookie, then the session)."""

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core import signing
from django.utils.functional import cached_property


class LazySignerCookieStorage(CookieStorage):
    """CookieStorage, whose signer is made when a cookie is read or written. A reader's page
    only asks whether there are messages, which a missing cookie answers; making the signer
    for every request was about 5% of the request cycle around the page."""

    def __init__(self, *args, **kwargs):
        BaseStorage.__init__(self, *args, **kwargs)

    @cached_property
    def signer(self):
        return signing.get_cookie_signer(salt=self.key_salt)


class MessageStorage(FallbackStorage):
    storage_classes = (LazySignerCookieStorage, SessionStorage)
