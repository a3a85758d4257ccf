from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from articles.forms import CommentForm
from articles.models import Article


def home(request):
    stories = Article.objects.published().latest_first().for_listing()
    page = Paginator(stories, 20).get_page(request.GET.get("page"))
    return render(request, "articles/home.html", {"page": page, "stories": page.object_list})


def article_detail(request, pk, slug):
    article = get_object_or_404(Article.objects.published().for_page(), pk=pk)
    if slug != article.slug:
        return redirect(article, permanent=True)
    return render_article(request, article, CommentForm())


def render_article(request, article, comment_form, status=200):
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "comment_form": comment_form},
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
