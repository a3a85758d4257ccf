"""Content out and back in as JSON, so that nothing is locked in: sections, authors, articles
(with their bylines, analysis boxes, tags and workflow history) and comments.

Every field of these models is written, whatever issue added it; references are by natural
key (a section's slug, an author's slug, a user's username), and ids are kept so that story
URLs (/articles/<id>/<slug>/) still work after a restore. Files (hero images, photos) are
written as their storage names: back up MEDIA_ROOT beside the JSON (see README).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import (
    AnalysisBox,
    Article,
    ArticleTransition,
    Author,
    Byline,
    Comment,
    Section,
)
from newsroom.dbstats import analyze

FORMAT = "newsroom-content"
VERSION = 1


class ImportRefusedError(Exception):
    """The file cannot be loaded into this database; nothing was written."""


def _plain_fields(obj, skip=()):
    """Every concrete, non-relational field; ids included, files as their names."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.is_relation or field.name in skip:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            value = value.name or ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[field.name] = value
    return data


def _username(user):
    return user.get_username() if user else None


def export_content():
    """Everything the public site is made of, as one JSON-ready dict."""
    articles = Article.objects.order_by("pk").select_related("section", "created_by")
    articles = articles.prefetch_related(
        "tags",
        Prefetch("bylines", queryset=Byline.objects.select_related("author")),
        Prefetch("analysis_boxes", queryset=AnalysisBox.objects.select_related("author")),
        Prefetch("transitions", queryset=ArticleTransition.objects.select_related("actor")),
        Prefetch(
            "comments",
            queryset=Comment.objects.order_by("pk").select_related("moderated_by"),
            to_attr="all_comments",
        ),
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "sections": [_plain_fields(s) for s in Section.objects.order_by("pk")],
        "authors": [
            {**_plain_fields(a), "user": _username(a.user)}
            for a in Author.objects.order_by("pk").select_related("user")
        ],
        "articles": [_export_article(article) for article in articles],
    }


def _export_article(article):
    return {
        **_plain_fields(article),
        "section": article.section.slug,
        "created_by": _username(article.created_by),
        "bylines": [line.author.slug for line in article.bylines.all()],
        "tags": sorted(tag.name for tag in article.tags.all()),
        "analysis_boxes": [
            {**_plain_fields(box), "author": box.author.slug}
            for box in sorted(article.analysis_boxes.all(), key=lambda b: b.pk)
        ],
        "transitions": [
            {**_plain_fields(t), "actor": _username(t.actor)}
            for t in sorted(article.transitions.all(), key=lambda t: t.pk)
        ],
        "comments": [
            {
                **_plain_fields(c),
                "parent": c.parent_id,
                "moderated_by": _username(c.moderated_by),
            }
            for c in article.all_comments
        ],
    }


def _build(model, data, **relations):
    """An unsaved instance from exported fields; unknown keys (a newer export) are refused."""
    known = {f.name for f in model._meta.concrete_fields}
    unknown = set(data) - known
    if unknown:
        raise ImportRefusedError(f"{model.__name__} has no field(s) {sorted(unknown)}.")
    values = {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField) and value:
            value = parse_datetime(value)
        values[name] = value
    return model(**values, **relations)


def import_content(data):
    """Load an export into an empty database, ids and timestamps as they were.

    Returns the number of articles loaded. Raises ImportRefusedError, writing nothing, when the
    file is not a Newsroom export, does not fit the models, or the database has content.
    """
    try:
        with transaction.atomic():
            return _load(data)
    except ImportRefusedError:
        raise
    # OverflowError: a number no column holds, refused by the database driver itself.
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        ValidationError,
        DatabaseError,
    ) as e:
        raise ImportRefusedError(f"The file does not fit: {type(e).__name__}: {e}") from e


def _load(data):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefusedError("This is not a Newsroom content export.")
    if data.get("version") != VERSION:
        raise ImportRefusedError(f"Export version {data.get('version')} is not {VERSION}.")
    if Article.objects.exists() or Section.objects.exists() or Author.objects.exists():
        raise ImportRefusedError("The database already has content; import into an empty one.")
    users = {u.get_username(): u for u in get_user_model().objects.all()}
    sections = {}
    for row in data["sections"]:
        section = _build(Section, row)
        section.save()
        sections[section.slug] = section
    authors = {}
    for row in data["authors"]:
        row = dict(row)
        author = _build(Author, row, user=users.get(row.pop("user")))
        author.save()
        authors[author.slug] = author
    comments_by_id = {}
    for row in data["articles"]:
        _import_article(dict(row), sections, authors, users, comments_by_id)
    _reset_sequences()
    analyze([Section, Author, Article, Byline, AnalysisBox, ArticleTransition, Comment])
    return len(data["articles"])


def _import_article(row, sections, authors, users, comments_by_id):
    bylines, tags = row.pop("bylines"), row.pop("tags")
    boxes, transitions, comments = (
        row.pop("analysis_boxes"),
        row.pop("transitions"),
        row.pop("comments"),
    )
    section = sections[row.pop("section")]
    created_by = users.get(row.pop("created_by"))
    article = _build(Article, row, section=section, created_by=created_by)
    article.save()
    # auto_now and auto_now_add would stamp today: put the recorded times back.
    Article.objects.filter(pk=article.pk).update(
        created_at=parse_datetime(row["created_at"]), updated_at=parse_datetime(row["updated_at"])
    )
    for position, slug in enumerate(bylines):
        Byline.objects.create(article=article, author=authors[slug], position=position)
    article.tags.set(tags)
    for box in boxes:
        box = dict(box)
        _build(AnalysisBox, box, article=article, author=authors[box.pop("author")]).save()
    for step in transitions:
        step = dict(step)
        _build(ArticleTransition, step, article=article, actor=users.get(step.pop("actor"))).save()
    for comment in comments:
        comment = dict(comment)
        parent_id = comment.pop("parent")
        moderated_by = users.get(comment.pop("moderated_by"))
        relations = {"article": article, "moderated_by": moderated_by}
        if parent_id is not None:
            relations["parent"] = comments_by_id[parent_id]
        saved = _build(Comment, comment, **relations)
        saved.save()
        comments_by_id[saved.pk] = saved


def _reset_sequences():
    """Ids were given explicitly: move PostgreSQL's sequences past them (as loaddata does)."""
    models_with_ids = [Section, Author, Article, Byline, AnalysisBox, ArticleTransition, Comment]
    statements = connection.ops.sequence_reset_sql(no_style(), models_with_ids)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
