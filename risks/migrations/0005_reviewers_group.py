"""The "Reviewers" group: may read the curated data and publish plan versions.

Publishing also needs a reviewer other than the version's last editor (four eyes);
risks.workflow checks that.
"""

import importlib

from django.db import migrations

curators = importlib.import_module("risks.migrations.0002_curators_group")

REVIEWER_PERMISSIONS = [
    *[
        (app_label, f"view_{model}")
        for app_label, models in curators.CURATED_MODELS.items()
        for model in models
    ],
    ("risks", "publish_riskmanagementplan"),
]


def create_reviewers(apps, schema_editor):
    curators.create_permissions_for(apps, ["products", "risks"])
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.set(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in REVIEWER_PERMISSIONS
    )


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0004_workflow_and_audit_history")]

    operations = [migrations.RunPython(create_reviewers, remove_reviewers)]
