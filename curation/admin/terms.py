"""The curated risk terms, and the term of a safety concern as curators confirm it.

A term (``risks.models.RiskTerm``) has a preferred name, its synonyms and spellings, and an
optional code of a licensed terminology. The public lists, search and the compare page group
concerns by their confirmed term. A new concern, or one renamed, gets a suggested term
(``risks.terms``): the concern's form shows it beside the term field, and the curator
confirms it (the box "Confirm the suggested term") or chooses another term. A suggestion is
never a confirmation: only the ``term`` field groups a concern.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from audit.admin import AuditedAdminMixin, HistoryGuard
from risks.models import RiskTerm, SafetyConcern
from risks.terms import suggest_term


@admin.register(RiskTerm)
class RiskTermAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = HistoryGuard(RiskTerm)
    list_display = ["preferred_name", "synonym_text", "code", "confirmed", "suggested"]
    search_fields = ["preferred_name", "synonyms", "slug", "code"]
    prepopulated_fields = {"slug": ["preferred_name"]}
    fields = ["preferred_name", "slug", "synonyms", "code", "note"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count("concerns", distinct=True),
                suggested_count=Count(
                    "suggested_for", filter=Q(suggested_for__term__isnull=True), distinct=True
                ),
            )
        )

    @admin.display(description="synonyms")
    def synonym_text(self, term):
        return "; ".join(term.synonym_list)

    @admin.display(description="concerns linked", ordering="confirmed_count")
    def confirmed(self, term):
        url = reverse("admin:risks_safetyconcern_changelist")
        return format_html(
            '<a href="{}?term__id__exact={}">{}</a>', url, term.pk, term.confirmed_count
        )

    @admin.display(description="suggested, not confirmed", ordering="suggested_count")
    def suggested(self, term):
        return term.suggested_count


class ConcernTermForm(forms.ModelForm):
    """A concern's form with its term: the suggestion is refreshed when the name changes and
    confirmed only when the curator ticks the box (or chooses a term)."""

    confirm_suggestion = forms.BooleanField(
        label="Confirm the suggested term",
        required=False,
        help_text="Links the concern to the suggested term, unless a term is chosen above.",
    )

    class Meta:
        model = SafetyConcern
        fields = ["name", "term"]

    def clean(self):
        data = super().clean()
        name = (data.get("name") or self.instance.name or "").strip()
        if name and not data.get("term"):
            if "name" in self.changed_data or not self.instance.suggested_term_id:
                self.instance.suggested_term = suggest_term(name)
            if data.get("confirm_suggestion"):
                if self.instance.suggested_term is None:
                    self.add_error(
                        "confirm_suggestion", "There is no suggested term: choose a term above."
                    )
                else:
                    data["term"] = self.instance.suggested_term
        return data


def suggestion_text(concern):
    """The suggested term as the concern's form shows it, saying whether it is confirmed."""
    suggested = concern.suggested_term if concern and concern.pk else None
    if suggested is None:
        return "none: no term's name is close to the concern's name"
    if concern.term_id == suggested.pk:
        return f"{suggested} (confirmed)"
    return f"{suggested} (not confirmed)"


class TermInlineMixin:
    """On an inline row, the term is chosen (autocomplete) without the add, change and view
    links of a related field: they open the vocabulary, which has its own page, and would
    widen the table."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "term" and formfield is not None:
            widget = formfield.widget
            for name in ("can_add_related", "can_change_related", "can_delete_related"):
                setattr(widget, name, False)
            widget.can_view_related = False
        return formfield
