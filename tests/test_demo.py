import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from ads.models import Ad
from articles.models import AnalysisBox, Article, Comment, Section

pytestmark = pytest.mark.django_db

HEADLINE = "Ukraine to boost Belarus border defenses as Putin meets Lukashenko"


def test_load_demo_builds_the_story_from_the_seed_and_is_safe_to_run_twice(client):
    call_command("load_demo")
    call_command("load_demo")
    article = Article.objects.get()
    assert article.headline == HEADLINE
    assert article.standfirst.startswith("According to a government official")
    assert article.is_public
    assert article.body.count("Just days before Russia") == 1
    for chrome in [
        "Subscribe Us",
        "header ads",
        "1px transparent line",
        "Post a Comment",
        "Analysis box by",
    ]:
        assert chrome not in article.body
    box = AnalysisBox.objects.get()
    assert (box.author.name, box.author.job_title) == ("Steve Rosenberg", "Russia editor")
    assert "Something uncommon happened today" in box.body
    assert "Putin" not in article.body.split("</p>")[-2] or box.after_paragraph == 15
    assert box.after_paragraph == article.body.count("<p>")
    assert Section.objects.filter(slug="world").exists()
    assert article.byline and article.byline[0].job_title
    assert Ad.objects.live().filter(slot__key="header").count() == 1
    assert Comment.objects.approved().count() == 3
    assert article.corrections.get().kind == "update"
    assert list(article.transitions.values_list("to_status", flat=True)) == ["published", "review"]

    page = client.get(article.get_absolute_url()).content.decode()
    assert HEADLINE in page
    assert 'aria-label="Advertisement"' in page
    assert "Russia editor" in page
    assert "Post a Comment" in page
    assert "response to the reports" in page


def test_demo_logins_work_in_development(settings, rf):
    settings.DEBUG = True
    call_command("load_demo")
    request = rf.post("/admin/login/")  # the login throttle (django-axes) needs the request
    assert (
        authenticate(request, username="reporter", password="reporter-demo-2026")
        .groups.filter(name="Reporters")
        .exists()
    )
    assert authenticate(request, username="editor", password="editor-demo-2026").has_perm(
        "articles.publish_article"
    )
