from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from newsroom.urls import urlpatterns as site_urlpatterns


def serve_media(request, path):
    # MEDIA_ROOT is read per request: each test points it at its own temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.+)$", serve_media),
    *site_urlpatterns,
]
