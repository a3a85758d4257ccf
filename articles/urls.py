from django.urls import path

from articles.views import public

app_name = "articles"

urlpatterns = [
    path("", public.home, name="home"),
    path("articles/<int:pk>/<slug:slug>/", public.article_detail, name="article_detail"),
    path("articles/<int:pk>/<slug:slug>/comments/", public.post_comment, name="post_comment"),
]
