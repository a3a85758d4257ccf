import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django_application = get_wsgi_application()

from delivery.wsgi import CachedPages  # noqa: E402 - needs the settings configured above

# Cached public pages are answered before Django's request cycle (delivery/wsgi.py).
application = CachedPages(django_application)
