"""What makes cached pages stale, and telling the caches about it.

Any saved or deleted row of a model that public pages show replaces the content version at
once and again when the transaction commits (a reader who rendered a page between the two
cannot keep old text cached), then asks the CDN, if one is configured, to drop the pages.
"""

import threading

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.signals import comments_moderated
from delivery import purge
from delivery.pagecache import bump_content_version

PUBLIC_APPS = ["articles", "ads", "taggit"]
# Rows that no public page shows: saving them must not empty the page cache (an editor opening
# a story takes a soft lock; preview pages are never cached).
NOT_ON_PUBLIC_PAGES = {
    "articles.articletransition",
    "articles.editorimage",
    "articles.editlock",
    "articles.previewlink",
}

_pending = threading.local()


def connect():
    for label in PUBLIC_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in NOT_ON_PUBLIC_PAGES:
                continue
            uid = f"delivery-{model._meta.label_lower}"
            post_save.connect(on_row_change, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(on_row_change, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(on_relation_change, dispatch_uid="delivery-m2m")
    comments_moderated.connect(on_comments_moderated, dispatch_uid="delivery-moderation")


def on_row_change(sender, instance, raw=False, created=False, **kwargs):
    from articles.models import CommentStatus

    if raw:
        return
    label = sender._meta.label_lower
    # A reader's new comment waits for moderation: it changes no page, so a flood of them
    # must not empty the cache.
    if label == "articles.comment" and created and instance.status != CommentStatus.APPROVED:
        return
    content_changed(article_ids=[article_id_of(instance)])


def on_relation_change(sender, instance, action, **kwargs):
    if action.startswith("post_") and instance._meta.app_label in PUBLIC_APPS:
        content_changed(article_ids=[article_id_of(instance)])


def on_comments_moderated(sender, article_ids, **kwargs):
    content_changed(article_ids=article_ids)


def article_id_of(instance):
    label = instance._meta.label_lower
    if label == "articles.article":
        return instance.pk
    if hasattr(instance, "article_id"):
        return instance.article_id
    if label == "taggit.taggeditem" and instance.content_type.model == "article":
        return instance.object_id
    return None


def content_changed(article_ids=()):
    bump_content_version()
    pending = getattr(_pending, "article_ids", None)
    if pending is None:
        pending = _pending.article_ids = set()
    pending.update(article_id for article_id in article_ids if article_id)
    _pending.due = True
    transaction.on_commit(after_commit)


def after_commit():
    # Several rows saved in one transaction queue several callbacks: the first does the work.
    if not getattr(_pending, "due", False):
        return
    article_ids, _pending.article_ids, _pending.due = _pending.article_ids, set(), False
    bump_content_version()
    purge.purge_pages(article_ids)
