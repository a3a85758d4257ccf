from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from delivery.views import healthz

admin.site.site_header = "Newsroom desk"
admin.site.site_title = "Newsroom desk"
admin.site.index_title = "The desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ads/", include("ads.urls")),
    path("healthz", healthz, name="healthz"),
    path("newsletter/", include("newsletter.urls")),
    path("", include("articles.urls")),
]

handler404 = "articles.views.errors.page_not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
