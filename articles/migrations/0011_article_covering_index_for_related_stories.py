from django.db import migrations

# Related stories rank stories sharing a story's tags by status and publish_at alone; with
# those beside the id in an index, PostgreSQL reads them without visiting each story's row
# (articles.models.related). PostgreSQL only: SQLite has no INCLUDE, and the primary key's
# index is enough for a small database.
INDEX = "articles_article_id_status_publish_at"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article (id) INCLUDE (status, publish_at)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_desk_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
