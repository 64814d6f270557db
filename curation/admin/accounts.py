"""Staff accounts in the admin: never deleted, because the audit trail names them.

Django's UserAdmin, except that nobody (superusers included) may delete an account; the
account page says to untick "Active" instead, which ends the person's access and keeps
their name on every change they made.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

DEACTIVATE_NOTE = (
    "Accounts are never deleted: the audit trail names the people who made each change. "
    "To end someone's access, untick “Active”."
)

User = get_user_model()


class AccountAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            (name, {**options, "description": DEACTIVATE_NOTE})
            if "is_active" in options.get("fields", ())
            else (name, options)
            for name, options in fieldsets
        ]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
