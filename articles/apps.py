from django.apps import AppConfig
from django.db.models.signals import post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Editorial"

    def ready(self):
        from articles.models import Article
        from articles.search import update_search_vector

        post_save.connect(update_search_vector, sender=Article, dispatch_uid="article-search")
