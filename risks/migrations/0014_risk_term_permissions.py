"""Curators keep the risk terms (view, add, change, delete); reviewers read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_ACTIONS = ["view", "add", "change", "delete"]
REVIEWER_ACTIONS = ["view"]


def _permissions(apps, actions):
    app_config = apps.get_app_config("risks")
    # Historical app configs have no models module; create_permissions skips those.
    app_config.models_module = getattr(app_config, "models_module", None) or True
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="risks",
        codename__in=[f"{action}_riskterm" for action in actions],
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(*_permissions(apps, CURATOR_ACTIONS))
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(*_permissions(apps, REVIEWER_ACTIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Curators", "Reviewers"]):
        group.permissions.remove(*_permissions(apps, CURATOR_ACTIONS))


class Migration(migrations.Migration):
    dependencies = [("risks", "0013_risk_terms"), ("risks", "0005_reviewers_group")]

    operations = [migrations.RunPython(grant, revoke)]
