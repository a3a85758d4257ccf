from django.db import migrations

from articles.roles import EDITORS, crud, grant


def grant_editors(apps, schema_editor):
    grant(apps, EDITORS, "articles", crud("blockedword", "bannedcommenter"))


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_comment_spam_defence_replies_moderation")]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
