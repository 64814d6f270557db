import re

from django import forms

from audit.admin import LineEndsTextarea, ReasonField
from products.documents import unloaded_references
from risks import services
from risks.models import AdditionalMeasure, RiskManagementPlan, RoutineMeasure, SafetyConcern, Study


class RoutineMeasureForm(forms.ModelForm):
    """A routine measure with its section references typed as "SmPC 4.2, 4.4; PL 2"."""

    references = forms.CharField(
        label="Section references",
        required=False,
        help_text="Documents and sections the measure cites, e.g. “SmPC 4.2, 4.4; PL 2”.",
        widget=forms.TextInput(attrs={"size": 22}),
    )

    class Meta:
        model = RoutineMeasure
        fields = ["position", "kind", "text", "references"]
        widgets = {"text": LineEndsTextarea(attrs={"rows": 3, "cols": 48})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["references"].initial = ", ".join(
                reference.label for reference in self.instance.section_references.all()
            )

    def clean_references(self):
        return services.parse_reference_list(self.cleaned_data["references"])

    def clean(self):
        """Each reference names a loaded section when the product's text of that document is
        loaded (a section without text here links to the official product information)."""
        cleaned = super().clean()
        concern = self.instance.safety_concern if self.instance.safety_concern_id else None
        if concern is not None and cleaned.get("references"):
            product = concern.plan.product
            for message in unloaded_references(
                cleaned["references"],
                product.information_sections.keys(),
                product_name=product.name,
            ):
                self.add_error("references", message)
        return cleaned

    def save(self, commit=True):
        measure = super().save(commit=commit)
        if commit:
            services.set_section_references(measure, self.cleaned_data["references"])
        else:
            save_m2m = self.save_m2m

            def save_references():
                save_m2m()
                services.set_section_references(measure, self.cleaned_data["references"])

            self.save_m2m = save_references
        return measure


class PlanConcernsForm(forms.ModelForm):
    """A form linking plan-level items to safety concerns of the same plan only."""

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = plan or (self.instance.plan if self.instance.plan_id else None)
        field = self.fields.get("safety_concerns")
        if field is not None and plan is not None:
            field.queryset = SafetyConcern.objects.filter(plan=plan)

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan") or (self.instance.plan if self.instance.plan_id else None)
        strangers = [
            concern.name
            for concern in cleaned.get("safety_concerns") or []
            if plan is not None and concern.plan_id != plan.pk
        ]
        if strangers:
            self.add_error(
                "safety_concerns",
                "These safety concerns belong to another plan version: " + "; ".join(strangers),
            )
        return cleaned


class AdditionalMeasureForm(PlanConcernsForm):
    class Meta:
        model = AdditionalMeasure
        fields = ["plan", "kind", "name", "description", "safety_concerns"]
        widgets = {"safety_concerns": forms.CheckboxSelectMultiple}


class StudyForm(PlanConcernsForm):
    class Meta:
        model = Study
        fields = [
            "plan",
            "position",
            "code",
            "short_name",
            "title",
            "category",
            "design",
            "status",
            "purpose",
            "eu_pas_number",
            "safety_concerns",
        ]
        widgets = {"safety_concerns": forms.CheckboxSelectMultiple}


class TransitionForm(forms.Form):
    """Confirmation of a step in a plan version's workflow: the reason is required."""

    reason = ReasonField()


REVISION_MISSING = (
    "This form does not say which revision of the version you saw, so nothing was done. "
    "Reload the page, check the version and confirm again."
)


class ReviewedStepForm(TransitionForm):
    """A step on the version as the person saw it: the revision the page was opened at."""

    revision = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            "required": REVISION_MISSING,
            "invalid": REVISION_MISSING,
            "min_value": REVISION_MISSING,
        },
    )

    def seen_revision(self):
        """The revision posted, when it is a number, before (or without) validation."""
        value = self.data.get(self.add_prefix("revision"), "")
        return int(value) if re.fullmatch(r"[0-9]{1,18}", str(value)) else None


class NewVersionForm(TransitionForm):
    version = forms.CharField(
        label="Label of the new version",
        max_length=RiskManagementPlan._meta.get_field("version").max_length,
        help_text="As the plan will name itself, e.g. 8 or 7.1.",
    )

    field_order = ["version", "reason"]
