import functools
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from audit.context import AuditedHistory
from products.documents import Document, unloaded_references
from products.models import DocumentSection, Product
from products.search_fields import SearchVectorGeneratedField, SearchVectorIndex

from .normalise import concern_key
from .partial_dates import DatePrecision, parse_due


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class RiskManagementPlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PlanStatus.PUBLISHED)

    def current(self):
        """Each product's current published version (at most one per product)."""
        return self.published()

    def drafts(self):
        return self.filter(status=PlanStatus.DRAFT)

    def in_review(self):
        return self.filter(status=PlanStatus.IN_REVIEW)

    def open(self):
        """Versions still being worked on: drafts and versions in review."""
        return self.filter(status__in=[PlanStatus.DRAFT, PlanStatus.IN_REVIEW])

    def public(self):
        """Versions the public may read: the current one and the ones it superseded."""
        return self.filter(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED])


class RiskManagementPlan(models.Model):
    """One version of a product's risk management plan."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="plans")
    version = models.CharField(
        "version label", max_length=30, help_text="As the plan names itself, e.g. 7.1."
    )
    date = models.DateField(null=True, blank=True, help_text="Date of the plan version, if stated.")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    source_document = models.CharField(
        max_length=300, blank=True, help_text="The document the data was curated from."
    )
    source_url = models.URLField("source URL", max_length=500, blank=True)
    note = models.TextField("curator note", blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        help_text="The version this one was started from.",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who last changed the version or anything in it; they may not publish it.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the saves of the version and its parts; detects concurrent edits.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskManagementPlanQuerySet.as_manager()
    # A published or superseded version is public: saving one (publishing, superseding)
    # changes public pages. A draft and its parts are not, whatever a curator saves.
    history = AuditedHistory(public=lambda plan: plan.is_public)

    class Meta:
        ordering = ["product", "-date", "-id"]
        verbose_name = "risk management plan version"
        permissions = [
            ("publish_riskmanagementplan", "Can publish a plan version or send it back to draft"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"],
                name="plan_version_unique_per_product",
                violation_error_message="This product already has a plan with this version label.",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status=PlanStatus.PUBLISHED),
                name="plan_one_published_per_product",
                violation_error_message="Only one version of a product's plan can be published.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="plan_status_valid",
                violation_error_message="Unknown plan status.",
            ),
            models.CheckConstraint(condition=~Q(version=""), name="plan_version_not_blank"),
        ]

    def __str__(self):
        return f"{self.product} RMP version {self.version}"

    @property
    def is_published(self):
        return self.status == PlanStatus.PUBLISHED

    @property
    def is_draft(self):
        return self.status == PlanStatus.DRAFT

    @property
    def is_public(self):
        return self.status in {PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED}


def public_products(products=None):
    """Products the public may see: a published plan version, or no plan at all.

    A product whose only plan versions are unpublished does not exist publicly. ``products``
    narrows a queryset of products (all products if left out).
    """
    plans = RiskManagementPlan.objects.filter(product=OuterRef("pk"))
    products = Product.objects.all() if products is None else products
    return products.filter(Exists(plans.published()) | ~Exists(plans))


class ConcernCategory(models.TextChoices):
    IDENTIFIED = "identified", "Important identified risk"
    POTENTIAL = "potential", "Important potential risk"
    MISSING = "missing", "Missing information"

    @property
    def plural(self):
        return {
            ConcernCategory.IDENTIFIED: "Important identified risks",
            ConcernCategory.POTENTIAL: "Important potential risks",
            ConcernCategory.MISSING: "Missing information",
        }[self]


class PlanPartQuerySet(models.QuerySet):
    """Rows that belong to a plan version: concerns, additional measures, studies."""

    def current(self):
        """Those of each product's current published plan."""
        return self.filter(plan__status=PlanStatus.PUBLISHED)


# Signs a grouping key keeps as words ("age > 65"), spelled out so that a slug keeps them apart.
_SLUG_SIGNS = [
    (">=", " ge "),
    ("<=", " le "),
    (">", " gt "),
    ("<", " lt "),
    ("%", " pct "),
    ("+", " plus "),
]


@functools.lru_cache(maxsize=8192)  # a pure function of the key; pages ask it many times
def concern_slug(group_key):
    """The address part of a concern: its grouping key as a slug, the same in every version.

    "Progressive multifocal leukoencephalopathy (PML)" and its spellings in later versions of
    the plan all read ``progressive-multifocal-leukoencephalopathy``.
    """
    for sign, word in _SLUG_SIGNS:
        group_key = group_key.replace(sign, word)
    return slugify(group_key)[:120].strip("-") or "concern"


def concern_anchor(group_key):
    """Fragment identifier of a concern on its product page, stable across plan versions."""
    return f"risk-{concern_slug(group_key)}"


@functools.lru_cache(maxsize=8192)
def study_slug(code, short_name, title):
    """The address part of a study: its code, else the plan's name for it, else its title."""
    return slugify(code or short_name or title)[:80].strip("-") or "study"


class RiskTerm(models.Model):
    """A curated safety-concern term: the one name under which products' concerns group.

    Products name one risk in many ways ("Myelosuppression", "Bone marrow failure
    (myelosuppression)"); a curator links each concern to a term (``SafetyConcern.term``), and
    the public lists, search and the compare page group by it. ``synonyms`` holds the other
    names and spellings the term is known by, one a line; they feed the suggestion of a term
    for a new concern (``risks.terms``). ``code`` is for a licensed terminology's code (a
    MedDRA preferred term): left empty unless a licensed user fills it.
    """

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The term's address on the public lists (/risks/?group=term:<slug>).",
    )
    preferred_name = models.CharField(max_length=300, unique=True)
    synonyms = models.TextField(
        blank=True, help_text="Other names, abbreviations and spellings of the term, one a line."
    )
    code = models.CharField(
        "terminology code",
        max_length=40,
        blank=True,
        help_text="A code of a licensed terminology (e.g. a MedDRA preferred term), if licensed.",
    )
    note = models.TextField(blank=True, help_text="What the term covers, for curators.")

    history = AuditedHistory(public=True)

    class Meta:
        ordering = ["preferred_name"]
        verbose_name = "risk term"
        constraints = [
            models.CheckConstraint(condition=~Q(preferred_name=""), name="riskterm_name_set"),
            models.CheckConstraint(condition=~Q(slug=""), name="riskterm_slug_set"),
        ]

    def __str__(self):
        return self.preferred_name

    def get_absolute_url(self):
        return f"{reverse('browse:concerns')}?group={self.group_key}"

    @property
    def group_key(self):
        """The grouping key of the concerns linked to the term (a name's key has no colon)."""
        return term_group_key(self.slug)

    @property
    def synonym_list(self):
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]

    @property
    def names(self):
        """The preferred name, then the synonyms."""
        return [self.preferred_name, *self.synonym_list]


def term_group_key(slug):
    """The grouping key of a term's concerns: ``term:<slug>``, unlike any name's key."""
    return f"term:{slug}"


class SafetyConcernQuerySet(PlanPartQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fills each concern's ``group_key`` first, as ``save()`` does."""
        objs = list(objs)
        for concern in objs:
            concern.fill_group_key()
        return super().bulk_create(objs, *args, **kwargs)


class SafetyConcern(models.Model):
    plan = models.ForeignKey(
        RiskManagementPlan, on_delete=models.CASCADE, related_name="safety_concerns"
    )
    category = models.CharField(max_length=20, choices=ConcernCategory.choices)
    name = models.CharField(max_length=300)
    group_key = models.CharField(
        max_length=400,
        editable=False,
        db_index=True,
        help_text=(
            "The name's grouping key (risks.normalise.concern_key), kept with the row so the "
            "concerns of all products are grouped, counted and paged by the database."
        ),
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the source document.")
    evidence = models.TextField("evidence for linking the risk to the medicine", blank=True)
    risk_factors = models.TextField("risk factors and risk groups", blank=True)
    footnotes = models.TextField(blank=True)
    curator_note = models.TextField(blank=True)
    term = models.ForeignKey(
        RiskTerm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name="risk term",
        help_text="The curated term the concern groups under, as confirmed by a curator.",
    )
    suggested_term = models.ForeignKey(
        RiskTerm,
        on_delete=models.PROTECT,  # a plan's rows change only through its history
        null=True,
        blank=True,
        related_name="suggested_for",
        editable=False,
        help_text="The term suggested from the name (risks.terms); not a confirmation.",
    )
    lineage = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text="Shared by this item's copies in later versions, to compare versions.",
    )
    search_vector = SearchVectorGeneratedField(
        weights={"A": ["name"], "B": ["evidence", "risk_factors"]}
    )

    objects = SafetyConcernQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["group_key"])  # derived from the name

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "safety concern"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="safetyconcern_vector_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(group_key=""), name="concern_group_key_set"),
            models.UniqueConstraint(
                "plan",
                Lower("name"),
                name="concern_name_unique_per_plan",
                violation_error_message="This plan already has a safety concern with this name.",
            ),
            models.CheckConstraint(
                condition=Q(category__in=ConcernCategory.values),
                name="concern_category_valid",
                violation_error_message=(
                    "Category must be important identified risk, important potential risk "
                    "or missing information."
                ),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="concern_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        self.fill_group_key()
        if update_fields is not None and "name" in update_fields:
            update_fields = {*update_fields, "group_key"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        """The concern's own page: the same address in every version of the plan."""
        return reverse(
            "browse:concern",
            kwargs={"slug": self.plan.product.slug, "concern": self.slug},
        )

    def full_clean(self, *args, **kwargs):
        self.fill_group_key()
        super().full_clean(*args, **kwargs)

    def fill_group_key(self):
        self.group_key = concern_key(self.name) or self.name.casefold()

    @property
    def slug(self):
        return concern_slug(self.group_key or concern_key(self.name) or self.name.casefold())

    @property
    def anchor(self):
        """Fragment identifier of the concern on its product page, the same in every version.

        Two names of one plan that normalise alike share a slug: the page numbers the second
        (``anchor_suffix``), so that each keeps an identifier of its own.
        """
        return f"risk-{self.slug}{getattr(self, 'anchor_suffix', '')}"

    def clean(self):
        if self.category == ConcernCategory.MISSING and self.evidence.strip():
            raise ValidationError(
                {"evidence": "Missing information has no evidence for linking: leave it empty."}
            )


class RoutineMeasureKind(models.TextChoices):
    LABELLING = "labelling", "Product information wording"
    LEGAL_STATUS = "legal_status", "Legal status"
    PACK_SIZE = "pack_size", "Pack size"
    CLINICAL_SETTING = "clinical_setting", "Clinical setting"
    OTHER = "other", "Other"


class RoutineMeasure(models.Model):
    safety_concern = models.ForeignKey(
        SafetyConcern, on_delete=models.CASCADE, related_name="routine_measures"
    )
    kind = models.CharField(
        max_length=20, choices=RoutineMeasureKind.choices, default=RoutineMeasureKind.LABELLING
    )
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorGeneratedField(weights={"B": ["text"]})

    history = AuditedHistory()

    class Meta:
        ordering = ["safety_concern", "position", "id"]
        verbose_name = "routine risk minimisation measure"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="routinemeasure_vector_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RoutineMeasureKind.values),
                name="routine_measure_kind_valid",
                violation_error_message="Unknown kind of routine measure.",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="routine_measure_text_not_blank"),
        ]

    def __str__(self):
        return self.text[:80]


class SectionReference(DocumentSection):
    """A section of the product information that a routine measure cites."""

    routine_measure = models.ForeignKey(
        RoutineMeasure, on_delete=models.CASCADE, related_name="section_references"
    )
    position = models.PositiveIntegerField(default=0)

    history = AuditedHistory()

    class Meta(DocumentSection.Meta):
        ordering = ["routine_measure", "position", "id"]
        verbose_name = "section reference"
        constraints = [
            *DocumentSection.Meta.constraints,
            models.UniqueConstraint(
                fields=["routine_measure", "document", "section"],
                name="reference_unique_per_measure",
                violation_error_message="This measure already cites this section.",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if not self.routine_measure_id or self.document not in Document.values:
            return
        product = self.routine_measure.safety_concern.plan.product
        problems = unloaded_references(
            [self.key], product.information_sections.keys(), product_name=product.name
        )
        if problems:
            raise ValidationError({"section": problems})


class AdditionalMeasureKind(models.TextChoices):
    EDUCATIONAL_MATERIAL = "educational_material", "Educational materials"
    PATIENT_CARD = "patient_card", "Patient alert card"
    CONTROLLED_ACCESS = "controlled_access", "Controlled access or distribution"
    PREGNANCY_PREVENTION = "pregnancy_prevention", "Pregnancy prevention programme"
    DHPC = "dhpc", "Direct healthcare professional communication"
    OTHER = "other", "Other"


class AdditionalMeasure(models.Model):
    """An additional risk minimisation measure, defined once per plan."""

    plan = models.ForeignKey(
        RiskManagementPlan, on_delete=models.CASCADE, related_name="additional_measures"
    )
    kind = models.CharField(max_length=30, choices=AdditionalMeasureKind.choices)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    safety_concerns = models.ManyToManyField(
        SafetyConcern, related_name="additional_measures", blank=True
    )
    lineage = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text="Shared by this item's copies in later versions, to compare versions.",
    )

    search_vector = SearchVectorGeneratedField(weights={"A": ["name"], "B": ["description"]})

    objects = PlanPartQuerySet.as_manager()
    history = AuditedHistory(m2m_fields=[safety_concerns])

    class Meta:
        ordering = ["plan", "name"]
        verbose_name = "additional risk minimisation measure"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="additionalmeasure_vector_idx")]
        constraints = [
            models.UniqueConstraint(
                "plan",
                Lower("name"),
                name="additional_measure_name_unique_per_plan",
                violation_error_message=(
                    "This plan already has an additional measure with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AdditionalMeasureKind.values),
                name="additional_measure_kind_valid",
                violation_error_message="Unknown kind of additional measure.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="additional_measure_name_not_blank"),
        ]

    def __str__(self):
        return self.name


class StudyQuerySet(PlanPartQuerySet):
    def overdue(self, today=None):
        """Studies with at least one milestone due before today and not reported."""
        milestones = Milestone.objects.filter(study=models.OuterRef("pk")).overdue(today)
        return self.filter(models.Exists(milestones))


class StudyCategory(models.IntegerChoices):
    IMPOSED = 1, "Category 1: imposed, a condition of the marketing authorisation"
    SPECIFIC_OBLIGATION = 2, "Category 2: specific obligation"
    REQUIRED = 3, "Category 3: required additional pharmacovigilance"

    @property
    def short_label(self):
        return f"Category {self.value}"


class StudyDesign(models.TextChoices):
    REGISTRY = "registry", "Registry"
    DRUG_UTILISATION = "drug_utilisation", "Drug utilisation study"
    OBSERVATIONAL_COHORT = "observational_cohort", "Observational cohort"
    CLINICAL_TRIAL = "clinical_trial", "Clinical trial"
    OTHER = "other", "Other"


class StudyStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated"


class Study(models.Model):
    """A post-authorisation study in the plan's pharmacovigilance plan."""

    plan = models.ForeignKey(RiskManagementPlan, on_delete=models.CASCADE, related_name="studies")
    code = models.CharField(max_length=50, blank=True, help_text="e.g. OBS13434")
    short_name = models.CharField(
        max_length=200, blank=True, help_text="The name the plan uses for the study."
    )
    title = models.TextField()
    category = models.PositiveSmallIntegerField(choices=StudyCategory.choices)
    design = models.CharField(max_length=30, choices=StudyDesign.choices, default=StudyDesign.OTHER)
    purpose = models.TextField(blank=True)
    eu_pas_number = models.CharField(
        "EU PAS register number",
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^EUPAS[0-9]{1,10}$",
                "An EU PAS register number reads EUPAS and digits, e.g. EUPAS12345.",
            )
        ],
        help_text=(
            "The study's number in the HMA-EMA catalogue of real-world data studies (formerly "
            "the EU PAS register), e.g. EUPAS12345."
        ),
    )
    status = models.CharField(
        max_length=20, choices=StudyStatus.choices, default=StudyStatus.ONGOING
    )
    safety_concerns = models.ManyToManyField(SafetyConcern, related_name="studies", blank=True)
    position = models.PositiveIntegerField(default=0)
    lineage = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text="Shared by this item's copies in later versions, to compare versions.",
    )

    search_vector = SearchVectorGeneratedField(
        weights={"A": ["code", "short_name", "title"], "B": ["purpose"]}
    )

    objects = StudyQuerySet.as_manager()
    history = AuditedHistory(m2m_fields=[safety_concerns])

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "post-authorisation study"
        verbose_name_plural = "post-authorisation studies"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="study_vector_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                condition=~Q(code=""),
                name="study_code_unique_per_plan",
                violation_error_message="This plan already has a study with this code.",
            ),
            models.CheckConstraint(
                condition=Q(category__in=StudyCategory.values),
                name="study_category_valid",
                violation_error_message="Study category must be 1, 2 or 3.",
            ),
            models.CheckConstraint(
                condition=Q(design__in=StudyDesign.values),
                name="study_design_valid",
                violation_error_message="Unknown study design.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=StudyStatus.values),
                name="study_status_valid",
                violation_error_message="Unknown study status.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="study_title_not_blank"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The study's own page: the same address in every version of the plan."""
        return reverse("browse:study", kwargs={"slug": self.plan.product.slug, "study": self.slug})

    @property
    def slug(self):
        return study_slug(self.code, self.short_name, self.title)

    @property
    def anchor(self):
        """Fragment identifier of the study on its product page, the same in every version."""
        return f"study-{self.slug}"

    @property
    def register_url(self):
        """The study's entry in the HMA-EMA catalogue of RWD studies, when its number is known."""
        if not self.eu_pas_number:
            return None
        return f"https://catalogues.ema.europa.eu/search?search_api_fulltext={self.eu_pas_number}"

    @property
    def name(self) -> str:
        """How readers refer to the study: its code, else the plan's name for it, else its title."""
        return self.code or self.short_name or self.title


class MilestoneQuerySet(models.QuerySet):
    def due_before(self, day):
        return self.filter(due_date__lt=day)

    def unreported(self):
        return self.filter(reported_on__isnull=True)

    def overdue(self, today=None):
        """Due before today with no report submitted."""
        return self.unreported().due_before(today or timezone.localdate())


class Milestone(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=200, help_text="e.g. Final report")
    due = models.CharField(
        "due (as written)",
        max_length=200,
        help_text="As the plan writes it: Q3 2024, 2031, within 6 months of LPLV.",
    )
    due_date = models.DateField(
        "normalised due date",
        null=True,
        blank=True,
        editable=False,
        help_text="Last day of the period named by the due date; empty when relative to an event.",
    )
    precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, editable=False, default=DatePrecision.EVENT
    )
    reported_on = models.DateField(
        null=True, blank=True, help_text="When the report was submitted; empty while outstanding."
    )
    position = models.PositiveIntegerField(default=0)

    objects = MilestoneQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "position", "id"]
        verbose_name = "study milestone"
        constraints = [
            models.CheckConstraint(
                condition=(Q(precision=DatePrecision.EVENT) & Q(due_date__isnull=True))
                | (~Q(precision=DatePrecision.EVENT) & Q(due_date__isnull=False)),
                name="milestone_due_date_matches_precision",
                violation_error_message=(
                    "A milestone relative to an event has no calendar date; any other has one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(precision__in=DatePrecision.values),
                name="milestone_precision_valid",
                violation_error_message="Unknown date precision.",
            ),
            models.CheckConstraint(condition=~Q(due=""), name="milestone_due_not_blank"),
        ]

    def __str__(self):
        return f"{self.description}: {self.due}"

    def set_due(self, text):
        """Record the due date as written and its normalised date; ValueError if malformed."""
        partial = parse_due(text)
        self.due = " ".join(text.split())
        self.due_date = partial.date
        self.precision = partial.precision

    def clean(self):
        try:
            self.set_due(self.due)
        except ValueError as error:
            raise ValidationError({"due": str(error)}) from None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.reported_on is None and self.due_date is not None and self.due_date < today

    def months_overdue(self, today=None):
        """Whole months since the due date passed (0 in its first month); None if not overdue."""
        today = today or timezone.localdate()
        if not self.is_overdue(today):
            return None
        months = (today.year - self.due_date.year) * 12 + today.month - self.due_date.month
        return months - (today.day < self.due_date.day)
