"""Related stories and the comment count that teasers show (ArticleQuerySet.related_to,
with_comment_count)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.models import Article, Status
from tests.factories import ArticleFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def story(**kwargs):
    kwargs.setdefault("created_by", None)  # no desk user: hashing passwords is slow
    kwargs.setdefault("section", SectionFactory())
    return ArticleFactory(published=True, **kwargs)


def hours_ago(hours):
    return NOW - timedelta(hours=hours)


def related(article, limit=4):
    article = Article.objects.published().for_page().get(pk=article.pk)
    return list(Article.objects.published().for_listing().related_to(article, limit))


def ranked(stories):
    return [(s.headline, s.shared_tags) for s in stories]


def test_most_shared_tags_first_ties_newest_then_highest_id_first():
    article = story(headline="Main")
    article.tags.add("a", "b", "c")
    older_two = story(headline="Older, two", publish_at=hours_ago(9))
    older_two.tags.add("a", "b")
    same_time = hours_ago(3)
    first_one = story(headline="First made, one", publish_at=same_time)
    later_one = story(headline="Later made, one", publish_at=same_time)
    newest_one = story(headline="Newest, one", publish_at=hours_ago(1))
    for s in (first_one, later_one, newest_one):
        s.tags.add("c")
    story(headline="Untagged elsewhere", publish_at=hours_ago(0.5))

    assert ranked(related(article)) == [
        ("Older, two", 2),
        ("Newest, one", 1),
        ("Later made, one", 1),
        ("First made, one", 1),
    ]
    assert ranked(related(article, limit=2)) == [("Older, two", 2), ("Newest, one", 1)]


def test_the_section_fills_places_that_shared_tags_leave_newest_first():
    article = story(headline="Main")
    article.tags.add("a")
    tagged = story(headline="Tagged elsewhere", publish_at=hours_ago(50))
    tagged.tags.add("a")
    for n in range(4):
        story(headline=f"Section {n}", section=article.section, publish_at=hours_ago(n + 1))

    assert ranked(related(article)) == [
        ("Tagged elsewhere", 1),
        ("Section 0", 0),
        ("Section 1", 0),
        ("Section 2", 0),
    ]


def test_a_story_without_tags_gets_its_sections_newest():
    article = story(headline="Main")
    for n in range(3):
        story(headline=f"Section {n}", section=article.section, publish_at=hours_ago(n + 1))
    story(headline="Elsewhere", publish_at=hours_ago(0.5))

    assert [s.headline for s in related(article)] == ["Section 0", "Section 1", "Section 2"]


def test_only_what_the_public_may_see_is_related():
    article = story(headline="Main")
    article.tags.add("a")
    for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        hidden = ArticleFactory(
            headline=f"Hidden {status}", status=status, section=article.section, created_by=None
        )
        hidden.tags.add("a")
    scheduled = story(headline="Scheduled", publish_at=NOW + timedelta(hours=2))
    scheduled.tags.add("a")
    shown = story(headline="Shown", publish_at=hours_ago(5))
    shown.tags.add("a")

    assert ranked(related(article)) == [("Shown", 1)]


def test_tags_of_other_models_do_not_count():
    article = story(headline="Main")
    article.tags.add("a")
    other = story(headline="Other", publish_at=hours_ago(5))
    other.tags.add("b")
    # The same tag on another kind of object, whose id is the other story's.
    TaggedItem.objects.create(
        tag=Tag.objects.get(name="a"),
        content_type=ContentType.objects.get_for_model(Tag),
        object_id=other.pk,
    )

    assert ranked(related(article)) == []


def test_teasers_count_approved_comments_only():
    counted = story(headline="Counted")
    CommentFactory.create_batch(3, article=counted, status="approved")
    for status in ("pending", "spam", "rejected"):
        CommentFactory(article=counted, status=status)
    story(headline="Silent")

    counts = dict(
        Article.objects.published().for_listing().values_list("headline", "comment_count")
    )
    assert counts == {"Counted": 3, "Silent": 0}
    stories = Article.objects.published().for_listing().order_by("headline")
    assert [(s.headline, s.comment_count) for s in stories] == [("Counted", 3), ("Silent", 0)]


def test_the_comment_count_still_refers_to_its_story_inside_a_subquery():
    busy = story(headline="Busy")
    CommentFactory.create_batch(2, article=busy, status="approved")
    story(headline="Quiet")

    busy_ids = Article.objects.with_comment_count().filter(comment_count__gt=0).values("pk")
    assert list(Article.objects.filter(pk__in=busy_ids).values_list("headline", flat=True)) == [
        "Busy"
    ]
    # A filter across comments puts the comment table in the outer query too.
    with_comments = Article.objects.filter(comments__status="approved").with_comment_count()
    assert {(a.headline, a.comment_count) for a in with_comments} == {("Busy", 2)}


def test_related_stories_cost_two_queries(django_assert_num_queries):
    article = story(headline="Main")
    article.tags.add("a", "b")
    for n in range(6):
        s = story(headline=f"Tagged {n}", publish_at=hours_ago(n + 1), authors=2)
        s.tags.add("a")
    article = Article.objects.published().for_page().get(pk=article.pk)
    Article.objects.published().for_listing().related_to(article, 4)  # warms ContentType
    with django_assert_num_queries(2):  # the stories, their bylines
        stories = list(Article.objects.published().for_listing().related_to(article, 4))
        assert all(len(s.byline) == 2 for s in stories)
    assert len(stories) == 4
    assert all("body" in s.get_deferred_fields() for s in stories)  # teasers show no body
