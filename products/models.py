import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from audit.context import AuditedHistory

from .documents import Document, section_sort_key, well_formed_section
from .search_fields import SearchVectorGeneratedField, SearchVectorIndex


class Region(models.TextChoices):
    EU = "EU", "European Union"
    US = "US", "United States"


class AuthorisationStatus(models.TextChoices):
    AUTHORISED = "authorised", "Authorised"
    CONDITIONAL = "conditional", "Conditional marketing authorisation"
    EXCEPTIONAL = "exceptional", "Authorised under exceptional circumstances"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "No longer authorised"

    @property
    def is_on_market(self):
        return self not in {AuthorisationStatus.SUSPENDED, AuthorisationStatus.WITHDRAWN}


class Substance(models.Model):
    name = models.CharField("international non-proprietary name", max_length=200)
    search_vector = SearchVectorGeneratedField(weights={"A": ["name"]})

    history = AuditedHistory(public=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "active substance"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="substance_vector_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="substance_name_unique",
                violation_error_message="An active substance with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="substance_name_not_blank"),
        ]

    def __str__(self):
        return self.name


class Company(models.Model):
    name = models.CharField(max_length=200, unique=True)

    history = AuditedHistory(public=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "company"
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    substances = models.ManyToManyField(
        Substance, related_name="products", verbose_name="active substances"
    )
    region = models.CharField(max_length=2, choices=Region.choices, default=Region.EU)
    authorisation_status = models.CharField(
        max_length=20, choices=AuthorisationStatus.choices, default=AuthorisationStatus.AUTHORISED
    )
    procedure_number = models.CharField(max_length=50, blank=True)
    authorisation_numbers = models.CharField(
        "marketing authorisation number(s)", max_length=500, blank=True
    )
    marketing_authorisation_holder = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    indication = models.TextField(blank=True)
    route = models.CharField("route of administration", max_length=200, blank=True)
    pharmaceutical_form = models.CharField(max_length=200, blank=True)
    source_url = models.URLField("source URL", max_length=500, blank=True)
    product_information_url = models.URLField(
        "official product information",
        max_length=500,
        blank=True,
        help_text=(
            "The regulator's own copy of the product information, where a reader can look up a "
            "section whose text is not loaded here. EU: the EPAR product-information PDF, "
            "https://www.ema.europa.eu/en/documents/product-information/<name>-epar-product-"
            "information_en.pdf; US: the label on DailyMed or Drugs@FDA. Leave empty rather "
            "than guess."
        ),
    )
    boxed_warning = models.BooleanField(
        "boxed warning",
        null=True,
        blank=True,
        help_text="US labels: whether the prescribing information has a boxed warning. "
        "Leave unknown when it is not recorded.",
    )
    rems = models.BooleanField(
        "risk evaluation and mitigation strategy (REMS)",
        null=True,
        blank=True,
        help_text="US products: whether a REMS applies. Leave unknown when it is not recorded.",
    )
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the saves of the product and its sections; detects concurrent edits.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    is_synthetic = models.BooleanField(
        "synthetic",
        default=False,
        editable=False,
        help_text=(
            "Invented by manage.py generate_synthetic_data for benchmarking; not a real medicine."
        ),
    )
    search_vector = SearchVectorGeneratedField(weights={"A": ["name"], "B": ["indication"]})

    # A product's row is public: curators' changes wait in ProductChange until published.
    history = AuditedHistory(m2m_fields=[substances], public=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            SearchVectorIndex(fields=["search_vector"], name="product_vector_idx"),
            # Lists in name order read the first page along it, not a sort of every product.
            models.Index(fields=["name", "slug"], name="product_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__in=Region.values),
                name="product_region_valid",
                violation_error_message="Region must be EU or US.",
            ),
            models.CheckConstraint(
                condition=Q(authorisation_status__in=AuthorisationStatus.values),
                name="product_authorisation_status_valid",
                violation_error_message="Unknown authorisation status.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("browse:product", kwargs={"slug": self.slug})

    @property
    def is_us(self):
        """A US product: its plan is the label's warnings and precautions, in US words."""
        return self.region == Region.US

    @property
    def product_information_site(self):
        """The host of the official product information ("ema.europa.eu"), or ""."""
        host = urlsplit(self.product_information_url).hostname or ""
        return host.removeprefix("www.")

    @property
    def product_information_is_pdf(self):
        return urlsplit(self.product_information_url).path.casefold().endswith(".pdf")

    @property
    def is_withdrawn(self):
        return self.authorisation_status == AuthorisationStatus.WITHDRAWN


class DocumentSection(models.Model):
    """A document of the product information and a section number in it ("SmPC 4.4").

    Shared by the loaded sections and by the references that cite them, so both follow
    the same numbering rules, in the database and in clean().
    """

    document = models.CharField(max_length=10, choices=Document.choices)
    section = models.CharField(
        "section number",
        max_length=10,
        help_text="As numbered in the document: 4.4 (SmPC), 2 (package leaflet), D (Annex II).",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(document__in=Document.values),
                name="%(app_label)s_%(class)s_document_valid",
                violation_error_message="Unknown document.",
            ),
            models.CheckConstraint(
                condition=well_formed_section(),
                name="%(app_label)s_%(class)s_section_well_formed",
                violation_error_message=(
                    "Section numbers are numbers such as 4 or 4.4 (letters A–E in Annex II)."
                ),
            ),
        ]

    def clean(self):
        if self.document in Document.values:
            try:
                Document(self.document).validate_section(self.section)
            except ValidationError as error:
                raise ValidationError({"section": error.messages}) from None

    @property
    def label(self):
        """ "SmPC 4.4" """
        return f"{Document(self.document).abbreviation} {self.section}"

    @property
    def key(self):
        return (self.document, self.section)


class ProductInformationSectionQuerySet(models.QuerySet):
    def as_lookup(self):
        """{(document, section): section} for resolving section references."""
        return {item.key: item for item in self}

    def keys(self):
        """The (document, section) of each section, without loading the text."""
        return set(self.values_list("document", "section"))


class ProductInformationSection(DocumentSection):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="information_sections"
    )
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    position = models.PositiveIntegerField(
        default=0, help_text="Order of the section in the product information."
    )
    search_vector = SearchVectorGeneratedField(weights={"A": ["title"], "B": ["text"]})

    objects = ProductInformationSectionQuerySet.as_manager()
    history = AuditedHistory(public=True)

    class Meta(DocumentSection.Meta):
        ordering = ["product", "position", "id"]
        verbose_name = "product information section"
        indexes = [SearchVectorIndex(fields=["search_vector"], name="infosection_vector_idx")]
        constraints = [
            *DocumentSection.Meta.constraints,
            models.UniqueConstraint(
                fields=["product", "document", "section"],
                name="section_unique_per_product_document",
                violation_error_message="This product already has this section of this document.",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.label} {self.title}"

    @property
    def anchor(self):
        """ "smpc-4-4": a stable fragment identifier for the section."""
        return f"{self.document}-{self.section.replace('.', '-').lower()}"

    @property
    def sort_key(self):
        return (Document.values.index(self.document), section_sort_key(self.section))


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    DISCARDED = "discarded", "Discarded"

    @property
    def is_open(self):
        return self in {ChangeStatus.DRAFT, ChangeStatus.IN_REVIEW}


OPEN_STATUSES = [ChangeStatus.DRAFT, ChangeStatus.IN_REVIEW]


class ProductChangeQuerySet(models.QuerySet):
    def open(self):
        """Changes still being worked on: drafts and changes in review."""
        return self.filter(status__in=OPEN_STATUSES)

    def drafts(self):
        return self.filter(status=ChangeStatus.DRAFT)

    def in_review(self):
        return self.filter(status=ChangeStatus.IN_REVIEW)

    def published(self):
        return self.filter(status=ChangeStatus.PUBLISHED)


class ProductChange(models.Model):
    """A reviewed change of a product: proposed field values and/or product information.

    Curators' edits of a product and uploads of its product information are kept here, not
    on the product, until a second person publishes them (``products.review``). The public
    site reads the product and its sections only, so a change is invisible until then.

    ``proposed_values`` is a JSON object {field name: value} of the product admin form's
    fields that differ from the product (foreign keys as ids, many-to-many fields as lists of
    ids); ``proposed_sections`` a JSON list of sections ({document, section, title, text}) that
    replace all of the product's sections, or empty when the information is not changed. Both
    are JSON text with sorted keys, so the audit trail's hash of a row reads the same on every
    database.
    """

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        help_text="Empty for a new product, created when the change is published.",
    )
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    proposed_values = models.TextField(default="{}", blank=True)
    proposed_sections = models.TextField(blank=True)
    source_file_name = models.CharField("product information file", max_length=300, blank=True)
    source_sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    source_product_name = models.CharField(
        "product named in the file",
        max_length=300,
        blank=True,
        help_text="Kept when the curator confirmed the file although it names another product.",
    )
    base_revision = models.PositiveIntegerField(
        default=0, help_text="The product's revision the change was made against."
    )
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Counts the saves of the change."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductChangeQuerySet.as_manager()
    # A change is never public: saving one moves the data version, not the public one.
    history = AuditedHistory(public=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "product change"
        permissions = [
            ("publish_productchange", "Can publish a product change or send it back to draft"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeStatus.values),
                name="product_change_status_valid",
                violation_error_message="Unknown status of a product change.",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_change_per_product",
                violation_error_message=(
                    "This product already has a change in draft or in review: continue that one."
                ),
            ),
        ]

    def __str__(self):
        what = self.product.name if self.product_id else self.values.get("name", "new product")
        return f"Change {self.pk} of {what}"

    def get_absolute_url(self):
        return reverse("admin:products_productchange_change", args=[self.pk])

    @property
    def values(self):
        return json.loads(self.proposed_values or "{}")

    @values.setter
    def values(self, values):
        self.proposed_values = json.dumps(values, sort_keys=True, ensure_ascii=False)

    @property
    def sections(self):
        """The proposed sections (dicts, in document order), or None: unchanged."""
        return json.loads(self.proposed_sections) if self.proposed_sections else None

    @sections.setter
    def sections(self, sections):
        self.proposed_sections = (
            "" if sections is None else json.dumps(sections, sort_keys=True, ensure_ascii=False)
        )

    @property
    def is_draft(self):
        return self.status == ChangeStatus.DRAFT

    @property
    def is_open(self):
        return ChangeStatus(self.status).is_open

    @property
    def is_empty(self):
        return not self.values and self.sections is None
