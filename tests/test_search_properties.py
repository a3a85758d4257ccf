"""Property-based tests of search: whatever the query and page, never a 500, and only
published stories are found. Run on PostgreSQL too (DATABASE_URL=postgres://...), where the
query goes through websearch_to_tsquery and ts_headline instead of the SQLite fallback."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from articles.search import MAX_QUERY_CHARS, clean_query
from tests.factories import ArticleFactory
from tests.properties import bounded_examples

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("articles:search")
WORDS = ["border", "Belarus", "troops", "ünïcödé", "🚀", "Минск", "draft", "secret"]
# websearch_to_tsquery's syntax and tsquery's own, which a websearch must take as plain text.
OPERATORS = ['"', "-", " or ", " OR ", "&", "|", "!", ":*", "(", ")", "<->", "<2>", "\\", "'"]
OPERATORS += ["%", "_", "*", ":", "\x00", "\u202e", "\u200b", "\ufeff", "\ue000", "\ue001"]

queries = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=150, max_size=5000),
    st.lists(st.sampled_from(WORDS + OPERATORS), max_size=40).map("".join),
    st.lists(st.sampled_from(WORDS + OPERATORS), max_size=30).map(" ".join),
)
pages = st.one_of(
    st.none(),
    st.integers(-3, 4).map(str),
    st.integers().map(str),
    st.sampled_from(
        ["", "last", "1.0", "1.5", "1e3", "NaN", "inf", "-0", "٣", "2\x00", "9" * 5000]
    ),
    st.text(max_size=20),
)

examples = bounded_examples(60)


@pytest.fixture
def stories():
    """Published stories with the words in them, enough for two pages, and an unpublished one."""
    for n in range(12):
        ArticleFactory(
            published=True,
            created_by=None,
            headline=f"Belarus border troops {n} ünïcödé",
            body=f"<p>Минск 🚀 story {n}: troops at the border.</p>",
        )
    ArticleFactory(created_by=None, headline="Secret draft about the border troops")


def found_headlines(page):
    return [
        unescape(re.sub(r"<[^>]+>", "", headline))
        for headline in re.findall(r'class="teaser__headline"><a [^>]*>(.*?)</a>', page)
    ]


@examples
@given(q=queries, page=pages)
def test_any_query_and_page_are_answered_without_a_server_error(stories, q, page):
    params = {"q": q} if page is None else {"q": q, "page": page}
    response = Client().get(SEARCH_URL, params)
    query, shortened = clean_query(q)
    # A page that is not a number, or past the end, is a missing page; all else is found.
    assert response.status_code in ({200} if page is None else {200, 404})
    html = response.content.decode()
    if response.status_code == 404:
        return
    assert len(query) <= MAX_QUERY_CHARS
    assert ("first 200 characters" in html) == shortened
    headlines = found_headlines(html)
    assert len(headlines) <= 10
    assert not any("Secret draft" in headline for headline in headlines)
    if not query:
        assert not headlines and "Type one or more words" in html


@examples
@given(raw=st.text(alphabet="q=&%;+page0123456789abcdefABCDEF?#\x7f", max_size=80))
def test_any_query_string_is_answered_without_a_server_error(stories, raw):
    response = Client().get(f"{SEARCH_URL}?{raw}")
    assert response.status_code in {200, 404}


@pytest.mark.parametrize("q", ["border troops", "BORDER Troops", '"border troops"', "troop"])
def test_the_operators_readers_type_find_published_stories(client, stories, q):
    html = client.get(SEARCH_URL, {"q": q}).content.decode()
    assert "12 stories found" in html
    assert "Secret draft" not in html
