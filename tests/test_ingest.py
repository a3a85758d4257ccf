"""Ingest: pasted or scraped pages become drafts, by rules that work beyond the seed page."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles import revisions
from articles.ingest import IngestError, parse_story
from articles.models import AnalysisBox, Article, Author, Status
from tests.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "ingest"
SEED = Path(__file__).resolve().parents[1] / "articles" / "demo" / "minsk-article.txt"
IMPORT_URL = reverse("admin:articles_article_import")


def page(name):
    return (DATA / name).read_text(encoding="utf-8")


def reasons(story):
    return {reason for reason, _ in story.dropped}


def test_seed_page_headline_chrome_repeat_and_analysis_box():
    story = parse_story(SEED.read_text(encoding="utf-8"))
    assert story.headline == "Ukraine to boost Belarus border defenses as Putin meets Lukashenko"
    dropped = [line for _, line in story.dropped]
    for chrome in ["Subscribe Us", "header ads", "1px transparent line"]:
        assert chrome in dropped
    repeated = "Just days before Russia's full-scale invasion"
    assert sum(p.startswith(repeated) for p in story.paragraphs) == 1
    (box,) = story.boxes
    assert (box.author_name, box.job_title) == ("Steve Rosenberg", "Russia editor")
    assert box.after_paragraph == len(story.paragraphs)


def test_wire_page_with_breadcrumbs_dateline_byline_share_and_related_block():
    story = parse_story(page("wire-harbour.txt"))
    assert story.headline == "Harbour strike ends after dockers accept a four-year pay deal"
    assert story.byline == [("Maria Lindqvist", "Business correspondent")]
    assert story.standfirst.startswith("Dockworkers at the country's largest container port")
    text = " ".join(story.paragraphs)
    assert text.count("The union said 78%") == 1  # repeated further down the page
    assert story.paragraphs[-1].startswith("Work is expected to resume")
    for chrome in ["Share", "Tweet", "Advertisement", "Related stories", "Dockers walk out", "©"]:
        assert chrome not in text
    assert {
        "navigation",
        "share prompt",
        "advertising",
        "related stories",
        "subscribe call",
        "comment call",
        "dateline",
        "before the headline",
        "repeated",
    } <= reasons(story)


def test_blog_page_with_spacers_social_buttons_and_a_new_analysis_author():
    story = parse_story(page("blog-vaccine.txt"))
    assert story.headline == "Measles vaccine uptake rises for the first time in a decade"
    assert all("spacer" not in p.lower() and "Getty" not in p for p in story.paragraphs)
    assert len(story.paragraphs) == 3
    (box,) = story.boxes
    assert (box.author_name, box.job_title) == ("Priya Natarajan", "Health editor")
    assert box.paragraphs[-1].startswith("Catch-up clinics work")
    assert ("spacer caption", "spacer.gif") in story.dropped
    assert ("related stories", "Ten things to know about measles") in story.dropped
    assert ("comment call", "3 comments") in story.dropped


def test_analysis_heading_variant_ends_a_related_list_only_at_real_text():
    story = parse_story(page("analysis-election.txt"))
    assert story.headline.startswith("Coalition talks collapse")
    (box,) = story.boxes
    assert box.author_name == "Tomasz Wierzbicki"
    assert box.job_title == "Central Europe correspondent"
    assert box.after_paragraph == 3
    assert len(box.paragraphs) == 3
    assert ("spacer caption", "2px transparent line") in story.dropped
    assert "Budget 2025: the cuts explained" not in box.paragraphs


def test_broadcaster_page_with_two_line_byline_captions_video_and_topics():
    story = parse_story(page("broadcaster-frontline.txt"))
    assert story.headline == "Ukraine war: Zelensky visits troops near the eastern front line"
    assert story.byline == [("Jonathan Beale", "Defence correspondent")]
    assert story.standfirst.startswith("Ukraine's president has visited troops")
    assert len(story.paragraphs) == 3
    assert story.paragraphs[-1].startswith("Military analysts say")
    for reason, line in [
        ("dateline", "2 hours ago"),
        ("picture caption", "Image source, Reuters"),
        ("video link", "Watch: Zelensky meets troops in Donetsk. Video, 00:01:12"),
        ("advertising", "Story continues below advertisement"),
        ("related stories", "Related Topics"),
        ("related stories", "Russia-Ukraine war"),
        ("navigation", "Accessibility Help"),
    ]:
        assert (reason, line) in story.dropped
    assert "repeated" in reasons(story)
    # The report reads in the page's order.
    assert [line for _, line in story.dropped[:5]] == [
        "Skip to content",
        "Accessibility Help",
        "Your account",
        "Home",
        "News",
    ]


def test_magazine_page_with_reading_tools_late_dateline_and_two_authors():
    story = parse_story(page("magazine-farmers.txt"))
    assert story.headline == "Why Europe's farmers are angry, and what governments can do"
    assert story.standfirst.startswith("Tractors have blocked roads")
    assert story.byline == [("Claire Dubois", ""), ("Tomasz Nowak", "")]
    assert [p.split()[0] for p in story.paragraphs] == ["Farmers", "In", "Governments"]
    (box,) = story.boxes
    assert (box.author_name, box.job_title, box.after_paragraph) == (
        "Hans Müller",
        "Brussels correspondent",
        3,
    )
    for reason, line in [
        ("navigation", "Listen to this article"),
        ("navigation", "5 min read"),
        ("dateline", "March 3, 2025 at 7:45 am EST"),
        ("advertising", "Continue reading below"),
        ("link to another story", "Read more: The EU's farm subsidies, explained"),
        ("comment call", "Comments (42)"),
    ]:
        assert (reason, line) in story.dropped


def test_story_sentences_that_resemble_chrome_or_bylines_are_kept():
    text = (
        "Ministers agree a plan to rebuild the harbour wall\n"
        "By Maria Lindqvist, Business correspondent\n"
        "By Tuesday, ministers had agreed on a plan.\n"
        "Watch this space, the harbour master told reporters on the quay.\n"
        "Listen, he said, we have waited long enough for this wall to be rebuilt.\n"
        "Comments from residents were mostly positive, according to the council survey.\n"
    )
    story = parse_story(text)
    assert story.byline == [("Maria Lindqvist", "Business correspondent")]
    assert story.standfirst == "By Tuesday, ministers had agreed on a plan."
    assert len(story.paragraphs) == 3
    assert story.dropped == []


@pytest.mark.parametrize(
    ("line", "people"),
    [
        (
            "By Anna Smith, Tom Jones and Lee Park",
            [("Anna Smith", ""), ("Tom Jones", ""), ("Lee Park", "")],
        ),
        ("By Anna Smith, Chief Economist", [("Anna Smith", "Chief Economist")]),
        ("By Anna Smith & Tom Jones", [("Anna Smith", ""), ("Tom Jones", "")]),
    ],
)
def test_byline_lines(line, people):
    story = parse_story(
        f"Ministers agree a plan to rebuild the wall\n{line}\nThe wall will be rebuilt."
    )
    assert story.byline == people


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("Menu\nSearch\nSubscribe\n\nHome | World | Sport\nShare\n", "No headline"),
        ("Short\nLines only\nHere", "No headline"),
        ("A headline with nothing under it\n\nShare\n", "Only a headline"),
    ],
)
def test_pages_without_a_story_are_refused_with_a_reason(text, message):
    with pytest.raises(IngestError, match=message):
        parse_story(text)


def test_import_article_command_makes_a_draft_owned_by_the_importer(reporter):
    SectionFactory(slug="business")
    known = AuthorFactory(name="Maria Lindqvist", job_title="")
    out = _call("import_article", DATA / "wire-harbour.txt", "--user", reporter.username)
    article = Article.objects.get()
    assert article.status == Status.DRAFT and article.created_by == reporter
    assert article.headline.startswith("Harbour strike ends")
    assert article.byline == [known]
    known.refresh_from_db()
    assert known.job_title == "Business correspondent"
    assert article.body.count("<p>") == 4
    assert "Dropped" in out and "[related stories] Dockers walk out over pay" in out


def test_import_creates_the_analysis_author_if_new_and_reuses_them_next_time(editor):
    SectionFactory(slug="health")
    _call("import_article", DATA / "blog-vaccine.txt", "--user", editor.username)
    _call("import_article", DATA / "blog-vaccine.txt", "--user", editor.username)
    author = Author.objects.get(name="Priya Natarajan")
    assert author.job_title == "Health editor"
    assert AnalysisBox.objects.filter(author=author).count() == 2
    box = AnalysisBox.objects.first()
    assert box.after_paragraph == 3
    assert "Catch-up clinics" in box.body
    # The import is the story's first revision, box included.
    (version,) = revisions.versions_of(box.article)
    assert version.revision.user == editor
    assert "Catch-up clinics" in revisions.snapshot(version)[f"Analysis box #{box.pk}"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty"),
        ("picture.txt", "not a text file"),
        ("chrome-only.txt", "No headline"),
    ],
)
def test_bad_files_give_a_clear_error_and_create_nothing(reporter, name, message):
    SectionFactory()
    with pytest.raises(CommandError, match=message):
        _call("import_article", DATA / name, "--user", reporter.username)
    assert not Article.objects.exists() and not Author.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"  \n\t\n", "empty"),
        ("Grève des dockers au Havre ce matin\nLe port est fermé.".encode("latin-1"), "UTF-8"),
        (b"A headline with nothing under it\n\nShare\nAdvertisement\n", "Only a headline"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02", "not a text file"),
    ],
)
def test_more_bad_files_create_nothing(reporter, tmp_path, content, message):
    SectionFactory()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _call("import_article", bad, "--user", reporter.username)
    assert not Article.objects.exists() and not Author.objects.exists()


def test_lines_end_only_at_line_ends_other_separators_read_as_spaces():
    story = parse_story(
        "Ministers agree\x1ea plan\u2028to rebuild the harbour wall\r\n"
        "The wall will be rebuilt\x0cby the spring, the council said.\r"
        "It will cost less than feared."
    )
    assert story.headline == "Ministers agree a plan to rebuild the harbour wall"
    assert story.standfirst == "The wall will be rebuilt by the spring, the council said."
    assert story.paragraphs == ["It will cost less than feared."]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "Share",
                "Related stories",
                "By Anna Smith, Russia editor",
                "Analysis box by Steve Rosenberg, Russia editor",
                "Ministers agree a plan to rebuild the harbour wall",
                "The wall will be rebuilt by the spring, the council said.",
                "2 hours ago",
                "",
            ]
        )
        | st.text(max_size=60),
        max_size=12,
    )
)
@example(lines=["0\r0 0 0\x0c0", "Analysis box by Steve Rosenberg, Russia editor"])
def test_any_text_is_parsed_or_refused_with_an_ingest_error(lines):
    text = "\n".join(lines)
    try:
        story = parse_story(text)
    except IngestError:
        return
    # A generated "line" may hold a CR, which ends a line too.
    page_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert story.headline and story.headline in [" ".join(line.split()) for line in page_lines]
    assert story.paragraphs or story.boxes or story.standfirst


def test_missing_file_and_unknown_user_are_clear_errors(reporter):
    with pytest.raises(CommandError, match="Cannot read"):
        _call("import_article", DATA / "nope.txt", "--user", reporter.username)
    with pytest.raises(CommandError, match="No user called"):
        _call("import_article", DATA / "wire-harbour.txt", "--user", "ghost")


def test_admin_import_from_pasted_text_opens_the_draft_with_the_report(client, reporter):
    section = SectionFactory()
    client.force_login(reporter)
    assert IMPORT_URL in client.get(reverse("admin:articles_article_changelist")).content.decode()
    response = client.post(
        IMPORT_URL, {"text": page("analysis-election.txt"), "section": section.pk}, follow=True
    )
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    html = response.content.decode()
    assert "Imported as a draft" in html
    assert "[related stories] Who is who in the coalition talks" in html
    assert article.created_by == reporter and article.section == section


def test_admin_import_from_an_uploaded_file(client, editor):
    section = SectionFactory()
    client.force_login(editor)
    upload = SimpleUploadedFile("story.txt", (DATA / "blog-vaccine.txt").read_bytes())
    client.post(IMPORT_URL, {"file": upload, "section": section.pk})
    assert Article.objects.get().headline.startswith("Measles vaccine uptake")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Paste the page"),
        ({"text": "Menu\nShare"}, "No headline"),
        ({"file": ("x.png", b"\x89PNG\r\n\x1a\n\x00\x00")}, "not a text file"),
        ({"file": ("x.txt", b"")}, "empty"),
    ],
)
def test_admin_import_refuses_bad_input_beside_the_field_and_keeps_it(
    client, editor, data, message
):
    section = SectionFactory()
    client.force_login(editor)
    post = {"section": section.pk, **data}
    if "file" in data:
        post["file"] = SimpleUploadedFile(*data["file"])
    response = client.post(IMPORT_URL, post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_admin_import_keeps_typed_text_when_refused(client, editor):
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"text": "Menu\nShare", "section": ""})
    assert "Menu\nShare" in response.content.decode()


def test_people_without_add_permission_cannot_import(client, django_user_model):
    staff = django_user_model.objects.create_user("visitor", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT_URL).status_code == 403


def _call(*args):
    from io import StringIO

    out = StringIO()
    call_command(*[str(a) for a in args], stdout=out)
    return out.getvalue()
