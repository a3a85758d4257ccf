"""Importing a pasted or scraped page as a draft story, with a report of what was dropped."""

from dataclasses import dataclass

import reversion
from django.db import transaction
from django.utils.text import slugify

from articles.ingest import IngestError, paragraphs_html, parse_story
from articles.models import AnalysisBox, Article, Author, Byline, Section, Status


@dataclass
class ImportResult:
    article: Article
    dropped: list
    new_authors: list


def author_named(name, job_title, created):
    """The author of that name, made (and noted in `created`) if the desk has none yet."""
    author = Author.objects.filter(name__iexact=name).first()
    if author:
        if job_title and not author.job_title:
            author.job_title = job_title
            author.save(update_fields=["job_title"])
        return author
    base = slugify(name)[:100] or "author"
    slug, n = base, 1
    while Author.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    author = Author.objects.create(name=name, slug=slug, job_title=job_title)
    created.append(author)
    return author


def import_story(text, *, user, section=None):
    """Make a draft owned by `user` from the page's text. Nothing is created on an error."""
    story = parse_story(text)
    section = section or Section.objects.first()
    if section is None:
        raise IngestError("There is no section to file the story in: create one first.")
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment("Imported from text.")
        new_authors = []
        article = Article.objects.create(
            headline=story.headline[:200],
            standfirst=story.standfirst[:600],
            body=paragraphs_html(story.paragraphs),
            section=section,
            status=Status.DRAFT,
            created_by=user,
        )
        authors = [author_named(name, job, new_authors) for name, job in story.byline]
        profile = getattr(user, "author_profile", None)
        if not authors and profile is not None:
            authors = [profile]
        for position, author in enumerate(dict.fromkeys(authors)):
            Byline.objects.create(article=article, author=author, position=position)
        for box in story.boxes:
            AnalysisBox.objects.create(
                article=article,
                author=author_named(box.author_name, box.job_title, new_authors),
                heading="",
                body=paragraphs_html(box.paragraphs),
                after_paragraph=box.after_paragraph,
            )
    return ImportResult(article, story.dropped, new_authors)
