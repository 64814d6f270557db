"""The audit trail of a plan version in the admin: a page (printable) and a CSV download."""

import csv
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from common.listing import form_error_message
from common.querystring import Query
from risks.models import RiskManagementPlan

from . import trail

VIEW_PERMISSION = "risks.view_riskmanagementplan"
ORDERS = [("oldest", "Oldest first"), ("newest", "Newest first")]
SHOWN = "shown"  # the value of ``copies`` that shows the rows written by copying a version


class TrailFilterForm(forms.Form):
    """The GET parameters of the trail: kind of item, user, order, whether the rows written by
    copying the version it was started from show (hidden unless ``copies=shown``); choices
    show counts, of the rows shown."""

    kind = forms.ChoiceField(label="Kind of item", required=False)
    user = forms.ChoiceField(label="User", required=False)
    order = forms.ChoiceField(label="Order", required=False, choices=ORDERS)
    copies = forms.ChoiceField(
        label="Rows of the copy", required=False, choices=[("", "Hidden"), (SHOWN, "Shown")]
    )

    def __init__(self, data, *, entries):
        super().__init__(data)
        self.copied = sum(entry.from_copy for entry in entries)
        if not self.copied:
            del self.fields["copies"]
        elif data.get("copies") != SHOWN:
            entries = trail.hide_copied(entries)
        self.entries = entries
        names = {entry.user_key: entry.who for entry in entries}
        self.labels = {"kind": dict(trail.ItemKind.choices), "user": names}
        # Facet counts under the other filter, when that filter is a valid one.
        kind, user = self.data.get("kind", ""), self.data.get("user", "")
        kinds, users = trail.facet_counts(
            entries,
            kind=kind if kind in self.labels["kind"] else "",
            user=user if user in names else "",
        )
        self.fields["kind"].choices = [("", f"All kinds ({sum(kinds.values())})")] + [
            (value, f"{label} ({kinds[value]})") for value, label in trail.ItemKind.choices
        ]
        self.fields["user"].choices = [("", f"All users ({sum(users.values())})")] + [
            (key, f"{names[key]} ({users[key]})")
            for key in sorted(names, key=lambda key: (key == trail.SYSTEM, key.casefold()))
        ]
        self.fields["user"].error_messages["invalid_choice"] = (
            "“%(value)s” made no recorded change to this version; choose a user from the list."
        )
        self.fields["kind"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a kind of item: choose one from the list."
        )

    def filtered(self):
        data = self.cleaned_data
        entries = trail.filter_entries(self.entries, kind=data["kind"], user=data["user"])
        return entries[::-1] if data["order"] == "newest" else entries

    def active_filters(self):
        """[(label, value label, link without it)] for the "remove" links.

        The value's label is the kind's or the user's name, without the count its choice shows.
        """
        query = Query.of_form(self)
        active = []
        for name in ("kind", "user"):
            if value := self.cleaned_data.get(name):
                label = self.labels[name][value]
                active.append((self.fields[name].label, label, query.without(name)))
        return active


@require_safe
def plan_trail(request, pk):
    plan = _plan(request, pk)
    entries = trail.plan_trail(plan)
    form = TrailFilterForm(request.GET, entries=entries)
    context = {
        **admin.site.each_context(request),
        "title": f"Audit trail of {plan.product} RMP version {plan.version}",
        "plan": plan,
        "opts": RiskManagementPlan._meta,
        "form": form,
        "summary": _summary(plan, entries),
        "generated_at": timezone.now(),
    }
    if not form.is_valid():
        context["error"] = form_error_message(form)
        return render(request, "curation/plan_trail.html", context, status=400)
    shown = form.filtered()
    query = Query.of_form(form)
    copies_shown = form.cleaned_data.get("copies") == SHOWN
    context.update(
        entries=shown,
        active_filters=form.active_filters(),
        csv_query=query.encoded(),
        unfiltered=len(shown) == len(entries),
        copied={
            "count": form.copied,
            "shown": copies_shown,
            "toggle_url": query.url(copies=None if copies_shown else SHOWN),
        },
    )
    return render(request, "curation/plan_trail.html", context)


@require_safe
def plan_trail_csv(request, pk):
    plan = _plan(request, pk)
    form = TrailFilterForm(request.GET, entries=trail.plan_trail(plan))
    if not form.is_valid():
        raise BadRequest(form_error_message(form))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(plan)}"'
    response.write("\ufeff")  # a byte order mark, so that spreadsheets read UTF-8
    writer = csv.writer(response)
    writer.writerow(trail.CSV_COLUMNS)
    writer.writerows(trail.csv_rows(form.filtered()))
    return response


def _plan(request, pk):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("You do not have permission to view plan versions.")
    plans = RiskManagementPlan.objects.select_related(
        "product", "copied_from", "submitted_by", "published_by"
    )
    return get_object_or_404(plans, pk=pk)


def _summary(plan, entries):
    created = next(
        (entry for entry in entries if entry.kind == trail.ItemKind.PLAN and entry.is_created),
        None,
    )
    return {
        "created": created,
        "submitted_by": trail.who(plan.submitted_by) if plan.submitted_by_id else "",
        "published_by": trail.who(plan.published_by) if plan.published_by_id else "",
        "copied_from_url": (
            reverse("curation:plan_trail", args=[plan.copied_from_id])
            if plan.copied_from_id
            else ""
        ),
        "count": len(entries),
    }


def _filename(plan):
    version = re.sub(r"[^A-Za-z0-9._-]+", "-", plan.version).strip("-.") or "unnamed"
    return f"audit-{plan.product.slug}-v{version}.csv"
