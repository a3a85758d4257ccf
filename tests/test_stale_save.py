"""No lost work: a stale save is refused with the typed text kept and the other person's
changes shown; a soft lock says who else has the story open, lapses, and can be taken over."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, EditLock
from delivery.pagecache import content_version
from tests.factories import AuthorFactory, EditorFactory, SectionFactory
from tests.test_admin_desk import (
    ADD_URL,
    article_post,
    change_url,
    existing_post,
    inline_management,
)
from tests.test_revisions import box_fields

pytestmark = pytest.mark.django_db


def opened_version(client, article):
    """The version token in the change form's page, as the browser will send it back."""
    page = client.get(change_url(article)).content.decode()
    match = re.search(r'<input type="hidden" name="loaded_version" value="([^"]+)"', page)
    assert match, "the change form must carry the version it was opened at"
    return match[1]


@pytest.fixture
def story(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, article_post(SectionFactory(), [AuthorFactory()]))
    return Article.objects.get()


def test_second_editor_is_refused_keeps_their_text_and_sees_the_first_ones_changes(
    client, story, editor
):
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    mine = opened_version(client, story)
    theirs = opened_version(other, story)
    assert mine == theirs

    first = other.post(
        change_url(story),
        existing_post(
            story, body="<p>First.</p><p>Second, with the Kremlin reply.</p>", loaded_version=theirs
        ),
    )
    assert first.status_code == 302

    refused = client.post(
        change_url(story),
        existing_post(story, headline="My sharper headline", loaded_version=mine),
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "editor-two saved this story at" in page
    assert 'value="My sharper headline"' in page
    assert "<ins>Second, with the Kremlin reply.</ins>" in page
    story.refresh_from_db()
    assert story.headline == "Border defences strengthened"
    assert "Kremlin reply" in story.body

    # The refused form now carries the current version: saving again is a deliberate choice.
    token = re.search(r'name="loaded_version" value="([^"]+)"', page)[1]
    assert token != mine
    again = client.post(
        change_url(story),
        existing_post(story, headline="My sharper headline", loaded_version=token),
    )
    assert again.status_code == 302
    story.refresh_from_db()
    assert story.headline == "My sharper headline"


def test_a_box_the_other_editor_deleted_keeps_what_i_typed_in_it(client, story):
    """Inlines too: my edits to a box someone else has since deleted stay on the page (as a
    new box), their deletion is shown, and saving again keeps my box."""
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    mine, theirs = opened_version(client, story), opened_version(other, story)
    my_box = box_fields(story, heading="My heading", body="<p>My typed analysis.</p>")
    deleted = other.post(
        change_url(story),
        existing_post(story, loaded_version=theirs, **box_fields(story, DELETE="on")),
    )
    assert deleted.status_code == 302
    assert not story.analysis_boxes.exists()

    refused = client.post(
        change_url(story), existing_post(story, headline="Mine", loaded_version=mine, **my_box)
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "editor-two saved this story at" in page
    assert "<del>Why now?" in page  # their deletion, in the diff
    assert 'value="My heading"' in page
    assert "My typed analysis." in page
    assert 'name="analysis_boxes-INITIAL_FORMS" value="0"' in page
    assert 'name="analysis_boxes-TOTAL_FORMS" value="1"' in page

    token = re.search(r'name="loaded_version" value="([^"]+)"', page)[1]
    again = existing_post(story, headline="Mine", loaded_version=token, **my_box)
    again.update(inline_management("analysis_boxes", 1))
    del again["analysis_boxes-0-id"]
    assert client.post(change_url(story), again).status_code == 302
    box = story.analysis_boxes.get()
    assert (box.heading, box.body) == ("My heading", "<p>My typed analysis.</p>")


def test_a_row_i_deleted_that_is_gone_already_is_simply_dropped(client, story):
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    mine, theirs = opened_version(client, story), opened_version(other, story)
    gone = box_fields(story, DELETE="on")
    other.post(change_url(story), existing_post(story, loaded_version=theirs, **gone))
    refused = client.post(change_url(story), existing_post(story, loaded_version=mine, **gone))
    assert refused.status_code == 200
    assert 'name="analysis_boxes-TOTAL_FORMS" value="0"' in refused.content.decode()


def test_an_unchanged_story_saves_normally(client, story):
    response = client.post(
        change_url(story),
        existing_post(story, headline="Fine", loaded_version=opened_version(client, story)),
    )
    assert response.status_code == 302


def test_workflow_step_by_someone_else_also_makes_the_form_stale(client, story, reporter):
    token = opened_version(client, story)
    story.submit(by=story.created_by)
    response = client.post(change_url(story), existing_post(story, loaded_version=token))
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()


def test_soft_lock_tells_the_second_editor_who_has_the_story_and_since_when(client, story):
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    client.get(change_url(story))
    page = other.get(change_url(story)).content.decode()
    lock = EditLock.objects.get(article=story)
    assert f"editor-one has had this story open since {lock.since:%H:%M}" in page
    assert "Take over" in page
    # The holder's own page carries no notice.
    assert "has had this story open" not in client.get(change_url(story)).content.decode()


def test_soft_lock_lapses_by_itself(client, story, time_machine):
    client.get(change_url(story))
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    time_machine.move_to(EditLock.objects.get().expires_at + timedelta(seconds=1))
    page = other.get(change_url(story)).content.decode()
    assert "has had this story open" not in page
    assert EditLock.objects.get().user.username == "editor-two"


def test_heartbeat_keeps_the_lock_and_take_over_moves_it(client, story, time_machine):
    client.get(change_url(story))
    lock_url = reverse("admin:articles_article_lock", args=[story.pk])
    before = EditLock.objects.get().expires_at
    time_machine.move_to(timezone.now() + timedelta(minutes=1))
    assert client.post(lock_url).json()["yours"] is True
    assert EditLock.objects.get().expires_at > before

    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    taken = other.post(reverse("admin:articles_article_take_over", args=[story.pk]))
    assert taken.status_code == 302
    beat = client.post(lock_url).json()
    assert beat == {"yours": False, "holder": "editor-two", "since": beat["since"]}
    assert "editor-two has had this story open" in client.get(change_url(story)).content.decode()


def test_heartbeat_takes_a_lapsed_lock_back_if_nobody_else_has_it(client, story, time_machine):
    client.get(change_url(story))
    lock_url = reverse("admin:articles_article_lock", args=[story.pk])
    time_machine.move_to(EditLock.objects.get().expires_at + timedelta(minutes=30))
    assert client.post(lock_url).json()["yours"] is True
    assert EditLock.objects.get().is_active


def test_take_over_from_the_open_form_answers_without_leaving_the_page(client, story):
    client.get(change_url(story))
    other = Client()
    other.force_login(EditorFactory(username="editor-two"))
    url = reverse("admin:articles_article_take_over", args=[story.pk])
    answer = other.post(url, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer.json() == {"yours": True, "holder": "editor-two"}
    assert EditLock.objects.get().user.username == "editor-two"


def test_opening_stories_and_making_preview_links_keep_the_page_cache(client, story):
    """Locks and preview links are on no public page: the desk at work must not empty the
    readers' cache."""
    version = content_version()
    client.get(change_url(story))
    client.post(reverse("admin:articles_article_lock", args=[story.pk]))
    client.post(reverse("admin:articles_article_preview_links", args=[story.pk]), {"hours": "2"})
    assert content_version() == version


def test_saving_and_leaving_releases_the_lock(client, story):
    token = opened_version(client, story)
    assert EditLock.objects.exists()
    client.post(change_url(story), existing_post(story, loaded_version=token))
    assert not EditLock.objects.exists()


def test_reporter_cannot_take_over_a_story_they_may_not_edit(client, story, other_reporter):
    client.force_login(other_reporter)
    response = client.post(reverse("admin:articles_article_take_over", args=[story.pk]))
    assert response.status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_saving_at_the_same_moment_on_postgresql():
    """Both opened the same version; both save at once. Exactly one save wins, the other is
    refused with the text kept, whichever order the database serves them in."""
    editors = [EditorFactory(username=f"racer-{n}") for n in range(2)]
    clients = []
    for user in editors:
        c = Client()
        c.force_login(user)
        clients.append(c)
    clients[0].post(ADD_URL, article_post(SectionFactory(), [AuthorFactory()]))
    story = Article.objects.get()
    tokens = [opened_version(c, story) for c in clients]
    start = threading.Barrier(2)
    results = [None, None]

    def save(n):
        try:
            start.wait()
            results[n] = clients[n].post(
                change_url(story),
                existing_post(story, headline=f"Headline by racer {n}", loaded_version=tokens[n]),
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(r.status_code for r in results)
    assert codes == [200, 302]
    winner = next(n for n in range(2) if results[n].status_code == 302)
    loser = 1 - winner
    story.refresh_from_db()
    assert story.headline == f"Headline by racer {winner}"
    page = results[loser].content.decode()
    assert f"racer-{winner} saved this story" in page
    assert f'value="Headline by racer {loser}"' in page
