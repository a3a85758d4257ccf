"""Revision history of stories (django-reversion): what each revision held, word-level diffs
between two of them, and reverting, which itself makes a new revision.

A revision holds the article with its analysis boxes and byline (`follow=`), saved whenever
the desk saves the story in the admin.
"""

import difflib
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import normalize_newlines
from reversion.errors import RevertError as ReversionRevertError
from reversion.models import Version

from articles.models import AnalysisBox, Article, Author, Byline, Section

# Reverting brings back the words, never the workflow state: a published story stays
# published (and a draft a draft) whatever the old revision held.
WORKFLOW_FIELDS = ["status", "publish_at", "first_published_at", "created_by_id"]


def register():
    reversion.register(Article, follow=["analysis_boxes", "bylines"])
    reversion.register(AnalysisBox)
    reversion.register(Byline)


def versions_of(article):
    """The article's saved revisions, newest first, with who made them."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def html_text(html):
    """Plain text of rich text, one paragraph per line, for diffs."""
    text = (html or "").replace("</p>", "</p>\n").replace("<br>", "\n")
    return normalize_newlines(strip_tags(text)).strip()


def snapshot(version):
    """What a revision of the story held, as labelled plain texts in reading order."""
    data = version.field_dict
    related = version.revision.version_set.filter(
        content_type__in=[
            ContentType.objects.get_for_model(AnalysisBox),
            ContentType.objects.get_for_model(Byline),
        ]
    ).select_related("content_type")
    boxes, bylines = [], []
    for item in related:
        fields = item.field_dict
        if fields.get("article_id") != data["id"]:
            continue
        (boxes if item.content_type.model == "analysisbox" else bylines).append(fields)
    author_ids = {f["author_id"] for f in boxes + bylines}
    authors = dict(Author.objects.filter(pk__in=author_ids).values_list("pk", "name"))
    section = Section.objects.filter(pk=data["section_id"]).values_list("name", flat=True).first()
    texts = {
        "Headline": data["headline"],
        "Standfirst": data["standfirst"],
        "Section": section or "",
        "Byline": ", ".join(
            authors.get(b["author_id"], "?")
            for b in sorted(bylines, key=lambda b: (b["position"], b["id"]))
        ),
        "Body": html_text(data["body"]),
        "Hero image": " ".join(
            filter(None, [data["hero_image"], data["hero_alt"], data["hero_caption"]])
        ),
    }
    for box in sorted(boxes, key=lambda b: b["id"]):
        texts[f"Analysis box #{box['id']}"] = (
            f"{box['heading']}\nby {authors.get(box['author_id'], '?')}, "
            f"after paragraph {box['after_paragraph'] or 'last'}\n{html_text(box['body'])}"
        )
    return texts


@dataclass
class FieldDiff:
    label: str
    html: str


def word_diff(old, new):
    """The new text with removed words in <del> and added words in <ins>, all escaped."""
    old_words, new_words = old.split(" "), new.split(" ")
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    pieces = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(format_html("{}", " ".join(new_words[b1:b2])))
            continue
        if a2 > a1:
            pieces.append(format_html("<del>{}</del>", " ".join(old_words[a1:a2])))
        if b2 > b1:
            pieces.append(format_html("<ins>{}</ins>", " ".join(new_words[b1:b2])))
    return format_html_join(" ", "{}", ((piece,) for piece in pieces))


def _words(text):
    # Keep line breaks as their own tokens so paragraph changes show.
    return " ".join(text.replace("\n", " \n ").split(" ")).strip()


def compare(old_version, new_version):
    """Word-level differences per part of the story, only for the parts that changed."""
    old, new = snapshot(old_version), snapshot(new_version)
    diffs = []
    for label in [*new, *[k for k in old if k not in new]]:
        before, after = old.get(label, ""), new.get(label, "")
        if before != after:
            diffs.append(FieldDiff(label, word_diff(_words(before), _words(after))))
    return diffs


class RevertError(Exception):
    pass


def revert(article, version, *, by):
    """Bring back the story's words, boxes and byline as they were in `version`.

    The result is saved as a new revision, so the revert can itself be undone.
    """
    if version.object_id != str(article.pk):
        raise RevertError("That revision belongs to another story.")
    keep = {name: getattr(article, name) for name in WORKFLOW_FIELDS}
    try:
        with transaction.atomic(), reversion.create_revision():
            version.revision.revert(delete=True)
            restored = Article.objects.get(pk=article.pk)
            for name, value in keep.items():
                setattr(restored, name, value)
            restored.save()
            reversion.set_user(by)
            reversion.set_comment(
                f"Reverted to the revision of {version.revision.date_created:%d %b %Y %H:%M}."
            )
    except ReversionRevertError as error:
        raise RevertError(f"This revision cannot be restored: {error}") from error
    return restored
