from django.db import migrations

from articles.roles import EDITORS, REPORTERS, crud, grant


def grant_corrections(apps, schema_editor):
    grant(apps, EDITORS, "articles", crud("correction"))
    grant(apps, REPORTERS, "articles", ["view_correction"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_correction_editlock_previewlink"),
    ]

    operations = [migrations.RunPython(grant_corrections, migrations.RunPython.noop)]
