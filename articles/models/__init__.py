from articles.models.article import (
    AnalysisBox,
    Article,
    ArticleQuerySet,
    ArticleTransition,
    Author,
    Byline,
    PrepublicationError,
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
from articles.models.correction import Correction, CorrectionKind
from articles.models.image import EditorImage
from articles.models.lock import EditLock
from articles.models.preview import PreviewLink

__all__ = [
    "AnalysisBox",
    "Article",
    "ArticleQuerySet",
    "ArticleTransition",
    "Author",
    "BannedCommenter",
    "BlockedWord",
    "Byline",
    "PrepublicationError",
    "Comment",
    "CommentQuerySet",
    "CommentStatus",
    "Correction",
    "CorrectionKind",
    "EditLock",
    "EditorImage",
    "PreviewLink",
    "Section",
    "Status",
    "WorkflowError",
]
