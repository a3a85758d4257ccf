from django.shortcuts import render

from articles.models import Article
from articles.search import MAX_QUERY_CHARS, add_highlights, clean_query
from articles.views.paging import page_or_404

RESULTS_PER_PAGE = 10


def search(request):
    query, shortened = clean_query(request.GET.get("q", ""))
    context = {"query": query, "shortened": shortened, "max_query_chars": MAX_QUERY_CHARS}
    if query:
        results = Article.objects.published().for_listing().search(query)
        page = page_or_404(request, results, RESULTS_PER_PAGE)
        add_highlights(page.object_list, query)
        context["page"] = page
    return render(request, "articles/search.html", context)
