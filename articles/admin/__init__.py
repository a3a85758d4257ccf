from articles.admin import article, comment, people

__all__ = ["article", "comment", "people"]
