"""Story search.

On PostgreSQL: full-text search over a stored, weighted search vector (headline A, standfirst
B, body C; English stemming) with a GIN index, ranked, with highlighted snippets. On SQLite
(the embedded default): a fallback that finds stories containing every word, headline
matches first.
"""

import html
import re

from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

# Longer queries are cut to this, at a word boundary: no reader types more, and a
# pasted essay must not become an expensive query.
MAX_QUERY_CHARS = 200
# The SQLite fallback builds one LIKE group per word.
MAX_FALLBACK_WORDS = 10
SEARCH_CONFIG = "english"
SNIPPET_CHARS = 240
# Private-use characters mark the matches in PostgreSQL's output, so the text around them
# can be escaped before the marks become <mark> elements.
START_MARK, STOP_MARK = "\ue000", "\ue001"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_query(raw):
    """Return (query, shortened): whitespace collapsed, control characters removed, cut to
    MAX_QUERY_CHARS at a word boundary."""
    text = " ".join(CONTROL_CHARACTERS.sub(" ", raw or "").split())
    if len(text) <= MAX_QUERY_CHARS:
        return text, False
    cut = text[: MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
    return cut[:MAX_QUERY_CHARS], True


def uses_full_text(queryset):
    return connections[queryset.db].vendor == "postgresql"


def document_vector():
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


SEARCHED_FIELDS = {"headline", "standfirst", "body"}


def update_search_vector(sender, instance, using, update_fields=None, **kwargs):
    """post_save: recompute the stored search vector when the searched text may have changed."""
    if connections[using].vendor != "postgresql":
        return
    if update_fields is not None and not SEARCHED_FIELDS & set(update_fields):
        return
    sender._base_manager.using(using).filter(pk=instance.pk).update(search_vector=document_vector())


def search(queryset, text):
    """Stories matching `text`, best first, annotated with `search_rank`."""
    if uses_full_text(queryset):
        return _full_text(queryset, text)
    return _every_word(queryset, text)


def _full_text(queryset, text):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    marks = {"config": SEARCH_CONFIG, "start_sel": START_MARK, "stop_sel": STOP_MARK}
    return (
        queryset.filter(search_vector=query)
        .annotate(
            search_rank=SearchRank(F("search_vector"), query),
            headline_marked=SearchHeadline("headline", query, highlight_all=True, **marks),
            snippet_marked=SearchHeadline(
                "body",
                query,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        .order_by("-search_rank", "-publish_at", "-pk")
    )


def query_words(text):
    return re.findall(r"\w+", text)[:MAX_FALLBACK_WORDS]


def _every_word(queryset, text):
    words = query_words(text)
    if not words:
        return queryset.none()
    weights = {"headline": 4, "standfirst": 2, "body": 1}
    score = Value(0)
    for word in words:
        queryset = queryset.filter(
            Q(headline__icontains=word) | Q(standfirst__icontains=word) | Q(body__icontains=word)
        )
        for field, weight in weights.items():
            score += Case(
                When(**{f"{field}__icontains": word}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    # Snippets are cut from the body here (add_highlights), which teasers do not read.
    queryset = queryset.defer(None).defer("search_vector")
    return queryset.annotate(search_rank=score).order_by("-search_rank", "-publish_at", "-pk")


BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|td|th)>|<br\s*/?>", re.IGNORECASE)


def _plain(html_text):
    """Readable text of rich text: tags dropped, a space where a block or line ended."""
    spaced = BLOCK_END.sub(lambda match: match[0] + " ", html_text or "")
    return " ".join(html.unescape(strip_tags(spaced)).split())


def _marked_to_html(marked):
    """Escape PostgreSQL's marked output, then turn the marks into <mark> elements."""
    text = escape(marked)
    return mark_safe(text.replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))  # noqa: S308


def _mark_words(text, words):
    """Escape `text`, wrapping each occurrence of the words in <mark>."""
    if not words:
        return escape(text)
    longest_first = sorted(words, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(word) for word in longest_first), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), format_html("<mark>{}</mark>", match[0])]
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def _excerpt(text, words):
    """About SNIPPET_CHARS of `text` around the first word found."""
    lowered = text.lower()
    hits = [lowered.find(word.lower()) for word in words]
    first = min((hit for hit in hits if hit >= 0), default=0)
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    excerpt = text[start : start + SNIPPET_CHARS]
    if start + SNIPPET_CHARS < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + excerpt


def add_highlights(articles, text):
    """Give each result `highlighted_headline` and `snippet`, safe HTML with <mark>ed words."""
    words = query_words(text)
    for article in articles:
        if hasattr(article, "headline_marked"):
            article.highlighted_headline = _marked_to_html(article.headline_marked)
            article.snippet = _marked_to_html(_plain(article.snippet_marked))
        else:
            article.highlighted_headline = _mark_words(article.headline, words)
            article.snippet = _mark_words(_excerpt(_plain(article.body), words), words)
    return articles
