"""The curators' roles. Curators add and change records; Editors may also delete, import and merge
(import and merge are gated on the delete permission)."""

CURATED_APPS = ["articles", "actors", "events"]
ROLE_ACTIONS = {
    "Curator": ["view", "add", "change"],
    "Editor": ["view", "add", "change", "delete"],
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the groups and give them their permissions on every curated model (including history tables).

    Usable from migrations (historical `apps`); run again by a later migration when models are added.
    """
    from django.contrib.auth.management import create_permissions

    for label in ["auth", "contenttypes", *CURATED_APPS]:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    assign_roles(apps)


def assign_roles(apps) -> None:
    """The groups and their permissions, the permissions themselves being there (after migrate or flush)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for label in CURATED_APPS
            for model in apps.get_app_config(label).get_models()
            for action in actions
        ]
        permissions = Permission.objects.filter(content_type__app_label__in=CURATED_APPS, codename__in=codenames)
        group.permissions.set(permissions)
