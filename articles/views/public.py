"""The article page and its comment form."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from articles.forms import CommentForm
from articles.models import Article
from articles.seo import article_meta
from articles.services import comments
from delivery.pagecache import cache_public_page
from newsroom.crossorigin import readers_form
from newsroom.precompiled import Precompiled

RELATED_STORIES = 4
# Far past any story's comments; a bigger number is refused before it reaches the database.
MAX_COMMENT_PAGES = 10_000


# The page's own story, with its first page of comments when they fit on one, built and
# compiled once per process and page length (newsroom/precompiled.py).
PAGE_STORY = Precompiled(
    lambda first_comments, pk, now: (
        Article.objects.published(now).for_page(first_comments=first_comments).filter(pk=pk)
    )
)
# Its related stories (ArticleQuerySet.related_to), the same way.
RELATED = Precompiled(
    lambda limit, pk, section_id, tag_ids, now: (
        Article.objects.published(now)
        .for_listing(packed=True)  # four teasers
        .related_to_story(pk, section_id=section_id, tag_ids=tag_ids, limit=limit)
    )
)


def public_story(pk):
    """The published story `pk` with everything its page shows, or 404."""
    per_page = settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE
    article = PAGE_STORY.first(per_page, pk=pk, now=timezone.now())
    if article is None:
        raise Http404("No such story.")
    return article


@cache_public_page
def article_detail(request, pk, slug):
    article = public_story(pk)
    if slug != article.slug:
        return redirect(article, permanent=True)
    # ?reply_to=ID#post-a-comment: a reply link that works without JavaScript.
    reply_to = request.GET.get("reply_to")
    if reply_to is None:
        form = CommentForm.blank(article)
    else:
        form = CommentForm(article=article, initial={"reply_to": reply_to})
    return render_article(request, article, form, comment_page=_comment_page_number(request))


def _comment_page_number(request):
    """?comments=N: older pages of comment threads (page 1, the newest, needs none)."""
    raw = request.GET.get("comments")
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COMMENT_PAGES:
        raise Http404("No such page of comments.")
    return int(raw)


def render_article(request, article, comment_form, status=200, comment_page=1):
    related = RELATED(
        RELATED_STORIES,
        pk=article.pk,
        section_id=article.section_id,
        tag_ids=[tag.pk for tag in article.tag_list],
        now=timezone.now(),
    )
    own_held = comments.own_held_comments(request.session, article)
    page = comments.comment_page(article, comment_page, own_held)
    if not page.threads and comment_page > 1:
        raise Http404("No such page of comments.")
    context = {
        "article": article,
        "comment_form": comment_form,
        "comment_page": page,
        "related": related,
        "meta": article_meta(article, request),
    }
    return render(request, "articles/article_detail.html", context, status=status)


# No CSRF token: the form is on cached pages shared by every reader (newsroom/crossorigin.py).
@readers_form(
    back=lambda request, pk, slug: (
        reverse("articles:article_detail", args=[pk, slug]) + "#post-a-comment"
    ),
    keep={"name": "Your name", "body": "Your comment"},
)
def post_comment(request, pk, slug):
    article = public_story(pk)
    if request.method != "POST":
        return redirect(article)
    form = CommentForm(request.POST, article=article)
    try:
        comment = comments.submit_comment(article, form, comments.Sender.from_request(request))
    except comments.CommentRefusedError as refusal:
        response = render_article(request, article, form, status=refusal.status)
        if refusal.status == 429:
            response["Retry-After"] = str(settings.NEWSROOM_COMMENTS_RATE_WINDOW)
        return response
    comments.remember_own_comment(request.session, comment)
    page = comments.thread_page_number(comment)
    url = article.get_absolute_url() + (f"?comments={page}" if page > 1 else "")
    if comment.is_held:
        messages.success(
            request,
            "Thank you. Your comment is held for moderation "
            "and will appear once an editor approves it.",
        )
        return redirect(f"{url}#comments")
    messages.success(request, "Thank you. Your comment is published.")
    return redirect(f"{url}#comment-{comment.pk}")
