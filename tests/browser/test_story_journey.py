"""The whole story in a real browser: the reporter writes, the desk reviews, a reader comments."""

import pytest

from ads.models import Ad, AdSlot
from articles.models import Article, Comment, CommentStatus, Status
from tests.browser.support import PHONE, browser_db, choose_autocomplete, log_in, png_upload
from tests.factories import AuthorFactory, EditorFactory, ReporterFactory, SectionFactory

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = browser_db

HEADLINE = "Ukraine boosts Belarus border defences"
NOTE = "Add the Kremlin's response before we run this."


@pytest.fixture
def newsroom():
    ReporterFactory(username="anna")
    EditorFactory(username="martin")
    SectionFactory(name="World", slug="world")
    AuthorFactory(name="Anna Petrenko", job_title="Ukraine correspondent")
    AuthorFactory(name="Steve Rosenberg", job_title="Russia editor")
    slot = AdSlot.objects.create(key="header", name="Header")
    Ad.objects.create(
        slot=slot,
        name="House ad",
        text="Read the Newsroom morning briefing.",
        target_url="https://newsroom.example/briefing",
    )


def click_at_end(paragraph):
    """Put the caret after the last word, as a person clicking right of the line does."""
    box = paragraph.bounding_box()
    paragraph.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
    # ProseMirror takes the click's caret from the next selectionchange event; a key pressed
    # before that would act on the old selection. Tiptap keeps its editor on the DOM node.
    paragraph.page.wait_for_function(
        "node => node.closest('.ProseMirror').editor.state.selection.empty",
        arg=paragraph.element_handle(),
    )


def write_story(page):
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline").fill(HEADLINE)
    page.get_by_label("Standfirst").fill("Kyiv digs in along its northern frontier.")
    page.get_by_label("Section").select_option(label="World")

    body = page.locator(".field-body")
    editor = body.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Troops dug new trenches along the frontier this week. ")
    page.keyboard.press("Enter")
    page.keyboard.type("The crossing at Senkivka is ")
    body.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type("closed to all traffic")
    body.get_by_role("button", name="bold", exact=True).click()
    page.keyboard.type(" until further notice.")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the ministry statement")
    page.keyboard.press("Shift+Home")
    # As in click_at_end: the link button acts on the editor's selection, which follows the
    # key press only after the next selectionchange event.
    page.wait_for_function(
        "node => !node.editor.state.selection.empty", arg=editor.element_handle()
    )
    body.get_by_role("button", name="insert link").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("URL").fill("https://example.org/statement")
    dialog.get_by_role("button", name="Update").click()
    click_at_end(editor.locator("p").last)
    page.keyboard.press("Enter")

    body.get_by_label("Image alt text").fill("Soldiers digging a trench at dawn")
    body.get_by_label("Insert an image").set_input_files(png_upload())
    expect(body.locator(".editor-image-upload__status")).to_have_text("Image inserted.")

    choose_autocomplete(page, page.locator("#bylines-group, #byline_set-group").first, "Anna")

    page.get_by_role("button", name="Add another Analysis box").click()
    box = page.locator("#analysis_boxes-0")
    choose_autocomplete(page, box.locator(".field-author"), "Steve")
    box.get_by_label("Heading").fill("Why now?")
    box.get_by_label("After paragraph").fill("1")
    box.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Moscow wants Minsk closer than ever.")


def workflow(page, action, note=""):
    if note:
        page.locator("#id_workflow_note").fill(note)
    page.locator(f"button[name=_workflow][value={action}]").click()
    expect(page.locator(".messagelist .success").first).to_contain_text("done")


def open_story(page):
    page.goto("/admin/articles/article/")
    page.get_by_role("link", name=HEADLINE).click()


def test_story_from_the_reporters_keyboard_to_a_readers_comment(open_page, newsroom, settings):
    # A script types faster than the spam check's minimum time for a person.
    settings.NEWSROOM_COMMENTS_MIN_SECONDS = 0
    reporter, editor, reader = open_page(), open_page(), open_page(PHONE)
    log_in(reporter, "anna")
    log_in(editor, "martin")

    write_story(reporter)
    workflow(reporter, "submit")
    article = Article.objects.get(headline=HEADLINE)
    assert article.status == Status.REVIEW
    assert "<strong>closed to all traffic</strong>" in article.body
    assert 'href="https://example.org/statement"' in article.body
    assert 'alt="Soldiers digging a trench at dawn"' in article.body

    open_story(editor)
    workflow(editor, "return_to_draft", note=NOTE)

    open_story(reporter)
    expect(reporter.locator(".desk-note")).to_contain_text(NOTE)
    click_at_end(reporter.locator(".field-body .ProseMirror[contenteditable=true] p").last)
    reporter.keyboard.press("Enter")
    reporter.keyboard.type("The Kremlin called the reports provocations.")
    workflow(reporter, "submit")

    open_story(editor)
    workflow(editor, "publish")
    article.refresh_from_db()
    assert article.is_public

    reader.goto("/")
    reader.get_by_role("link", name=HEADLINE).first.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(reader.get_by_label("Advertisement")).to_contain_text("morning briefing")
    expect(reader.locator(".story__body strong")).to_have_text("closed to all traffic")
    expect(reader.get_by_role("link", name="Read the ministry statement")).to_have_attribute(
        "href", "https://example.org/statement"
    )
    expect(reader.locator(".story__body")).to_contain_text("provocations")
    image = reader.get_by_alt_text("Soldiers digging a trench at dawn")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 640
    analysis = reader.get_by_role("complementary", name="Why now?")
    expect(analysis).to_contain_text("Steve Rosenberg, Russia editor")
    expect(analysis).to_contain_text("Moscow wants Minsk closer than ever.")

    form = reader.locator(".comment-form")
    form.get_by_label("Name").fill("Olga")
    form.get_by_label("Email").fill("olga@example.com")
    form.get_by_label("Comment").fill("Clear reporting from the border, thank you.")
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.get_by_role("status")).to_contain_text("held for moderation")
    own_comment = reader.locator(".comment", has_text="Clear reporting from the border")
    expect(own_comment).to_contain_text("Your comment is awaiting moderation.")
    assert Comment.objects.get().status == CommentStatus.PENDING
    other_reader = open_page(PHONE)
    other_reader.goto(reader.url)
    expect(other_reader.locator(".comment-list")).to_have_count(0)

    editor.goto("/admin/articles/comment/?status__exact=pending")
    editor.get_by_role("checkbox", name="Olga on").check()
    editor.locator("select[name=action]").select_option("approve")
    editor.get_by_role("button", name="Go").click()
    expect(editor.locator(".messagelist")).to_contain_text("1 comment marked approved")

    other_reader.reload()
    expect(other_reader.locator(".comment")).to_contain_text("Clear reporting from the border")
    reader.reload()
    expect(own_comment).not_to_contain_text("awaiting moderation")
