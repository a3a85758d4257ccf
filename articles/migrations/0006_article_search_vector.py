import django.contrib.postgres.search
from django.db import migrations

GIN_INDEX = "articles_article_search_vector_gin"


def index_and_fill(apps, schema_editor):
    """PostgreSQL only: the GIN index behind full-text search, and vectors for old stories."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    schema_editor.execute(f"CREATE INDEX {GIN_INDEX} ON articles_article USING gin (search_vector)")
    apps.get_model("articles", "Article").objects.update(
        search_vector=SearchVector("headline", weight="A", config="english")
        + SearchVector("standfirst", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_editors_manage_comment_blocklist_and_bans"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index, elidable=False),
    ]
