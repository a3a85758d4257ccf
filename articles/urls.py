from django.urls import path

from articles.views import listing, public, search

app_name = "articles"

urlpatterns = [
    path("", listing.home, name="home"),
    path("sections/<slug:slug>/", listing.section_detail, name="section"),
    path("authors/<slug:slug>/", listing.author_detail, name="author"),
    # Tag slugs keep non-Latin letters (django-taggit's default), which <slug:> would refuse.
    path("tags/<str:slug>/", listing.tag_detail, name="tag"),
    path("search/", search.search, name="search"),
    path("articles/<int:pk>/<slug:slug>/", public.article_detail, name="article_detail"),
    path("articles/<int:pk>/<slug:slug>/comments/", public.post_comment, name="post_comment"),
]
