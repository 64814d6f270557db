"""The "Curators" group: may view, add, change and delete the curated data, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = {
    "products": ["substance", "company", "product", "productinformationsection"],
    "risks": [
        "riskmanagementplan",
        "safetyconcern",
        "routinemeasure",
        "sectionreference",
        "additionalmeasure",
        "study",
        "milestone",
    ],
}
ACTIONS = ["view", "add", "change", "delete"]


def curator_permission_codenames():
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in CURATED_MODELS.items()
        for model in models
        for action in ACTIONS
    ]


def create_permissions_for(apps, app_labels):
    for app_label in app_labels:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)


def create_curators(apps, schema_editor):
    create_permissions_for(apps, CURATED_MODELS)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="Curators")
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in curator_permission_codenames()
    ]
    curators.permissions.set(permissions)


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("products", "0001_initial"),
        ("risks", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
