"""Curators may read the import log and review (tick off) import warnings, nothing more."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

IMPORT_PERMISSIONS = ["view_importlog", "view_importwarning", "change_importwarning"]


def _import_permissions(apps):
    app_config = apps.get_app_config("imports")
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = getattr(app_config, "models_module", None) or True
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="imports", codename__in=IMPORT_PERMISSIONS
    )


def grant_import_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(*_import_permissions(apps))


def revoke_import_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for curators in Group.objects.filter(name="Curators"):
        curators.permissions.remove(*_import_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("risks", "0002_curators_group"),
    ]

    operations = [migrations.RunPython(grant_import_permissions, revoke_import_permissions)]
