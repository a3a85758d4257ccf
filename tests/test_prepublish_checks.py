"""Pre-publication checks: errors block publishing with the reason, warnings need a
confirmation, and reporters meet the same checks when they submit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.checks import run_checks
from articles.models import AnalysisBox, Article, PrepublicationError, Status
from tests.factories import AnalysisBoxFactory, ArticleFactory
from tests.test_admin_desk import change_url, existing_post

pytestmark = pytest.mark.django_db


def codes(findings):
    return {(f.level, f.code) for f in findings}


def test_a_clean_story_has_no_findings():
    assert run_checks(ArticleFactory()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"standfirst": ""}, ("warning", "standfirst")),
        ({"headline": "A" * 111}, ("warning", "headline_length")),
        (
            {"body": "<p>Same words.</p><p>Other.</p><p>Same  words.</p>"},
            ("warning", "repeated_paragraph"),
        ),
        ({"body": '<p>See:</p><p><img src="/media/x.jpg"></p>'}, ("error", "image_alt")),
        ({"body": '<p><img src="/media/x.jpg" alt=" "></p>'}, ("error", "image_alt")),
    ],
)
def test_each_rule_finds_its_problem(changes, expected):
    article = ArticleFactory(**changes)
    assert expected in codes(run_checks(article))


def test_headline_of_exactly_110_characters_passes():
    assert run_checks(ArticleFactory(headline="A" * 110)) == []


def test_analysis_box_without_author_is_an_error():
    article = ArticleFactory()
    box = AnalysisBox(article=article, heading="Why now?", body="<p>Text.</p>")
    findings = run_checks(article, boxes=[box])
    assert ("error", "box_author") in codes(findings)
    assert "Why now?" in findings[0].message


def test_publish_time_in_the_past_is_a_warning():
    article = ArticleFactory()
    past = timezone.now() - timedelta(hours=1)
    assert ("warning", "publish_at_past") in codes(run_checks(article, publish_at=past))
    future = timezone.now() + timedelta(hours=1)
    assert run_checks(article, publish_at=future) == []


def test_internal_links_to_unpublished_stories_are_errors_until_they_are_out():
    draft = ArticleFactory(headline="The secret draft")
    scheduled = ArticleFactory(
        headline="Out tomorrow",
        status=Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(days=1),
    )
    live = ArticleFactory(published=True)
    body = (
        f'<p><a href="{draft.get_absolute_url()}">a</a> '
        f'<a href="http://testserver{scheduled.get_absolute_url()}">b</a> '
        f'<a href="{live.get_absolute_url()}">c</a> '
        '<a href="https://example.org/articles/999/x/">elsewhere</a></p>'
    )
    article = ArticleFactory(body=body)
    messages = [f.message for f in run_checks(article) if f.code == "unpublished_link"]
    assert len(messages) == 2
    assert "The secret draft" in messages[0] and "Out tomorrow" in messages[1]
    # Scheduled after the linked story goes out: only the draft is a problem.
    later = timezone.now() + timedelta(days=2)
    assert len([f for f in run_checks(article, publish_at=later) if f.is_error]) == 1


def test_links_inside_analysis_boxes_are_checked_too():
    draft = ArticleFactory(headline="Unseen")
    box = AnalysisBoxFactory(body=f'<p><a href="{draft.get_absolute_url()}">see</a></p>')
    assert ("error", "unpublished_link") in codes(run_checks(box.article))


def test_model_publish_refuses_errors_and_unconfirmed_warnings(editor):
    broken = ArticleFactory(status=Status.REVIEW, body='<p><img src="/x.png"></p>')
    with pytest.raises(PrepublicationError, match="no alt text"):
        broken.publish(by=editor, confirmed=True)
    assert Article.objects.get(pk=broken.pk).status == Status.REVIEW

    no_lead = ArticleFactory(status=Status.REVIEW, standfirst="")
    with pytest.raises(PrepublicationError, match="standfirst"):
        no_lead.publish(by=editor)
    assert not no_lead.transitions.exists()
    no_lead.publish(by=editor, confirmed=True)
    assert no_lead.is_public


def test_reporter_submit_meets_the_same_checks(reporter):
    article = ArticleFactory(created_by=reporter, headline="B" * 120)
    with pytest.raises(PrepublicationError, match="120 characters"):
        article.submit(by=reporter)
    article.submit(by=reporter, confirmed=True)
    assert article.status == Status.REVIEW


def test_admin_publish_with_an_error_is_refused_with_the_reason_and_text_kept(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    client.force_login(editor)
    response = client.post(
        change_url(article),
        existing_post(
            article,
            headline="Typed headline",
            body='<p>Look:</p><p><img src="/media/a.jpg"></p>',
            _workflow="publish",
            confirm_warnings="on",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "has no alt text" in page
    assert 'value="Typed headline"' in page
    article.refresh_from_db()
    assert article.status == Status.REVIEW and article.headline != "Typed headline"


def test_admin_warnings_need_the_confirmation_box(client, editor):
    article = ArticleFactory(status=Status.REVIEW)
    client.force_login(editor)
    unconfirmed = client.post(
        change_url(article), existing_post(article, standfirst="", _workflow="publish")
    )
    assert unconfirmed.status_code == 200
    page = unconfirmed.content.decode()
    assert "There is no standfirst" in page
    assert "Tick the confirmation" in page
    article.refresh_from_db()
    assert article.status == Status.REVIEW

    confirmed = client.post(
        change_url(article),
        existing_post(article, standfirst="", _workflow="publish", confirm_warnings="on"),
    )
    assert confirmed.status_code == 302
    article.refresh_from_db()
    assert article.is_public


def test_admin_new_analysis_box_with_an_image_without_alt_blocks_submit(client, reporter):
    article = ArticleFactory(created_by=reporter)
    author = article.bylines.get().author
    client.force_login(reporter)
    data = existing_post(article, _workflow="submit")
    data.update(
        {
            "analysis_boxes-TOTAL_FORMS": "1",
            "analysis_boxes-0-author": str(author.pk),
            "analysis_boxes-0-heading": "What next",
            "analysis_boxes-0-after_paragraph": "",
            "analysis_boxes-0-body": '<p><img src="/media/chart.png"></p>',
        }
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "has no alt text" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT and not article.analysis_boxes.exists()


def test_list_action_publish_reports_the_checks(client, editor):
    article = ArticleFactory(status=Status.REVIEW, standfirst="")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [article.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "There is no standfirst" in page
    assert "open the story to confirm them" in page
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_reporter_submitting_from_the_form_sees_the_warnings_and_confirms(client, reporter):
    article = ArticleFactory(created_by=reporter, standfirst="")
    client.force_login(reporter)
    refused = client.post(
        change_url(article), existing_post(article, standfirst="", _workflow="submit")
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "There is no standfirst" in page
    assert "Tick the confirmation below to go ahead anyway." in page
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    confirmed = client.post(
        change_url(article),
        existing_post(article, standfirst="", _workflow="submit", confirm_warnings="on"),
    )
    assert confirmed.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.REVIEW
