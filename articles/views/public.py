"""The article page and its comment form."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from articles.forms import CommentForm
from articles.models import Article

RELATED_STORIES = 4


def article_detail(request, pk, slug):
    article = get_object_or_404(Article.objects.published().for_page(), pk=pk)
    if slug != article.slug:
        return redirect(article, permanent=True)
    return render_article(request, article, CommentForm())


def render_article(request, article, comment_form, status=200):
    related = Article.objects.published().for_listing().related_to(article)[:RELATED_STORIES]
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "comment_form": comment_form, "related": related},
        status=status,
    )


def post_comment(request, pk, slug):
    article = get_object_or_404(Article.objects.published().for_page(), pk=pk)
    if request.method != "POST":
        return redirect(article)
    form = CommentForm(request.POST)
    if not article.comments_open:
        form.add_error(None, "Comments on this story are closed.")
        return render_article(request, article, form, status=403)
    if not form.is_valid():
        return render_article(request, article, form, status=400)
    comment = form.save(commit=False)
    comment.article = article
    comment.save()
    messages.success(
        request,
        "Thank you. Your comment is held for moderation "
        "and will appear once an editor approves it.",
    )
    return redirect(f"{article.get_absolute_url()}#comments")
