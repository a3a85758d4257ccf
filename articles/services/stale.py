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


def rows_removed_meanwhile_as_new(data, prefix, existing_pks):
    """The posted inline formset `prefix`, with rows that someone else deleted since the form
    was opened turned into new rows, so that what was typed in them is shown again and kept.

    Django's admin renders an inline's existing rows from the database: a posted row whose
    object is gone would vanish from the page with its text and leave an error nobody sees.
    Rows their writer had marked for deletion are simply dropped; the rest keep their order.
    """
    try:
        total = int(data[f"{prefix}-TOTAL_FORMS"])
        initial = int(data[f"{prefix}-INITIAL_FORMS"])
    except (KeyError, ValueError):
        return data  # the formset reports a broken management form itself
    existing = {str(pk) for pk in existing_pks}
    rows = []
    for index in range(total):
        start = f"{prefix}-{index}-"
        rows.append({key[len(start) :]: data.getlist(key) for key in data if key.startswith(start)})
    kept = [row for row in rows[:initial] if row.get("id", [""])[0] in existing]
    if len(kept) == initial:
        return data
    vanished = [
        {name: values for name, values in row.items() if name != "id"}
        for row in rows[:initial]
        if row.get("id", [""])[0] not in existing and not row.get("DELETE", [""])[0]
    ]
    new_rows = vanished + rows[initial:]
    data = data.copy()
    for key in [
        key for key in data if key.startswith(f"{prefix}-") and key[len(prefix) + 1 :][:1].isdigit()
    ]:
        del data[key]
    for index, row in enumerate(kept + new_rows):
        for name, values in row.items():
            data.setlist(f"{prefix}-{index}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(kept) + len(new_rows))
    data[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
    return data
