"""Fuzzing with hypothesis: whatever arrives in an import file, import_content either loads it
or refuses it with a clear error, and a refused file leaves nothing half-saved.
(The comment form's own hypothesis tests are in tests/test_comment_form_properties.py.)"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Author, Comment, Section
from articles.services.portability import FORMAT, VERSION, ImportRefusedError, import_content

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
section_rows = st.fixed_dictionaries(
    {"id": st.integers(1, 5), "name": st.text(max_size=90), "slug": st.text(max_size=90)},
    optional={"position": json_values},
)
article_rows = st.fixed_dictionaries(
    {"headline": st.text(max_size=210), "section": st.text(max_size=10)},
    optional={
        "id": st.integers(-2, 5),
        "status": st.sampled_from(["draft", "published", "nonsense"]),
        "body": st.text(max_size=200),
        "publish_at": st.text(max_size=30),
        "bylines": st.lists(st.text(max_size=5), max_size=3),
        "comments": st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=4)),
        "extra": json_values,
    },
)
exports = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "format": st.just(FORMAT),
            "version": st.just(VERSION),
            "sections": st.lists(section_rows, max_size=3),
            "authors": st.lists(st.dictionaries(st.text(max_size=8), json_values), max_size=2),
            "articles": st.lists(article_rows, max_size=3),
        }
    ),
)


def content_counts():
    return [m.objects.count() for m in (Section, Author, Article, Comment)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=exports)
def test_any_import_file_is_loaded_or_refused_whole(data):
    assert content_counts() == [0, 0, 0, 0]
    try:
        import_content(data)
    except ImportRefusedError as refusal:
        assert str(refusal)
        assert content_counts() == [0, 0, 0, 0]  # nothing half-saved
    else:
        Comment.objects.all().delete()
        Article.objects.all().delete()
        Author.objects.all().delete()
        Section.objects.all().delete()
