from articles.models.article import (
    AnalysisBox,
    Article,
    ArticleQuerySet,
    ArticleTransition,
    Author,
    Byline,
    Section,
    Status,
    WorkflowError,
)
from articles.models.comment import (
    BannedCommenter,
    BlockedWord,
    Comment,
    CommentQuerySet,
    CommentStatus,
)
from articles.models.image import EditorImage

__all__ = [
    "AnalysisBox",
    "Article",
    "ArticleQuerySet",
    "ArticleTransition",
    "Author",
    "BannedCommenter",
    "BlockedWord",
    "Byline",
    "Comment",
    "CommentQuerySet",
    "CommentStatus",
    "EditorImage",
    "Section",
    "Status",
    "WorkflowError",
]
