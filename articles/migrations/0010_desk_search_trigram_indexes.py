from django.db import DatabaseError, migrations, transaction

# The desk's admin searches are `icontains`, which PostgreSQL runs as
# UPPER(col::text) LIKE UPPER('%word%'): trigram indexes on exactly that expression let it
# find a word among 100k stories and 1M comments without reading every row.
TRIGRAM_INDEXES = {
    "articles_article_headline_trgm": ("articles_article", "headline"),
    "articles_article_standfirst_trgm": ("articles_article", "standfirst"),
    "articles_comment_body_trgm": ("articles_comment", "body"),
    "articles_comment_name_trgm": ("articles_comment", "name"),
    "articles_comment_email_trgm": ("articles_comment", "email"),
}


def create_indexes(apps, schema_editor):
    """PostgreSQL only; without the pg_trgm extension the searches stay correct, only slow."""
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(
            "\n  The pg_trgm extension could not be created, so the desk's admin searches get "
            f"no trigram indexes and stay full scans: {error}".rstrip()
            + "\n  A superuser can run CREATE EXTENSION pg_trgm; then migrate articles 0009 "
            "and back to 0010 to add the indexes."
        )
        return
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_correction_permissions"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
