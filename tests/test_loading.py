"""Instances read from the database without Model.__init__ (newsroom/loading.py): the same
objects as Django's own `from_db` makes, and Django's way wherever `__init__` would do more."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init

from articles.models import AnalysisBox, Article, Author, Comment, Correction, EditorImage
from newsroom.loading import DirectlyLoaded, _init_changes_nothing
from tests.factories import AnalysisBoxFactory, ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DIRECTLY_LOADED = [model for model in apps.get_models() if issubclass(model, DirectlyLoaded)]


def django_from_db(model, db, names, values):
    return models.Model.from_db.__func__(model, db, names, values)


def made_by_django(instance):
    model = type(instance)
    names = [field.attname for field in model._meta.concrete_fields]
    return django_from_db(model, "default", names, [getattr(instance, n) for n in names])


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


def test_every_directly_loaded_model_reads_as_django_makes_it(one_of_each):
    for model in DIRECTLY_LOADED:
        instances = list(model.objects.all())
        assert instances, model
        for instance in instances:
            assert "_state" in vars(instance) and not instance._state.adding
            assert fields_and_state(instance) == fields_and_state(made_by_django(instance))
            assert instance == model.objects.get(pk=instance.pk)


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
