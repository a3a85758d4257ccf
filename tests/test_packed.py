"""Related rows packed into their parent's row as JSON (newsroom/packed.py): the same instances
and values as the ORM reads, on SQLite and on PostgreSQL, in one query."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import OuterRef
from django.db.models import query as query_module
from django.utils import timezone

from articles.models import Article, Byline, Correction, Section
from articles.models.article import BYLINE_ROWS
from articles.models.prefetch import packed_reverse, related_all
from newsroom.packed import PackedRows
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

STORIES = PackedRows(
    Article,
    ["publish_at", "id", "headline", "section_id", "comments_open", "suppress_ads"],
    order_by=["publish_at", "pk"],
)
CORRECTIONS = PackedRows(
    Correction,
    ["id", "article_id", "kind", "text", "at", "author_id"],
    related={"author": ["id", "username", "is_staff", "last_login"]},
    order_by=["at", "pk"],
)


def sections_with_stories():
    return Section.objects.annotate(
        packed=STORIES.column(Article.objects.filter(section=OuterRef("pk")), "section")
    ).order_by("pk")


def test_rows_come_back_as_the_orm_reads_them(django_assert_num_queries):
    world, empty = SectionFactory(), SectionFactory()
    now = timezone.now()
    for hours, comments_open in [(3, True), (1, False), (2, True)]:
        ArticleFactory(
            section=world,
            created_by=None,
            published=True,
            publish_at=now - timedelta(hours=hours, microseconds=hours),
            comments_open=comments_open,
        )
    columns = ["pk", "headline", "section_id", "comments_open", "suppress_ads", "publish_at"]
    expected = list(Article.objects.filter(section=world).order_by("publish_at").values(*columns))

    with django_assert_num_queries(1):
        sections = list(sections_with_stories())
        packed = {section.pk: STORIES.unpack(section.packed, "default") for section in sections}

    stories = packed[world.pk]
    assert all(type(story) is Article for story in stories)
    assert [{name: getattr(story, name) for name in columns} for story in stories] == expected
    # Booleans are booleans (SQLite gives 0 and 1), date-times aware, microseconds kept.
    assert [type(story.comments_open) for story in stories] == [bool] * 3
    assert all(story.publish_at.tzinfo is not None for story in stories)
    assert packed[empty.pk] == []


def test_fields_left_out_are_deferred_as_with_only(django_assert_num_queries):
    ArticleFactory(created_by=None, published=True, standfirst="Kyiv digs in.")
    section = sections_with_stories().get(packed__isnull=False)
    story = STORIES.unpack(section.packed, "default")[0]
    assert "standfirst" in story.get_deferred_fields()
    with django_assert_num_queries(1):
        assert story.standfirst == "Kyiv digs in."


def test_a_related_object_is_read_with_its_row_and_a_null_key_gives_none():
    article = ArticleFactory(created_by=None, published=True)
    editor = UserFactory(username="martin", is_staff=True)
    later = timezone.now() + timedelta(minutes=5)
    Correction.objects.create(article=article, kind="update", text="Second.", at=later)
    Correction.objects.create(article=article, kind="correction", text="First.", author=editor)
    story = Article.objects.annotate(
        packed=CORRECTIONS.column(Correction.objects.filter(article=OuterRef("pk")), "article")
    ).get(pk=article.pk)

    first, second = CORRECTIONS.unpack(story.packed, "default")

    assert [first.text, second.text] == ["First.", "Second."]  # in order_by, as asked
    assert type(first.author) is get_user_model() and first.author.username == "martin"
    assert first.author.is_staff is True and first.author.last_login is None
    assert second.author_id is None and second.author is None
    assert second.at == Correction.objects.get(pk=second.pk).at


def test_a_packed_value_reads_the_same_again():
    # PostgreSQL's driver gives the column decoded, as lists kept on the instance: reading
    # them must leave them as they came (dates as text), or a second read fails.
    article = ArticleFactory(created_by=None, published=True)
    editor = UserFactory(username="martin", is_staff=True)
    Correction.objects.create(article=article, kind="correction", text="First.", author=editor)
    story = Article.objects.annotate(
        packed=CORRECTIONS.column(Correction.objects.filter(article=OuterRef("pk")), "article")
    ).get(pk=article.pk)

    [first] = CORRECTIONS.unpack(story.packed, "default")
    [again] = CORRECTIONS.unpack(story.packed, "default")

    assert (again.pk, again.at, again.author.last_login) == (first.pk, first.at, None)
    assert again.at == Correction.objects.get().at


def test_the_packed_order_is_the_one_asked_for():
    article = ArticleFactory(created_by=None, published=True, authors=0)
    for position, name in [(2, "Third"), (0, "First"), (1, "Second")]:
        Byline.objects.create(article=article, author=AuthorFactory(name=name), position=position)
    bylines = PackedRows(
        Byline,
        ["id", "article_id", "author_id", "position"],
        related={"author": ["id", "name"]},
        order_by=["position", "pk"],
    )
    story = Article.objects.annotate(
        packed=bylines.column(Byline.objects.filter(article=OuterRef("pk")), "article")
    ).get(pk=article.pk)
    names = [line.author.name for line in bylines.unpack(story.packed, "default")]
    assert names == ["First", "Second", "Third"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (["id", "photo_renditions"], "cannot be packed"),  # JSON inside JSON: refused
        (["name"], "needs its primary key"),
        (["id", "bylines"], "Only concrete fields"),
    ],
)
def test_what_json_cannot_carry_is_refused(fields, message):
    with pytest.raises(TypeError, match=message):
        PackedRows("articles.Author", fields).layout  # noqa: B018 - resolved at first use


def test_rows_are_ordered_by_packed_fields_only():
    with pytest.raises(TypeError, match="in order by packed fields"):
        PackedRows("articles.Author", ["id", "slug"], order_by=["name"]).layout  # noqa: B018


@pytest.fixture
def django_passes(monkeypatch):
    """The calls of Django's own prefetch pass, which still runs them."""
    passes = []
    real_pass = query_module.prefetch_related_objects
    monkeypatch.setattr(
        query_module,
        "prefetch_related_objects",
        lambda *args: passes.append(args) or real_pass(*args),
    )
    return passes


def test_a_story_read_with_its_packed_rows_needs_no_prefetch_pass(
    django_passes, django_assert_num_queries
):
    article = ArticleFactory(published=True, authors=2, tags=2, comments=1)
    Correction.objects.create(article=article, kind="correction", text="A name was misspelt.")

    with django_assert_num_queries(1):
        story = Article.objects.for_page().get(pk=article.pk)
        assert len(story.bylines.all()) == 2 and len(story.tags.all()) == 2
        assert [c.text for c in story.corrections.all()] == ["A name was misspelt."]
    assert django_passes == []

    # A lookup of its own still goes through Django's prefetch, the packed ones kept.
    with django_assert_num_queries(2):
        story = Article.objects.for_page().prefetch_related("comments").get(pk=article.pk)
        assert len(story.comments.all()) == 1 and len(story.bylines.all()) == 2
    assert len(django_passes) == 1


def test_a_packed_lookup_read_without_its_column_is_left_to_django(
    django_passes, django_assert_num_queries
):
    article = ArticleFactory(published=True, authors=2)
    lookup = packed_reverse("bylines", BYLINE_ROWS, "packed_bylines")

    with django_assert_num_queries(2):  # the story, then Django's prefetch of its bylines
        story = Article.objects.prefetch_related(lookup).get(pk=article.pk)
    with django_assert_num_queries(0):
        assert len(story.bylines.all()) == 2
    assert len(django_passes) == 1


def test_a_packed_related_row_is_read_without_its_models_ordering():
    # Author is ordered by name: a subquery for one row by primary key needs no sort, and
    # PostgreSQL sorted each byline's one author row.
    assert Article._meta.get_field("bylines").related_model is Byline
    sql = str(
        Article.objects.order_by()
        .annotate(
            packed=BYLINE_ROWS.column(Byline.objects.filter(article=OuterRef("pk")), "article")
        )
        .query
    )
    assert "ORDER BY" not in sql.upper(), sql


def test_a_storys_methods_read_its_prefetched_rows_and_otherwise_query(
    django_assert_num_queries,
):
    article = ArticleFactory(published=True, authors=2)
    Correction.objects.create(article=article, kind="correction", text="A name was misspelt.")
    correction_at = Correction.objects.get().at

    article.tags.add("belarus", "ukraine")
    story = Article.objects.for_page().get(pk=article.pk)
    with django_assert_num_queries(0):
        assert related_all(story, "bylines") is story.bylines.all()
        assert len(story.byline) == 2 and story.last_modified == correction_at
        assert story.reading_minutes == 1 and len(story.story_parts()) >= 1
        assert story.tag_list is story.tags.all()
        assert [tag.name for tag in story.tag_list] == ["belarus", "ukraine"]

    plain = Article.objects.get(pk=article.pk)  # nothing prefetched: each reads its rows
    with django_assert_num_queries(1):
        assert [line.pk for line in related_all(plain, "bylines")] == [
            line.pk for line in story.bylines.all()
        ]
    with django_assert_num_queries(1):
        assert plain.last_modified == correction_at
    with django_assert_num_queries(1):
        assert [tag.name for tag in plain.tag_list] == ["belarus", "ukraine"]
