"""No lost work: recognising a stale save and telling the desk what the other person changed."""

from dataclasses import dataclass, field

from django.utils import timezone

from articles import revisions
from articles.models import Article

# How far back to look for the revision the editor opened.
REVISIONS_SEARCHED = 50


@dataclass
class StaleSave:
    current_version: object
    saved_by: object
    saved_at: object
    changes: list = field(default_factory=list)

    @property
    def message(self):
        who = self.saved_by.get_username() if self.saved_by else "Someone"
        when = timezone.localtime(self.saved_at).strftime("%H:%M:%S")
        return (
            f"{who} saved this story at {when}, after you opened it, so your changes were not "
            "saved. Everything you typed is still in the form; their changes are shown above. "
            "Merge them into your text, or save again to replace their version with yours."
        )


def stale_save(article, loaded_version):
    """None if the story is as the editor loaded it; otherwise who changed it and how.

    Locks the story's row for the rest of the transaction.
    """
    current = (
        Article.objects.select_for_update()
        .filter(pk=article.pk)
        .values_list("updated_at", flat=True)
        .get()
    )
    if current == loaded_version:
        return None
    versions = list(revisions.versions_of(article)[:REVISIONS_SEARCHED])
    latest = versions[0] if versions else None
    # Revisions store times to the millisecond (Django's JSON serializer).
    loaded_ms = loaded_version.replace(microsecond=loaded_version.microsecond // 1000 * 1000)
    opened = next((v for v in versions if _saved_version(v) == loaded_ms), None)
    stale = StaleSave(
        current_version=current,
        saved_by=latest.revision.user if latest else None,
        saved_at=latest.revision.date_created if latest else current,
    )
    if opened and latest and opened != latest:
        stale.changes = revisions.compare(opened, latest)
    return stale


def _saved_version(version):
    value = version.field_dict.get("updated_at")
    return value if value is None or timezone.is_aware(value) else timezone.make_aware(value)
