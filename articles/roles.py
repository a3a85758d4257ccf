"""The desk's roles as groups. Used by data migrations, so it takes the migration's apps."""

from django.contrib.auth.management import create_permissions

REPORTERS = "Reporters"
EDITORS = "Editors"


def grant(apps, group_name, app_label, codenames):
    """Give a group permissions (creating both as needed) inside a data migration."""
    # Permissions are normally made after migrate; make them now so the grant can find them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=group_name)
    permissions = permission_model.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)


def crud(*models):
    return [f"{verb}_{model}" for model in models for verb in ("add", "change", "delete", "view")]
