from django.db import migrations

from articles.roles import EDITORS, REPORTERS, crud, grant


def create_groups(apps, schema_editor):
    grant(
        apps,
        REPORTERS,
        "articles",
        [
            "add_article",
            "change_article",
            "delete_article",
            "view_article",
            *crud("analysisbox", "byline"),
            "add_author",
            "view_author",
            "view_section",
            "add_editorimage",
            "view_editorimage",
        ],
    )
    grant(apps, REPORTERS, "taggit", ["add_tag", "view_tag", "add_taggeditem", "view_taggeditem"])
    grant(
        apps,
        EDITORS,
        "articles",
        [
            "publish_article",
            *crud("article", "analysisbox", "byline", "author", "comment", "editorimage"),
            "view_articletransition",
            "view_section",
        ],
    )
    grant(apps, EDITORS, "taggit", crud("tag", "taggeditem"))
    grant(apps, EDITORS, "ads", crud("ad", "adslot"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[REPORTERS, EDITORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("ads", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
