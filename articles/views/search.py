from django.shortcuts import render

from articles.models import Article
from articles.search import MAX_QUERY_CHARS, add_highlights, clean_query
from articles.views.paging import page_or_404
from delivery.pagecache import cache_public_page

RESULTS_PER_PAGE = 10


# The results depend on the query string alone, which is part of the page's cache key.
@cache_public_page
def search(request):
    query, shortened = clean_query(request.GET.get("q", ""))
    context = {"query": query, "shortened": shortened, "max_query_chars": MAX_QUERY_CHARS}
    if query:
        results = Article.objects.published().for_listing().search(query)
        page = page_or_404(request, results, RESULTS_PER_PAGE)
        add_highlights(page.object_list, query)
        context["page"] = page
    return render(request, "articles/search.html", context)
