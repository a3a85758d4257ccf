"""Who may do what, as a table of role × action, each cell tried on the server: through the
admin with the request a browser (or a crafted POST) sends, and through the workflow methods.

                 anonymous  reader  reporter  editor  admin
add                  -        -        ✓        ✓       ✓
change own           -        -        ✓        ✓       ✓
change other's       -        -        -        ✓       ✓
submit               -        -        ✓        ✓       ✓
publish              -        -        -        ✓       ✓
withdraw             -        -        -        ✓       ✓
moderate comments    -        -        -        ✓       ✓
manage ads           -        -        -        ✓       ✓
manage users         -        -        -        -       ✓

A reader is a signed-in account without staff status; "own" means created by that person.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ads.models import Ad, AdSlot
from articles.models import Article, Comment, CommentStatus, Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EditorFactory,
    ReporterFactory,
    SectionFactory,
    UserFactory,
)
from tests.test_admin_desk import ADD_URL, article_post, change_url, existing_post

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "reporter", "editor", "admin"]
MATRIX = {
    "add": "--✓✓✓",
    "change own": "--✓✓✓",
    "change other's": "---✓✓",
    "submit": "--✓✓✓",
    "publish": "---✓✓",
    "withdraw": "---✓✓",
    "moderate comments": "---✓✓",
    "manage ads": "---✓✓",
    "manage users": "----✓",
}
CELLS = [
    pytest.param(action, role, allowed == "✓", id=f"{action}-{role}")
    for action, row in MATRIX.items()
    for role, allowed in zip(ROLES, row, strict=True)
]
WORKFLOW = ["submit", "publish", "withdraw"]


def make_actor(role):
    return {
        "anonymous": lambda: AnonymousUser(),
        "reader": lambda: UserFactory(username="reader", is_staff=False),
        "reporter": lambda: ReporterFactory(username="matrix-reporter"),
        "editor": lambda: EditorFactory(username="matrix-editor"),
        "admin": lambda: UserFactory(username="matrix-admin", is_superuser=True),
    }[role]()


def own(actor, **fields):
    return ArticleFactory(created_by=actor if actor.is_authenticated else None, **fields)


# Each action through the admin: do it, and say whether it took effect.


def admin_add(client, actor):
    client.post(ADD_URL, article_post(SectionFactory(), [AuthorFactory()], headline="Matrix"))
    return Article.objects.filter(headline="Matrix").exists()


def admin_change(article):
    def change(client, actor):
        client.post(change_url(article), existing_post(article, headline="Changed by matrix"))
        article.refresh_from_db()
        return article.headline == "Changed by matrix"

    return change


def admin_workflow(action, status_before, to_status):
    def step(client, actor):
        article = own(actor, status=Status.DRAFT)
        if status_before == Status.PUBLISHED:
            article.publish(by=EditorFactory(username="setup-editor"))
        elif status_before == Status.REVIEW:
            Article.objects.filter(pk=article.pk).update(status=Status.REVIEW)
            article.refresh_from_db()
        data = existing_post(article, _workflow=action, workflow_note="Matrix note.")
        client.post(change_url(article), data)
        article.refresh_from_db()
        return article.status == to_status

    return step


def admin_moderate(client, actor):
    comment = CommentFactory(status=CommentStatus.PENDING)
    client.post(
        reverse("admin:articles_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    return Comment.objects.get(pk=comment.pk).status == CommentStatus.APPROVED


def admin_manage_ads(client, actor):
    slot = AdSlot.objects.create(key="matrix", name="Matrix")
    ad = Ad.objects.create(slot=slot, name="Matrix ad", text="Buy", target_url="https://a.test/")
    form_opens = client.get(reverse("admin:ads_ad_add")).status_code == 200
    client.post(reverse("admin:ads_ad_delete", args=[ad.pk]), {"post": "yes"})
    deleted = not Ad.objects.filter(pk=ad.pk).exists()
    assert form_opens == deleted  # the form and the write agree
    return deleted


def admin_manage_users(client, actor):
    victim = UserFactory(username="someone", is_staff=False)
    form_opens = client.get(reverse("admin:auth_user_add")).status_code == 200
    client.post(reverse("admin:auth_user_delete", args=[victim.pk]), {"post": "yes"})
    deleted = not type(victim).objects.filter(pk=victim.pk).exists()
    assert form_opens == deleted
    return deleted


def through_admin(action, actor):
    return {
        "add": admin_add,
        "change own": lambda c, a: admin_change(own(a))(c, a),
        "change other's": lambda c, a: admin_change(
            ArticleFactory(created_by=ReporterFactory(username="someone-else"))
        )(c, a),
        "submit": admin_workflow("submit", Status.DRAFT, Status.REVIEW),
        "publish": admin_workflow("publish", Status.REVIEW, Status.PUBLISHED),
        "withdraw": admin_workflow("withdraw", Status.PUBLISHED, Status.WITHDRAWN),
        "moderate comments": admin_moderate,
        "manage ads": admin_manage_ads,
        "manage users": admin_manage_users,
    }[action]


@pytest.mark.parametrize(("action", "role", "allowed"), CELLS)
def test_admin_enforces_the_cell(client, action, role, allowed):
    actor = make_actor(role)
    if actor.is_authenticated:
        client.force_login(actor)
    assert through_admin(action, actor)(client, actor) is allowed


# The workflow methods: the same cells without the admin in front.


def call_method(action, actor):
    article = own(actor)
    if action == "publish":
        Article.objects.filter(pk=article.pk).update(status=Status.REVIEW)
        article.refresh_from_db()
        article.publish(by=actor)
    elif action == "withdraw":
        article.publish(by=EditorFactory(username="setup-editor"))
        article.withdraw(by=actor, note="Matrix note.")
    else:
        article.submit(by=actor)
    article.refresh_from_db()
    return article


@pytest.mark.parametrize(
    ("action", "role", "allowed"), [c for c in CELLS if c.values[0] in WORKFLOW]
)
def test_workflow_method_enforces_the_cell(action, role, allowed):
    actor = make_actor(role)
    if allowed:
        article = call_method(action, actor)
        assert article.transitions.filter(actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            call_method(action, actor)


@pytest.mark.parametrize("role", ROLES)
def test_editing_rights_match_the_table(role):
    actor = make_actor(role)
    mine = own(actor)
    theirs = ArticleFactory(created_by=ReporterFactory(username="someone-else"))
    assert mine.can_be_edited_by(actor) is (MATRIX["change own"][ROLES.index(role)] == "✓")
    assert theirs.can_be_edited_by(actor) is (MATRIX["change other's"][ROLES.index(role)] == "✓")
