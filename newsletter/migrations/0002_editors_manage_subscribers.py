from django.db import migrations

from articles.roles import EDITORS, crud, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS, "newsletter", [*crud("subscriber"), "view_digest", "view_delivery"])


def revoke_editors(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="newsletter"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_subscribers_and_digests"),
        ("articles", "0002_desk_groups"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
