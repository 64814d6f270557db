"""Reviewers may read the import log and the import warnings of the versions they review."""

import importlib

from django.db import migrations

curators = importlib.import_module("imports.migrations.0002_curators_import_permissions")
REVIEWER_PERMISSIONS = ["view_importlog", "view_importwarning"]


def grant_reviewer_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(
        *curators._import_permissions(apps).filter(codename__in=REVIEWER_PERMISSIONS)
    )


def revoke_reviewer_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for reviewers in Group.objects.filter(name="Reviewers"):
        reviewers.permissions.remove(
            *curators._import_permissions(apps).filter(codename__in=REVIEWER_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_import_reason_and_warning_history"),
        ("risks", "0005_reviewers_group"),
    ]

    operations = [migrations.RunPython(grant_reviewer_permissions, revoke_reviewer_permissions)]
