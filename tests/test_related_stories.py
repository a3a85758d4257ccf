"""Related stories and the comment count that teasers show (ArticleQuerySet.related_to,
with_comment_count)."""

import random
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


def test_the_story_itself_never_appears():
    article = story(headline="Main", publish_at=hours_ago(0.5))  # its section's newest
    article.tags.add("a", "b")
    other = story(headline="Other", section=article.section, publish_at=hours_ago(3))
    other.tags.add("a")

    assert ranked(related(article)) == [("Other", 1)]


def test_hidden_stories_take_no_place_from_public_ones():
    # Newer than every public story and sharing more tags: were they ranked before the
    # public filter, they would fill every place.
    article = story(headline="Main", publish_at=hours_ago(10))
    article.tags.add("a", "b")
    for n in range(5):
        scheduled = story(
            headline=f"Scheduled {n}",
            section=article.section,
            publish_at=NOW + timedelta(hours=n + 1),
        )
        scheduled.tags.add("a", "b")
        withdrawn = story(
            headline=f"Withdrawn {n}", section=article.section, publish_at=hours_ago(n)
        )
        withdrawn.status = Status.WITHDRAWN
        withdrawn.save()
        withdrawn.tags.add("a", "b")
    shared = story(headline="Shares one", publish_at=hours_ago(40))
    shared.tags.add("b")
    story(headline="Section", section=article.section, publish_at=hours_ago(30))

    assert ranked(related(article)) == [("Shares one", 1), ("Section", 0)]


def test_a_section_story_sharing_tags_is_listed_once_and_ranked_by_them():
    article = story(headline="Main")
    article.tags.add("a", "b")
    both = story(headline="Section, shares two", section=article.section, publish_at=hours_ago(9))
    both.tags.add("a", "b")
    elsewhere = story(headline="Elsewhere, shares one", publish_at=hours_ago(20))
    elsewhere.tags.add("a")
    newer = story(headline="Section, shares none", section=article.section, publish_at=hours_ago(1))
    newer.tags.add("z")

    assert ranked(related(article)) == [
        ("Section, shares two", 2),
        ("Elsewhere, shares one", 1),
        ("Section, shares none", 0),
    ]


def test_tags_that_more_stories_share_than_places_leave_no_place_to_the_section():
    article = story(headline="Main")
    article.tags.add("a")
    for n in range(5):
        s = story(headline=f"Tagged {n}", publish_at=hours_ago(10 + n))
        s.tags.add("a")
    story(headline="Section, newest", section=article.section, publish_at=hours_ago(0.5))

    assert ranked(related(article)) == [(f"Tagged {n}", 1) for n in range(4)]


def test_the_ranking_matches_the_rule_written_plainly():
    rng = random.Random(7)
    sections = [SectionFactory() for _ in range(3)]
    tag_names = ["a", "b", "c", "d", "e"]
    times = [hours_ago(h) for h in (1, 2, 2, 3, 5, 8)] + [NOW + timedelta(hours=1)]
    stories = []
    for n in range(40):
        s = story(headline=f"Story {n}", section=rng.choice(sections), publish_at=rng.choice(times))
        if rng.random() < 0.15:
            s.status = rng.choice([Status.DRAFT, Status.WITHDRAWN])
            s.save()
        s.tags.add(*rng.sample(tag_names, rng.randint(0, 3)))
        stories.append(s)

    public = [s for s in stories if s.status == Status.PUBLISHED and s.publish_at <= NOW]
    for article in public[:12]:
        tags = set(article.tags.names())
        shared = {s.pk: len(tags & set(s.tags.names())) for s in public if s.pk != article.pk}
        expected = sorted(
            (
                s
                for s in public
                if s.pk in shared and (shared[s.pk] or s.section_id == article.section_id)
            ),
            key=lambda s: (shared[s.pk], s.publish_at, s.pk),
            reverse=True,
        )
        for limit in (1, 4, 6):
            # A story without tags gets its section's newest, with no count of shared tags.
            got = [(s.headline, getattr(s, "shared_tags", 0)) for s in related(article, limit)]
            assert got == [(s.headline, shared[s.pk]) for s in expected[:limit]]


def test_related_stories_are_drawn_from_the_stories_own_columns_only():
    article = story(headline="Main")
    article.tags.add("a")
    article = Article.objects.published().for_page().get(pk=article.pk)
    across_a_join = Article.objects.published().filter(bylines__position=0)

    with pytest.raises(ValueError, match="without joins"):
        across_a_join.related_to(article, 4)


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


def test_related_stories_cost_one_query(django_assert_num_queries):
    article = story(headline="Main")
    article.tags.add("a", "b")
    for n in range(6):
        s = story(headline=f"Tagged {n}", publish_at=hours_ago(n + 1), authors=2)
        s.tags.add("a")
    article = Article.objects.published().for_page().get(pk=article.pk)
    Article.objects.published().for_listing(packed=True).related_to(article, 4)  # warms ContentType
    with django_assert_num_queries(1):  # the stories, their bylines packed in their rows
        stories = list(Article.objects.published().for_listing(packed=True).related_to(article, 4))
        assert all(len(s.byline) == 2 for s in stories)
    assert len(stories) == 4
    assert all("body" in s.get_deferred_fields() for s in stories)  # teasers show no body
