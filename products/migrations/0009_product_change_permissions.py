"""Curators draft product changes; reviewers read them and publish them (four eyes).

Curators keep changing products and their information sections in the admin, but what they
change is kept in a product change until a reviewer publishes it (``products.review``).
"""

import importlib

from django.db import migrations

curators = importlib.import_module("risks.migrations.0002_curators_group")

CURATOR_PERMISSIONS = ["view_productchange", "add_productchange", "change_productchange"]
REVIEWER_PERMISSIONS = ["view_productchange", "publish_productchange"]


def _permissions(apps, codenames):
    curators.create_permissions_for(apps, ["products"])
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="products", codename__in=codenames)


def grant_product_change_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in (("Curators", CURATOR_PERMISSIONS), ("Reviewers", REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke_product_change_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in (("Curators", CURATOR_PERMISSIONS), ("Reviewers", REVIEWER_PERMISSIONS)):
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0008_product_change_reviewed_drafts"),
        ("risks", "0005_reviewers_group"),
    ]

    operations = [
        migrations.RunPython(grant_product_change_permissions, revoke_product_change_permissions)
    ]
