from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.context import AuditedHistory


class ImportKind(models.TextChoices):
    RMP_SUMMARY = "rmp_summary", "RMP summary"
    PRODUCT_INFORMATION = "product_information", "Product information"


class ImportLogQuerySet(models.QuerySet):
    def of_file(self, kind, sha256):
        """Earlier imports of the same file (same bytes) for the same purpose, newest first."""
        return self.filter(kind=kind, sha256=sha256).order_by("-created_at", "-id")


class ImportLog(models.Model):
    """One import of a published document: who, when, which file, what it created, warnings."""

    kind = models.CharField(max_length=30, choices=ImportKind.choices)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256 of the file", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("size in bytes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        help_text="Empty when run from the command line without a user.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    product = models.ForeignKey(
        "products.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "risks.RiskManagementPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_logs",
    )
    summary = models.TextField(help_text="What the import created, in words.")
    reason = models.TextField(
        blank=True, help_text="Why the file was imported, as the importer said."
    )
    warnings = models.JSONField(default=list, blank=True)
    content_sha256 = models.CharField(
        "SHA-256 of the content",
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Of what the import read (concerns, measures, studies), whatever the file: "
        "the same content imported again for the same product is nothing new.",
    )

    objects = ImportLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import log entry"
        verbose_name_plural = "import log"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values),
                name="import_kind_valid",
                violation_error_message="Unknown kind of import.",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_sha256_is_hex"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportWarning(models.Model):
    """Something the importer was not sure about, attached to the draft item it concerns."""

    plan = models.ForeignKey(
        "risks.RiskManagementPlan", on_delete=models.CASCADE, related_name="import_warnings"
    )
    import_log = models.ForeignKey(
        ImportLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    safety_concern = models.ForeignKey(
        "risks.SafetyConcern",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_warnings",
    )
    study = models.ForeignKey(
        "risks.Study",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_warnings",
    )
    subject = models.CharField(max_length=400, help_text="The item the warning is about.")
    message = models.TextField()
    resolved = models.BooleanField(
        default=False, help_text="Tick once the item has been checked against the source."
    )
    position = models.PositiveIntegerField(default=0)

    history = AuditedHistory()

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "import warning"

    def __str__(self):
        return f"{self.subject}: {self.message}"


class ImportClaim(models.Model):
    """A file being imported right now: at most one row per file and kind of import.

    ``imports.claims.claimed`` inserts the row in a transaction of its own before the
    import starts and deletes it when the import ends, so a second import of the same
    file meanwhile is refused by the unique constraint rather than racing the first.
    """

    kind = models.CharField(max_length=30, choices=ImportKind.choices)
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    file_name = models.CharField(max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when run from the command line without a user.",
    )
    claimed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["claimed_at", "id"]
        verbose_name = "import in progress"
        verbose_name_plural = "imports in progress"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                name="import_claim_one_per_file",
                violation_error_message="This file is already being imported.",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_claim_sha256_is_hex"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} (since {self.claimed_at:%H:%M})"


IMPORT_PERMISSION = "risks.add_riskmanagementplan"


def can_import(user):
    """Who may upload a summary and create a draft from it: curators and superusers."""
    return user.has_perm(IMPORT_PERMISSION)
