"""Instances read from the database without Model.__init__ (newsroom/loading.py): the same
objects as Django's own `from_db` makes, and Django's way wherever `__init__` would do more."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init
from django.test.utils import isolate_apps
from taggit.models import Tag, TaggedItem

from articles.models import AnalysisBox, Article, Author, Comment, Correction, EditorImage
from newsroom.loading import _PLAIN, DirectlyLoaded, _init_changes_nothing, from_db
from tests.factories import AnalysisBoxFactory, ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DIRECTLY_LOADED = [model for model in apps.get_models() if issubclass(model, DirectlyLoaded)]


def fields_and_state(instance):
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    return values, instance._state.adding, instance._state.db


@pytest.fixture
def one_of_each():
    article = ArticleFactory(published=True, tags=2, comments=1)
    AnalysisBoxFactory(article=article)
    Correction.objects.create(article=article, kind="correction", text="A name was misspelt.")
    return article


def test_the_story_models_are_loaded_directly():
    assert {Article, Author, Comment, Correction, AnalysisBox} <= set(DIRECTLY_LOADED)
    assert all(_init_changes_nothing(model) for model in DIRECTLY_LOADED)


def test_every_directly_loaded_model_reads_as_django_makes_it(one_of_each, monkeypatch):
    for model in DIRECTLY_LOADED:
        for only in [None, ["pk"]]:
            queryset = model.objects.order_by("pk")
            queryset = queryset.only(*only) if only else queryset
            directly = list(queryset)
            with monkeypatch.context() as django_way:
                django_way.setitem(_PLAIN, model, False)
                through_init = list(queryset)
            assert directly, model
            assert [fields_and_state(i) for i in directly] == [
                fields_and_state(i) for i in through_init
            ]
            assert [i.get_deferred_fields() for i in directly] == [
                i.get_deferred_fields() for i in through_init
            ]


def test_the_direct_way_runs_no_init_and_keeps_the_database(monkeypatch):
    article = ArticleFactory(published=True)

    def refused(*args, **kwargs):
        raise AssertionError("Model.__init__ ran")

    monkeypatch.setattr(models.Model, "__init__", refused)
    story = Article.objects.get(pk=article.pk)
    assert story.headline == article.headline
    names = [field.attname for field in Article._meta.concrete_fields]
    copy = Article.from_db("replica", names, [getattr(story, name) for name in names])
    assert copy._state.db == "replica" and not copy._state.adding


def test_deferred_fields_stay_deferred_and_load_when_read(django_assert_num_queries):
    article = ArticleFactory(published=True)
    with django_assert_num_queries(1):
        story = Article.objects.defer("body", "standfirst").get(pk=article.pk)
    assert story.get_deferred_fields() == {"body", "standfirst"}
    assert "body" not in vars(story)
    with django_assert_num_queries(1):
        assert story.body == article.body
    assert story.get_deferred_fields() == {"standfirst"}


def test_relations_and_files_read_as_through_init():
    comment = CommentFactory()
    loaded = Comment.objects.get(pk=comment.pk)
    assert loaded.article_id == comment.article_id
    assert loaded.article == comment.article  # the foreign key's object, fetched on demand
    story = Article.objects.get(pk=comment.article_id)
    assert not story.hero_image and story.hero_image.field.name == "hero_image"


def test_a_listener_to_init_gets_the_instance_made_through_init():
    article = ArticleFactory(published=True)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Article)
    try:
        loaded = Article.objects.get(pk=article.pk)
    finally:
        post_init.disconnect(listener, sender=Article)
    assert seen == [loaded]
    assert len(Article.objects.filter(pk=article.pk)) == 1 and seen == [loaded]


def test_an_image_that_keeps_its_dimensions_is_not_loaded_directly():
    # Setting its file updates its width and height: only __init__ does that.
    assert not _init_changes_nothing(EditorImage)


@isolate_apps("newsletter")
def test_a_model_whose_mixin_has_an_init_is_made_by_django():
    class Remembering:
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.remembered = True

    class Remembered(DirectlyLoaded, Remembering):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "newsletter"

    class Guarded(DirectlyLoaded):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "newsletter"

        def __setattr__(self, name, value):
            super().__setattr__(name, value)

    class Plain(DirectlyLoaded):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "newsletter"

    assert not _init_changes_nothing(Remembered)
    assert Remembered.from_db("default", ["id", "name"], [1, "a"]).remembered
    assert not _init_changes_nothing(Guarded)
    assert _init_changes_nothing(Plain)


def test_a_librarys_models_packed_in_a_storys_row_are_made_as_django_makes_them(monkeypatch):
    article = ArticleFactory(published=True, tags=3)
    made_through_init = []
    real_init = models.Model.__init__

    def counted(self, *args, **kwargs):
        made_through_init.append(type(self))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "__init__", counted)
    story = Article.objects.published().for_page().get(pk=article.pk)
    tags = list(story.tags.all())
    assert Tag not in made_through_init and TaggedItem not in made_through_init
    assert [fields_and_state(tag) for tag in tags] == [
        fields_and_state(tag) for tag in Tag.objects.filter(pk__in=[t.pk for t in tags])
    ]


@isolate_apps("newsletter")
def test_a_model_with_its_own_from_db_is_asked_it():
    class Counted(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "newsletter"

        def __str__(self):
            return self.name

        @classmethod
        def from_db(cls, db, field_names, values):
            instance = super().from_db(db, field_names, values)
            instance.counted = True
            return instance

    assert from_db(Counted, "default", ["id", "name"], [1, "a"]).counted
    plain = from_db(Tag, "default", ["id", "name", "slug"], [1, "Belarus", "belarus"])
    assert (plain.pk, plain.name, plain._state.adding, plain._state.db) == (
        1,
        "Belarus",
        False,
        "default",
    )
