from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, Status, WorkflowError
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_reporter_submits_own_draft_and_the_step_is_recorded(reporter):
    article = ArticleFactory(created_by=reporter)
    article.submit(by=reporter, note="Ready when you are")
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    step = article.transitions.get()
    assert (step.actor, step.from_status, step.to_status, step.note) == (
        reporter,
        Status.DRAFT,
        Status.REVIEW,
        "Ready when you are",
    )
    assert step.at <= timezone.now()


def test_reporter_cannot_submit_someone_elses_draft(reporter, other_reporter):
    article = ArticleFactory(created_by=other_reporter)
    with pytest.raises(PermissionDenied):
        article.submit(by=reporter)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_reporter_can_never_publish(reporter):
    article = ArticleFactory(created_by=reporter, status=Status.REVIEW)
    with pytest.raises(PermissionDenied):
        article.publish(by=reporter)
    assert not Article.objects.published().exists()
    assert not article.transitions.exists()


def test_editor_publishes_now_and_the_story_is_public(editor):
    article = ArticleFactory(status=Status.REVIEW)
    article.publish(by=editor)
    assert article.is_public
    assert list(Article.objects.published()) == [article]
    assert article.first_published_at == article.publish_at


def test_scheduled_story_is_invisible_until_its_time(editor):
    article = ArticleFactory(status=Status.REVIEW)
    at = timezone.now() + timedelta(hours=3)
    article.publish(by=editor, at=at)
    assert article.is_scheduled and not article.is_public
    assert not Article.objects.published().exists()
    # No job needs to run: the query alone decides once the moment has passed.
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert list(Article.objects.published()) == [article]


def test_scheduled_story_can_be_rescheduled_or_pulled_back(editor):
    article = ArticleFactory(status=Status.REVIEW)
    article.publish(by=editor, at=timezone.now() + timedelta(days=1))
    later = timezone.now() + timedelta(days=2)
    article.publish(by=editor, at=later)
    assert article.publish_at == later
    article.return_to_draft(by=editor, note="Hold for legal")
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.publish_at is None
    assert article.first_published_at is None


def test_return_to_draft_needs_a_note_and_the_reporter_can_edit_again(editor, reporter):
    article = ArticleFactory(created_by=reporter, status=Status.REVIEW)
    assert not article.can_be_edited_by(reporter)
    with pytest.raises(WorkflowError):
        article.return_to_draft(by=editor, note="  ")
    article.return_to_draft(by=editor, note="Second source, please")
    assert article.status == Status.DRAFT
    assert article.can_be_edited_by(reporter)
    assert article.transitions.first().note == "Second source, please"


def test_withdraw_takes_a_published_story_off_the_site(editor):
    article = ArticleFactory(published=True)
    with pytest.raises(WorkflowError):
        article.withdraw(by=editor, note="")
    article.withdraw(by=editor, note="Legal complaint")
    assert not Article.objects.published().exists()
    article.return_to_draft(by=editor, note="Rework after legal review")
    assert article.status == Status.DRAFT


def test_state_rules_refuse_impossible_steps(editor, reporter):
    article = ArticleFactory(created_by=reporter, published=True)
    with pytest.raises(WorkflowError):
        article.submit(by=editor)
    with pytest.raises(WorkflowError):
        article.publish(by=editor)
    draft = ArticleFactory()
    with pytest.raises(WorkflowError):
        draft.withdraw(by=editor, note="x")


def test_allowed_actions_follow_role_and_state(editor, reporter):
    draft = ArticleFactory(created_by=reporter)
    assert draft.allowed_actions(reporter) == ["submit"]
    assert draft.allowed_actions(editor) == ["submit", "publish"]
    draft.submit(by=reporter)
    assert draft.allowed_actions(reporter) == []
    assert draft.allowed_actions(editor) == ["publish", "return_to_draft"]
    draft.publish(by=editor)
    assert draft.allowed_actions(editor) == ["withdraw"]


def test_database_refuses_published_story_without_publish_time():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(status=Status.PUBLISHED, publish_at=None)
