"""The API contract: field names here are relied on by other tools."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
        concerns = product.current_plan.safety_concerns.all()
        return SafetyConcernSerializer(
            concerns, many=True, context=self.section_context(product)
        ).data

    @extend_schema_field(StudySerializer(many=True))
    def get_studies(self, product):
        if not product.current_plan:
            return []
        return StudySerializer(
            product.current_plan.studies.all(),
            many=True,
            context={**self.context, "product_slug": product.slug},
        ).data
