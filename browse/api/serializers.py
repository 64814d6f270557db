"""The API contract: field names here are relied on by other tools."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.addresses import AddressPattern
from products.models import Product, ProductInformationSection
from risks.models import Milestone, SafetyConcern, SectionReference, Study


class ProductSummarySerializer(serializers.ModelSerializer):
    substances = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    url = serializers.HyperlinkedIdentityField(
        view_name="api:product-detail", lookup_field="slug", read_only=True
    )

    class Meta:
        model = Product
        fields = ["slug", "name", "substances", "region", "authorisation_status", "url"]


def page_address(serializer, item, view_name, slug_name):
    """The absolute address of the item's permanent web page (a concern's or a study's)."""
    product_slug = serializer.context.get("product_slug") or item.plan.product.slug
    path = reverse(view_name, kwargs={"slug": product_slug, slug_name: item.slug})
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class MilestoneSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["description", "due", "due_date", "precision", "reported_on", "overdue"]

    def get_overdue(self, milestone) -> bool:
        return milestone.is_overdue()


class StudySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    safety_concerns = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    url = serializers.SerializerMethodField(
        help_text="The study's web page, the same in every version."
    )

    class Meta:
        model = Study
        fields = [
            "url",
            "code",
            "name",
            "short_name",
            "title",
            "category",
            "design",
            "status",
            "eu_pas_number",
            "purpose",
            "milestones",
            "safety_concerns",
        ]

    def get_url(self, study) -> str:
        return page_address(self, study, "browse:study", "study")


class StudyListSerializer(StudySerializer):
    product = serializers.SlugRelatedField(source="plan.product", slug_field="slug", read_only=True)
    plan_version = serializers.CharField(source="plan.version", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta(StudySerializer.Meta):
        fields = ["product", "plan_version", *StudySerializer.Meta.fields, "overdue"]

    def get_overdue(self, study) -> bool:
        return any(milestone.is_overdue() for milestone in study.milestones.all())


class SectionReferenceSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    title = serializers.SerializerMethodField()

    class Meta:
        model = SectionReference
        fields = ["document", "section", "label", "title"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_title(self, reference):
        """The title of the cited section when the product's information is loaded."""
        section = self.context.get("sections", {}).get(reference.key)
        return section.title if section else None


class SafetyConcernSerializer(serializers.ModelSerializer):
    section_references = serializers.SerializerMethodField()
    routine_measures = serializers.SerializerMethodField()
    additional_measures = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    studies = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    url = serializers.SerializerMethodField(
        help_text="The safety concern's web page, the same in every version."
    )

    class Meta:
        model = SafetyConcern
        fields = [
            "url",
            "name",
            "category",
            "evidence",
            "risk_factors",
            "footnotes",
            "routine_measures",
            "section_references",
            "additional_measures",
            "studies",
        ]

    def get_url(self, concern) -> str:
        return page_address(self, concern, "browse:concern", "concern")

    @extend_schema_field(SectionReferenceSerializer(many=True))
    def get_section_references(self, concern):
        """Every section cited by the concern's routine measures, once each, in order cited."""
        seen = {}
        for measure in concern.routine_measures.all():
            for reference in measure.section_references.all():
                seen.setdefault(reference.key, reference)
        return SectionReferenceSerializer(seen.values(), many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_routine_measures(self, concern):
        return [
            {
                "kind": measure.kind,
                "text": measure.text,
                "section_references": SectionReferenceSerializer(
                    measure.section_references.all(), many=True, context=self.context
                ).data,
            }
            for measure in concern.routine_measures.all()
        ]


class PlanSerializer(serializers.Serializer):
    version = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    source_document = serializers.CharField()
    source_url = serializers.CharField()


class ProductInformationSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductInformationSection
        fields = ["document", "section", "title"]


class ProductDetailSerializer(ProductSummarySerializer):
    marketing_authorisation_holder = serializers.StringRelatedField(allow_null=True)
    plan = serializers.SerializerMethodField()
    safety_concerns = serializers.SerializerMethodField()
    studies = serializers.SerializerMethodField()
    product_information = ProductInformationSectionSerializer(
        source="information_sections", many=True, read_only=True
    )

    class Meta(ProductSummarySerializer.Meta):
        fields = [
            *ProductSummarySerializer.Meta.fields,
            "indication",
            "procedure_number",
            "authorisation_numbers",
            "marketing_authorisation_holder",
            "route",
            "pharmaceutical_form",
            "source_url",
            "product_information_url",
            "boxed_warning",
            "rems",
            "plan",
            "safety_concerns",
            "studies",
            "product_information",
        ]

    def section_context(self, product):
        return {
            **self.context,
            "product_slug": product.slug,
            "sections": product.information_sections.all().as_lookup(),
        }

    @extend_schema_field(PlanSerializer(allow_null=True))
    def get_plan(self, product):
        return PlanSerializer(product.current_plan).data if product.current_plan else None

    @extend_schema_field(SafetyConcernSerializer(many=True))
    def get_safety_concerns(self, product):
        if not product.current_plan:
            return []
        return concern_representations(
            product.current_plan.safety_concerns.all(), self.section_context(product)
        )

    @extend_schema_field(StudySerializer(many=True))
    def get_studies(self, product):
        if not product.current_plan:
            return []
        return study_representations(
            product.current_plan.studies.all(), {**self.context, "product_slug": product.slug}
        )


# The product detail nests hundreds of items. It writes them with the plain functions below,
# which give exactly what SafetyConcernSerializer and StudySerializer (the schema's
# description of them) give, without building a serializer per concern and per measure.


def text(value):
    """A CharField's representation (None stays None)."""
    return None if value is None else str(value)


def choice(model, name):
    """A ChoiceField's representation of ``model.name``: the choice's own value (an integer
    for integer choices), '' and None as they are."""
    values = {str(key): key for key, _ in model._meta.get_field(name).flatchoices}
    return lambda value: value if value in ("", None) else values.get(str(value), value)


def iso_date(value):
    """A DateField's representation."""
    return value.isoformat() if value else None


def page_addresses(context, view_name, slug_name):
    """``page_address`` for many items of one product: reverses once, then formats."""
    pattern = AddressPattern(view_name, "slug", slug_name)
    request = context.get("request")
    origin = request.build_absolute_uri("/")[:-1] if request else ""
    slug = context["product_slug"]
    return lambda item: origin + pattern(slug=slug, **{slug_name: item.slug})


def reference_representations(references, sections):
    return [
        {
            "document": reference_document(reference.document),
            "section": text(reference.section),
            "label": text(reference.label),
            "title": section.title if (section := sections.get(reference.key)) else None,
        }
        for reference in references
    ]


def concern_representations(concerns, context):
    """SafetyConcernSerializer(concerns, many=True, context=context).data, as plain dicts."""
    url = page_addresses(context, "browse:concern", "concern")
    sections = context.get("sections", {})
    rows = []
    for concern in concerns:
        measures = concern.routine_list
        cited = {}
        for measure in measures:
            for reference in measure.reference_list:
                cited.setdefault(reference.key, reference)
        rows.append(
            {
                "url": url(concern),
                "name": text(concern.name),
                "category": concern_category(concern.category),
                "evidence": text(concern.evidence),
                "risk_factors": text(concern.risk_factors),
                "footnotes": text(concern.footnotes),
                "routine_measures": [
                    {
                        "kind": measure.kind,
                        "text": measure.text,
                        "section_references": reference_representations(
                            measure.reference_list, sections
                        ),
                    }
                    for measure in measures
                ],
                "section_references": reference_representations(cited.values(), sections),
                "additional_measures": [m.name for m in concern.additional_list],
                "studies": [study.name for study in concern.study_list],
            }
        )
    return rows


def study_representations(studies, context):
    """StudySerializer(studies, many=True, context=context).data, as plain dicts."""
    url = page_addresses(context, "browse:study", "study")
    return [
        {
            "url": url(study),
            "code": text(study.code),
            "name": text(study.name),
            "short_name": text(study.short_name),
            "title": text(study.title),
            "category": study_category(study.category),
            "design": study_design(study.design),
            "status": study_status(study.status),
            "eu_pas_number": text(study.eu_pas_number),
            "purpose": text(study.purpose),
            "milestones": [
                {
                    "description": text(milestone.description),
                    "due": text(milestone.due),
                    "due_date": iso_date(milestone.due_date),
                    "precision": milestone_precision(milestone.precision),
                    "reported_on": iso_date(milestone.reported_on),
                    "overdue": milestone.is_overdue(),
                }
                for milestone in study.milestone_list
            ],
            "safety_concerns": [concern.name for concern in study.concern_list],
        }
        for study in studies
    ]


reference_document = choice(SectionReference, "document")
concern_category = choice(SafetyConcern, "category")
study_category = choice(Study, "category")
study_design = choice(Study, "design")
study_status = choice(Study, "status")
milestone_precision = choice(Milestone, "precision")
