"""Querysets compiled once per process and run with each call's values (newsroom/precompiled.py):
the same rows and the same SQL as Django's own, and a clear error wherever the kept SQL could
not stand for a call."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Comment, Section
from newsroom import precompiled
from newsroom.precompiled import Precompiled
from tests.factories import ArticleFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db


def story(**kwargs):
    kwargs.setdefault("created_by", None)  # no desk user: hashing passwords is slow
    kwargs.setdefault("section", SectionFactory())
    return ArticleFactory(published=True, **kwargs)


class Counted:
    """A builder that counts how often it builds."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.build(*args, **kwargs)


def test_each_call_reads_its_own_values_and_the_builder_runs_once_per_shape():
    first, second = story(headline="First"), story(headline="Second")
    build = Counted(lambda pk, now: Article.objects.published(now).filter(pk=pk))
    query = Precompiled(build)
    now = timezone.now()

    assert [a.headline for a in query(pk=first.pk, now=now)] == ["First"]
    built = build.calls  # once, and once more to check that the values do not change the SQL
    assert [a.headline for a in query(pk=second.pk, now=now)] == ["Second"]
    assert [a.headline for a in query(pk=first.pk, now=now)] == ["First"]
    assert build.calls == built


def test_the_sql_run_is_the_sql_django_would_run():
    article = story(comments=2)
    now = timezone.now()
    query = Precompiled(lambda pk, now: Article.objects.published(now).for_listing().filter(pk=pk))
    query(pk=article.pk, now=now)  # compiled here
    with CaptureQueriesContext(connection) as ours:
        ours_rows = list(query(pk=article.pk, now=now))
    with CaptureQueriesContext(connection) as djangos:
        djangos_rows = list(Article.objects.published(now).for_listing().filter(pk=article.pk))

    assert [q["sql"] for q in ours] == [q["sql"] for q in djangos]
    assert [(a.pk, a.comment_count, a.section.name) for a in ours_rows] == [
        (a.pk, a.comment_count, a.section.name) for a in djangos_rows
    ]


def test_a_date_time_value_is_bound_as_django_binds_it():
    scheduled = story(publish_at=timezone.now() + timedelta(hours=2))
    query = Precompiled(lambda pk, now: Article.objects.published(now).filter(pk=pk))

    assert list(query(pk=scheduled.pk, now=timezone.now())) == []
    assert list(query(pk=scheduled.pk, now=timezone.now() + timedelta(hours=3))) == [scheduled]


def test_lists_bind_element_by_element_their_length_a_shape_of_its_own(
    django_assert_num_queries,
):
    stories = [story() for _ in range(3)]
    query = Precompiled(lambda ids: Article.objects.filter(pk__in=ids).order_by("pk"))

    assert list(query(ids=[s.pk for s in stories])) == stories
    assert list(query(ids=[stories[2].pk, stories[0].pk])) == [stories[0], stories[2]]
    assert list(query(ids=[stories[1].pk])) == [stories[1]]
    with django_assert_num_queries(0):
        assert list(query(ids=[])) == []


def test_shape_arguments_build_apart():
    article = story()
    newer, older = (
        CommentFactory(article=article, created_at=timezone.now() - timedelta(hours=h))
        for h in (1, 2)
    )
    query = Precompiled(
        lambda start, article: Comment.objects.filter(article=article).order_by("-created_at")[
            start : start + 1
        ]
    )

    assert list(query(0, article=article.pk)) == [newer]
    assert list(query(1, article=article.pk)) == [older]


def test_prefetches_of_the_built_queryset_are_made():
    article = story(authors=2, tags=2)
    query = Precompiled(lambda pk: Article.objects.for_page().filter(pk=pk))
    (found,) = query(pk=article.pk)

    assert sorted(a.name for a in found.authors.all()) == sorted(
        a.name for a in article.authors.all()
    )
    assert {t.name for t in found.tags.all()} == {t.name for t in article.tags.all()}


def test_a_value_used_in_a_slice_is_refused():
    story()
    query = Precompiled(lambda count: Article.objects.order_by("pk")[:count])

    with pytest.raises(ValueError, match="changed the SQL"):
        list(query(count=3))


def test_a_value_turned_into_another_is_refused():
    article = story()
    query = Precompiled(lambda pk: Article.objects.filter(pk=pk + 1))

    with pytest.raises(ValueError, match="does not reach the SQL as given"):
        list(query(pk=article.pk))


@pytest.mark.parametrize("value", [None, True])
def test_values_that_change_the_sql_itself_must_be_shape(value):
    query = Precompiled(lambda flag: Article.objects.filter(comments_open=flag))

    with pytest.raises(TypeError, match="shape"):
        query(flag=value)


def test_the_result_is_read_as_it_is_never_changed():
    article = story()
    query = Precompiled(lambda pk: Article.objects.filter(pk=pk))

    with pytest.raises(TypeError, match="read as it is"):
        query(pk=article.pk).filter(headline="x")
    with pytest.raises(TypeError, match="read as it is"):
        query(pk=article.pk).count()
    assert len(query(pk=article.pk)) == 1


def test_past_the_kept_shapes_queries_are_built_as_django_builds_them(monkeypatch):
    stories = [story() for _ in range(3)]
    monkeypatch.setattr(precompiled, "MAX_SHAPES", 1)
    query = Precompiled(lambda ids: Article.objects.filter(pk__in=ids).order_by("pk"))

    assert list(query(ids=[stories[0].pk])) == stories[:1]
    unkept = query(ids=[stories[0].pk, stories[1].pk])
    assert list(unkept) == stories[:2]
    assert unkept.filter(pk=stories[1].pk).get() == stories[1]  # an ordinary queryset


@pytest.mark.parametrize("pk", [2**31, 2**63, 10**23])
def test_a_story_id_past_what_the_column_holds_is_not_found(client, pk):
    story()
    client.get(story().get_absolute_url())  # the page's queries compiled

    assert client.get(f"/articles/{pk}/any-slug/").status_code == 404


def test_a_value_for_a_small_integer_column_is_still_bound_right():
    # The stand-in is past a small integer's range, which makes Django's query match nothing:
    # such a shape is built Django's way each time, never kept as "nothing".
    first, second = SectionFactory(position=1), SectionFactory(position=2)
    query = Precompiled(lambda position: Section.objects.filter(position=position))

    assert list(query(position=1)) == [first]
    assert list(query(position=2)) == [second]


def test_count_counts_the_rows_as_django_counts_them():
    stories = [story() for _ in range(3)]
    scheduled = story(publish_at=timezone.now() + timedelta(hours=1))
    query = Precompiled(
        lambda limit, now: Article.objects.published(now).order_by().values("pk")[:limit]
    )
    now = timezone.now()
    query.count(10, now=now)  # compiled here
    with CaptureQueriesContext(connection) as ours:
        assert query.count(10, now=now) == 3
    with CaptureQueriesContext(connection) as djangos:
        assert Article.objects.published(now).order_by().values("pk")[:10].count() == 3

    assert [q["sql"] for q in ours] == [q["sql"] for q in djangos]
    assert query.count(2, now=now) == 2
    assert query.count(10, now=scheduled.publish_at) == len(stories) + 1
    with pytest.raises(TypeError, match="model instances"):
        query(10, now=now)  # counted, never read


def test_count_of_a_query_that_matches_nothing_asks_nothing(django_assert_num_queries):
    story()
    query = Precompiled(lambda ids: Article.objects.filter(pk__in=ids))

    with django_assert_num_queries(0):
        assert query.count(ids=[]) == 0


def test_past_the_kept_shapes_counts_are_django_counts(monkeypatch):
    stories = [story() for _ in range(3)]
    monkeypatch.setattr(precompiled, "MAX_SHAPES", 1)
    query = Precompiled(lambda ids: Article.objects.filter(pk__in=ids))

    assert query.count(ids=[stories[0].pk]) == 1
    assert query.count(ids=[s.pk for s in stories]) == 3


def test_a_count_with_a_value_past_what_the_column_holds_is_django_count():
    story()
    query = Precompiled(lambda pk: Article.objects.filter(pk=pk))
    query.count(pk=1)  # compiled here

    assert query.count(pk=2**40) == 0


def test_first_is_the_first_row_or_none():
    older, newer = story(headline="Older"), story(headline="Newer")
    query = Precompiled(lambda pk: Article.objects.filter(pk__gte=pk).order_by("pk"))

    assert query.first(pk=older.pk) == older
    assert query.first(pk=newer.pk) == newer
    assert query.first(pk=newer.pk + 1) is None


def test_the_columns_converters_are_found_once_and_applied_on_every_call(monkeypatch):
    first, second = story(), story(publish_at=timezone.now() - timedelta(days=3))
    expected = {a.pk: a.publish_at for a in Article.objects.filter(pk__in=[first.pk, second.pk])}
    query = Precompiled(lambda pk: Article.objects.filter(pk=pk))
    compiler = connection.ops.compiler("SQLCompiler")
    found = []
    get_converters = compiler.get_converters
    monkeypatch.setattr(
        compiler,
        "get_converters",
        lambda self, fields: found.append(1) or get_converters(self, fields),
    )

    read = [query.first(pk=first.pk), query.first(pk=second.pk), query.first(pk=first.pk)]

    assert len(found) == 1
    # SQLite gives date-times as text: the kept converters still make them aware date-times.
    assert [a.publish_at for a in read] == [
        expected[first.pk],
        expected[second.pk],
        expected[first.pk],
    ]
