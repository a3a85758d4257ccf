"""Migration 0004's data step: set-based, and the same fingerprints as one save() per row."""

import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from articles.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "articles.migrations.0004_comment_spam_defence_replies_moderation"
)


def fingerprints_one_by_one(rows):
    """The data step as it was first written: every comment in pk order, one at a time."""
    seen, result = set(), {}
    for pk, article_id, email, body in sorted(rows):
        email = email.strip().lower()
        key = f"{email}\0{body.strip()}"
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        if (article_id, fingerprint) in seen:
            fingerprint = hashlib.sha256(f"{key}\0{pk}".encode()).hexdigest()
        seen.add((article_id, fingerprint))
        result[pk] = (email, fingerprint)
    return result


@pytest.mark.parametrize("per_read, per_write", [(1, 2), (200, 5000)])
def test_fingerprints_match_the_row_by_row_step_in_any_batching(monkeypatch, per_read, per_write):
    monkeypatch.setattr(migration, "ARTICLES_PER_READ", per_read)
    monkeypatch.setattr(migration, "FINGERPRINT_BATCH", per_write)
    first, second, third = (ArticleFactory(published=True, created_by=None) for _ in range(3))
    written = [
        (first, " Olga@Example.COM ", "Same words."),
        (first, "olga@example.com", "  Same words.\n"),  # an old exact duplicate
        (first, "OLGA@example.com", "Same words."),  # and another
        (first, "ivan@example.com", "Same words."),
        (second, "olga@example.com", "Same words."),  # same words on another story
        (second, "\tanna@example.com", "Ünïcode, ß and emoji 🗞."),
        (third, "anna@example.com", ""),
    ]
    for n, (article, email, body) in enumerate(written):
        comment = CommentFactory(article=article)
        # As rows were before the migration: emails as typed, no fingerprints yet.
        Comment.objects.filter(pk=comment.pk).update(email=email, body=body, fingerprint=f"old-{n}")
    rows = Comment.objects.values_list("pk", "article_id", "email", "body")
    expected = fingerprints_one_by_one(rows)

    migration.fingerprint_existing_comments(apps, SimpleNamespace(connection=connection))

    stored = {
        pk: (email, fp)
        for pk, email, fp in Comment.objects.values_list("pk", "email", "fingerprint")
    }
    assert stored == expected
    assert len({(c.article_id, c.fingerprint) for c in Comment.objects.all()}) == len(written)
    assert all(email == email.strip().lower() for email, _ in stored.values())


def test_no_comments_is_nothing_to_do():
    migration.fingerprint_existing_comments(apps, SimpleNamespace(connection=connection))
    assert not Comment.objects.exists()
