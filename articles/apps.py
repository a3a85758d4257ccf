from django.apps import AppConfig
from django.db.models.signals import post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Editorial"

    def ready(self):
        from articles import revisions
        from articles.images import renditions_keeper
        from articles.models import Article, Author
        from articles.search import update_search_vector

        post_save.connect(update_search_vector, sender=Article, dispatch_uid="article-search")
        post_save.connect(
            renditions_keeper("hero_image", "hero_renditions"),
            sender=Article,
            dispatch_uid="article-hero-renditions",
            weak=False,
        )
        post_save.connect(
            renditions_keeper("photo", "photo_renditions"),
            sender=Author,
            dispatch_uid="author-photo-renditions",
            weak=False,
        )

        revisions.register()
