"""What each publication changed, kept with the read model (``risks.published``).

``PublicationSummary``: one row per public version that follows an earlier public version
of its product, with that ``previous`` version and the summary of the public changes page
(``risks.changes.PlanComparison.summary``: "1 safety concern added, 1 reclassified", …).
The home page and the Atom feeds read it in one query, instead of comparing two whole plans
per publication shown. Rows are written when the read model of a product is rebuilt (at
publication, in the same transaction): a version gets its row once, and the current version's
is written again (its parts can still be changed by writes that bypass the workflow); a
version whose previous version changed (one withdrawn in between) is compared again.
"""

import itertools

from django.db import models

from .changes import compare, comparison_prefetches
from .models import PlanStatus, RiskManagementPlan

NO_CHANGE = "No change in safety concerns, measures or studies"


class PublicationSummary(models.Model):
    plan = models.OneToOneField(
        RiskManagementPlan, on_delete=models.CASCADE, primary_key=True, related_name="publication"
    )
    previous = models.ForeignKey(RiskManagementPlan, on_delete=models.CASCADE, related_name="+")
    summary = models.JSONField(default=list, help_text="Phrases of the changes page's summary.")

    class Meta:
        verbose_name = "publication summary"

    def __str__(self):
        return f"plan {self.plan_id} after {self.previous_id}: {'; '.join(self.summary)}"


def summarise(previous, plan, *, preloaded=False):
    """The changes page's summary of ``previous`` → ``plan``: a list of phrases."""
    return compare(previous, plan, preloaded=preloaded).summary or [NO_CHANGE]


def record(product_ids, *, current_too=False):
    """Write the missing or outdated summaries of the public versions of ``product_ids``.

    ``current_too``: compare each product's current version again even when its summary is
    kept (a publication: its parts may have been written around the workflow). The plans to
    compare are read in one set of queries, whatever the number of products.
    """
    versions = (
        RiskManagementPlan.objects.public()
        .filter(product__in=product_ids, published_at__isnull=False)
        .order_by("product_id", "published_at", "id")
        .values_list("pk", "product_id", "status")
    )
    kept = dict(
        PublicationSummary.objects.filter(plan__product__in=product_ids).values_list(
            "plan", "previous"
        )
    )
    pending = []  # (previous pk, plan pk)
    for _, plans in itertools.groupby(versions, key=lambda version: version[1]):
        for (previous, _, _), (plan, _, status) in itertools.pairwise(plans):
            current = status == PlanStatus.PUBLISHED
            if kept.get(plan) == previous and not (current_too and current):
                continue
            pending.append((previous, plan))
    if not pending:
        return
    loaded = {
        plan.pk: plan
        for plan in RiskManagementPlan.objects.filter(
            pk__in={pk for pair in pending for pk in pair}
        )
        .select_related("product")
        .prefetch_related(*comparison_prefetches())
    }
    PublicationSummary.objects.filter(plan__in=[plan for _, plan in pending]).delete()
    PublicationSummary.objects.bulk_create(
        PublicationSummary(
            plan_id=plan,
            previous_id=previous,
            summary=summarise(loaded[previous], loaded[plan], preloaded=True),
        )
        for previous, plan in pending
    )


def missing():
    """Whether a version follows an earlier public one without its summary (an upgrade)."""
    public = RiskManagementPlan.objects.public().filter(published_at__isnull=False)
    return (
        public.filter(publication__isnull=True)
        .filter(
            models.Exists(
                public.filter(
                    product=models.OuterRef("product"),
                    published_at__lt=models.OuterRef("published_at"),
                )
            )
        )
        .exists()
    )
