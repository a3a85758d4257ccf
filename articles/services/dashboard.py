"""The desk dashboard on the admin index: what each staff member should look at next."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from articles.models import Article, ArticleTransition, Comment, Status

LIMIT = 8


def desk_dashboard(user, *, limit=LIMIT):
    """Lists for the admin index, each one query however much there is."""
    now = timezone.now()
    stories = Article.objects.select_related("section", "created_by")
    last_step = ArticleTransition.objects.filter(article=OuterRef("pk")).order_by("-at", "-pk")
    drafts = (
        stories.filter(created_by=user, status=Status.DRAFT)
        .annotate(
            last_note=Subquery(last_step.values("note")[:1]),
            last_from=Subquery(last_step.values("from_status")[:1]),
            last_by=Subquery(last_step.values("actor__username")[:1]),
            last_at=Subquery(last_step.values("at")[:1]),
        )
        .order_by("-updated_at")
    )
    editor = user.has_perm("articles.publish_article")
    review = stories.filter(status=Status.REVIEW).order_by("updated_at")
    if not editor:
        review = review.filter(created_by=user)
    board = {
        "my_drafts": list(drafts[:limit]),
        # Returned: the last step brought the draft back from review or from the schedule.
        "returned": list(drafts.filter(last_note__gt="").exclude(last_from=Status.DRAFT)[:limit]),
        "awaiting_review": list(review[:limit]),
        "scheduled": list(
            stories.filter(status=Status.PUBLISHED, publish_at__gt=now).order_by("publish_at")[
                :limit
            ]
        ),
        "recently_published": list(
            Article.objects.published().select_related("section").latest_first()[:limit]
        ),
        "pending_comments": [],
        "is_editor": editor,
    }
    if user.has_perm("articles.change_comment"):
        board["pending_comments"] = list(
            Comment.objects.pending().select_related("article").order_by("-created_at")[:limit]
        )
    return board
