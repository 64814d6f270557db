"""Admin building blocks for curated models: a reason for every write, and no lost edits.

``AuditedAdminMixin`` gives a ModelAdmin's add and change forms a required "Reason for
this change", shown right above the Save buttons (``templates/admin/change_form.html``),
saves the object, its inlines and its many-to-many relations inside
``recorded_change(reason, user)``, asks for a reason on the delete page too, and drops
the bulk "delete selected" action, which cannot carry one.

Its ``edit_guard`` stops concurrent edits from overwriting each other (optimistic
locking): every change form carries a hidden token of the state it was rendered from;
the form's ``clean()`` locks the row that holds the token (``select_for_update`` inside
the admin's transaction) and refuses the save, writing nothing, when someone else has
saved since.

``ConditionallyEditableMixin`` makes the pages of an object read-only, for everyone,
while ``is_editable(obj)`` says so; it serves ModelAdmins and inlines alike.
"""

import copy

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .context import recorded_change

REASON_LABEL = "Reason for this change"
REASON_HELP = (
    "Recorded in the audit trail with your name and the time, "
    "e.g. “Reclassified as an important identified risk, as in RMP version 8.1”."
)
REASON_REQUIRED = "Give a reason for this change: it is recorded in the audit trail."
REASON_FIELDS = ("change_reason", "change_token")
NOT_SAVED = "Your changes were not saved."
TOKEN_MISSING = (
    "This form does not say which version of the page it was opened from, so it cannot "
    f"be checked against changes made meanwhile. {NOT_SAVED} Open the page again, then "
    "make your changes again."
)


class ReasonField(forms.CharField):
    """The required "Reason for this change"; not a field of the object itself."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", REASON_LABEL)
        kwargs.setdefault("help_text", REASON_HELP)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 80}))
        kwargs.setdefault("error_messages", {"required": REASON_REQUIRED})
        super().__init__(**kwargs)

    def to_python(self, value):
        return " ".join(super().to_python(value).split())

    def has_changed(self, initial, data):
        return False  # keeps the reason out of the admin's "Changed …" messages


class TokenField(forms.CharField):
    """The hidden state a change form was rendered from."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return False


def follow(obj, path):
    """The object at the end of ``path`` ("safety_concern__plan") from ``obj``; "" is obj."""
    for name in filter(None, path.split("__")):
        obj = getattr(obj, name)
    return obj


def follow_pk(obj, path):
    """Like ``follow`` but the primary key, without loading the last object."""
    if not path:
        return obj.pk
    *head, last = path.split("__")
    obj = follow(obj, "__".join(head))
    return getattr(obj, obj._meta.get_field(last).attname)


# Concurrent edits


def latest_record(querysets):
    """The newest historical row among ``querysets`` (of simple-history models), or None."""
    records = [
        queryset.select_related("history_user").order_by("-history_date", "-history_id").first()
        for queryset in querysets
    ]
    records = [record for record in records if record is not None]
    return max(records, key=lambda record: record.history_date, default=None)


def conflict_message(owner, change, user):
    """Who changed ``owner`` while ``user`` was editing it, when and why."""
    what = f"this {owner._meta.verbose_name} ({owner})"
    again = "Open the page again to see their version, then make your changes again."
    if change is None:
        return f"Someone else changed {what} while you were editing. {NOT_SAVED} {again}"
    when = format_date(timezone.localtime(change.history_date), "j F Y, H:i")
    reason = change.history_change_reason
    if user is not None and change.history_user_id == user.pk:
        return (
            f"You changed {what} in another window or tab while editing here: {when}, "
            f"reason “{reason}”. {NOT_SAVED} Open the page again to see the saved version, "
            "then make your changes again."
        )
    name = change.history_user.get_username() if change.history_user else "the system"
    return (
        f"Someone else changed {what} while you were editing: {name}, {when}, "
        f"reason “{reason}”. {NOT_SAVED} {again}"
    )


class EditGuard:
    """Optimistic locking for the change forms of one model.

    The token lives on an *owner* row reached from the edited object by ``path`` ("" for
    the object itself, "plan" for a part of a plan version). Subclasses say what the token
    is, who changed the owner last, and what a save does to the token.
    """

    def __init__(self, model, path=""):
        self.model = model
        self.path = path

    def owner_pk(self, obj):
        return follow_pk(obj, self.path)

    def owner_pk_for_new(self, cleaned_data):
        """The owner of an object being added, from the parent chosen in its form."""
        if not self.path:
            return None
        first, _, rest = self.path.partition("__")
        parent = cleaned_data.get(first)
        return None if parent is None else follow_pk(parent, rest)

    def token(self, owner_pk):
        """The token of the owner as it is now (for rendering a form)."""
        owner = self.model._default_manager.filter(pk=owner_pk).first()
        return "" if owner is None else self.current_token(owner)

    def current_token(self, owner):
        raise NotImplementedError

    def last_change(self, owner):
        """The historical row of the last change to the owner (or its parts), or None."""
        raise NotImplementedError

    def refusal(self, owner):
        """Why the owner may not be changed at all now (a message), or None."""
        return None

    def saved(self, owner_pk, user):
        """Move the token on after ``user`` saved the owner or one of its parts."""

    def check(self, *, owner_pk, posted_token, adding, user):
        """Lock the owner; the message that refuses the save, or None when it may go ahead."""
        if owner_pk is None:
            return None
        owner = self.model._default_manager.select_for_update().filter(pk=owner_pk).first()
        if owner is None:
            return (
                f"The {self.model._meta.verbose_name} this belongs to was deleted while you "
                f"were editing. {NOT_SAVED}"
            )
        refusal = self.refusal(owner)
        if refusal:
            return refusal
        if adding:
            return None
        if not posted_token:
            return TOKEN_MISSING
        if posted_token != self.current_token(owner):
            return conflict_message(owner, self.last_change(owner), user)
        return None


class RevisionGuard(EditGuard):
    """The token is the owner's ``revision``, which every save of it or its parts bumps.

    ``changes(owner_pk)`` gives the history querysets of the owner and its parts, to name
    the last change; ``bump(owner_pk, user)`` replaces the default increment;
    ``refusal(owner)`` may forbid any change (e.g. to a published plan version).
    """

    def __init__(self, model, path="", *, changes, bump=None, refusal=None):
        super().__init__(model, path)
        self._changes = changes
        self._bump = bump
        self._refusal = refusal

    def current_token(self, owner):
        return str(owner.revision)

    def last_change(self, owner):
        return latest_record(self._changes(owner.pk))

    def refusal(self, owner):
        return self._refusal(owner) if self._refusal else None

    def saved(self, owner_pk, user):
        if self._bump:
            self._bump(owner_pk, user)
        else:
            self.model._default_manager.filter(pk=owner_pk).update(
                revision=F("revision") + 1, updated_at=timezone.now()
            )


class HistoryGuard(EditGuard):
    """The token is the id of the object's latest historical row: every save adds one."""

    def token(self, owner_pk):
        latest = self.model.history.filter(id=owner_pk).order_by("-history_id")
        history_id = latest.values_list("history_id", flat=True).first()
        return "" if history_id is None else str(history_id)

    def current_token(self, owner):
        return self.token(owner.pk)

    def last_change(self, owner):
        return latest_record([self.model.history.filter(id=owner.pk)])


# Forms


class AuditedFormMixin:
    """Mixed into an admin's ModelForm: checks the edit token under a row lock in clean()."""

    edit_guard = None
    editor = None
    edit_conflict = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.edit_guard is not None and self.instance.pk is not None and not self.is_bound:
            owner_pk = self.edit_guard.owner_pk(self.instance)
            self.fields["change_token"].initial = self.edit_guard.token(owner_pk)

    def clean(self):
        cleaned = super().clean()
        guard = self.edit_guard
        if guard is None:
            return cleaned
        adding = self.instance.pk is None
        owner_pk = guard.owner_pk_for_new(cleaned) if adding else guard.owner_pk(self.instance)
        message = guard.check(
            owner_pk=owner_pk,
            posted_token=cleaned.get("change_token", ""),
            adding=adding,
            user=self.editor,
        )
        if message:
            self.edit_conflict = True
            raise ValidationError(message, code="edit_conflict")
        return cleaned


class DeleteReasonForm(forms.Form):
    change_reason = ReasonField()
    change_token = TokenField()

    edit_conflict = False


def reason_fieldset(form, *, covers_inlines, model_admin):
    """The reason and the token as an admin fieldset, shown right above the Save buttons
    (``templates/admin/change_form.html``), after the inline tables, where it is not missed."""
    description = (
        "One reason covers everything you change on this page, the sections above included."
        if covers_inlines
        else None
    )
    return helpers.Fieldset(
        form,
        name="Why this change",
        fields=REASON_FIELDS,
        classes=["change-reason"],
        description=description,
        model_admin=model_admin,
    )


class LineEndsTextarea(AdminTextareaWidget):
    """A textarea whose text keeps the stored line ends.

    Browsers send a textarea's lines joined by CR LF; stored texts use LF. Without this an
    untouched text would count as changed, be saved again and show in the audit trail.
    """

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value


# Admin mixins


class LineEndsMixin:
    """Long texts of a ModelAdmin's or an inline's forms keep LF line ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text = {**self.formfield_overrides.get(models.TextField, {}), "widget": LineEndsTextarea}
        self.formfield_overrides = {**self.formfield_overrides, models.TextField: text}


class ConditionallyEditableMixin(LineEndsMixin):
    """Add, change and delete only while ``is_editable(obj)``, superusers included.

    ``obj`` is the object of a ModelAdmin's page, or the parent object of an inline's.
    """

    def is_editable(self, obj):
        return True

    def has_add_permission(self, request, *args, **kwargs):
        obj = args[0] if args else kwargs.get("obj")
        return super().has_add_permission(request, *args, **kwargs) and (
            obj is None or self.is_editable(obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.is_editable(obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.is_editable(obj)
        )


class AuditedAdminMixin(LineEndsMixin):
    """A ModelAdmin whose every write carries the user's reason; see the module docstring."""

    edit_guard = None  # an EditGuard, or None for no concurrency check
    # Shown but fixed once the object exists (e.g. the plan version a concern belongs to);
    # disabled rather than read-only, so that the database constraints involving them are
    # still checked as the form is validated.
    fixed_on_change = ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def may_write(self, request, obj):
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name not in REASON_FIELDS]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if kwargs.get("fields") is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name not in REASON_FIELDS]
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {
            "change_reason": ReasonField(),
            "change_token": TokenField(),
            "edit_guard": self.edit_guard,
            "editor": request.user,
        }
        form = type(form.__name__, (AuditedFormMixin, form), attrs)
        if obj is not None:
            for name in self.fixed_on_change:
                if name in form.base_fields:
                    form.base_fields[name].disabled = True
        return form

    def _recorded(self, request, form):
        return recorded_change(form.cleaned_data["change_reason"], request.user)

    def save_model(self, request, obj, form, change):
        with self._recorded(request, form):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with self._recorded(request, form):
            super().save_related(request, form, formsets, change)
            if self.edit_guard is not None:
                owner_pk = self.edit_guard.owner_pk(form.instance)
                self.edit_guard.saved(owner_pk, request.user)

    def delete_model(self, request, obj):
        owner_pk = self.edit_guard.owner_pk(obj) if self.edit_guard else None
        super().delete_model(request, obj)
        if owner_pk is not None:
            self.edit_guard.saved(owner_pk, request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if "change_reason" in form.fields and self.may_write(request, obj):
            context["reason_fieldset"] = reason_fieldset(
                form, covers_inlines=bool(context.get("inline_admin_formsets")), model_admin=self
            )
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if request.method == "POST":  # re-shown with errors: nothing was saved
            response.status_code = 409 if form.edit_conflict else 400
        return response

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = extra_context or {}
        if request.method != "POST":
            obj = self.get_object(request, unquote(object_id))
            token = ""
            if obj is not None and self.edit_guard is not None:
                token = self.edit_guard.token(self.edit_guard.owner_pk(obj))
            form = DeleteReasonForm(initial={"change_token": token})
            return super().delete_view(request, object_id, {**extra_context, "audit_form": form})

        form = DeleteReasonForm(request.POST)
        with transaction.atomic(using=router.db_for_write(self.model)):
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and form.is_valid() and self.edit_guard is not None:
                message = self.edit_guard.check(
                    owner_pk=self.edit_guard.owner_pk(obj),
                    posted_token=form.cleaned_data["change_token"],
                    adding=False,
                    user=request.user,
                )
                if message:
                    form.edit_conflict = True
                    form.add_error(None, message)
            if obj is not None and not form.is_valid():
                # Shown again (permission checks included) as on GET, with the errors.
                response = super().delete_view(
                    _as_get(request), object_id, {**extra_context, "audit_form": form}
                )
                if isinstance(response, TemplateResponse):
                    response.status_code = 409 if form.edit_conflict else 400
                return response
            if obj is None:
                return super().delete_view(request, object_id, extra_context)
            with recorded_change(form.cleaned_data["change_reason"], request.user):
                return super().delete_view(request, object_id, extra_context)


def _as_get(request):
    """The request as if it were the GET of the same page."""
    clone = copy.copy(request)
    clone.method = "GET"
    clone.POST = QueryDict()
    return clone
