"""manage.py generate_synthetic_data: realistic synthetic products, never mixed with real ones."""

import hashlib
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.synthetic import REASON, generate
from bench.synthetic.build import BASE_DATE, build_product
from bench.synthetic.names import brand
from products.models import Company, Product, ProductInformationSection, Substance
from products.tests.factories import ProductFactory
from risks.models import (
    AdditionalMeasure,
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
    public_products,
)
from risks.partial_dates import DatePrecision

pytestmark = pytest.mark.django_db

SEED = 3
CURATED = [
    Product,
    Substance,
    Company,
    ProductInformationSection,
    RiskManagementPlan,
    SafetyConcern,
    RoutineMeasure,
    SectionReference,
    AdditionalMeasure,
    Study,
    Milestone,
]


def run(*args, **options):
    out = io.StringIO()
    call_command("generate_synthetic_data", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated():
    """20 synthetic products (seed 3) in an otherwise empty database; the command's output."""
    return run(products=20, seed=SEED)


def current_plans():
    return RiskManagementPlan.objects.current().select_related("product")


def test_prints_a_one_line_summary(generated):
    assert generated.count("\n") == 1
    assert generated.startswith(
        "Generated 20 synthetic products (synthetic-00001 to synthetic-00020, seed 3): "
    )
    for count, what in [
        (RiskManagementPlan.objects.count(), "plan versions"),
        (SafetyConcern.objects.count(), "safety concerns"),
        (RoutineMeasure.objects.count(), "routine"),
        (AdditionalMeasure.objects.count(), "additional measures"),
        (Study.objects.count(), "studies"),
        (Milestone.objects.count(), "milestones"),
        (ProductInformationSection.objects.count(), "product information sections"),
    ]:
        assert f" {count} {what}" in generated
    assert generated.rstrip().endswith(" s.")


def test_every_product_is_synthetic_with_exactly_one_published_plan(generated):
    products = Product.objects.all()
    assert products.count() == 20
    assert set(products.values_list("is_synthetic", flat=True)) == {True}
    assert sorted(products.values_list("slug", flat=True)) == [
        f"synthetic-{n:05d}" for n in range(1, 21)
    ]
    assert set(products.values_list("name", flat=True)) == {brand(n) for n in range(1, 21)}
    for product in products.prefetch_related("plans"):
        published = [plan for plan in product.plans.all() if plan.is_published]
        assert len(published) == 1
        assert published[0].published_at is not None
        assert published[0].published_at.date() <= BASE_DATE
    assert public_products().count() == 20


def test_some_products_have_a_superseded_older_version_with_fewer_concerns(generated):
    older = RiskManagementPlan.objects.filter(status=PlanStatus.SUPERSEDED)
    assert older.exists()
    for plan in older:
        current = plan.copies.get()
        assert current.status == PlanStatus.PUBLISHED and current.product_id == plan.product_id
        assert plan.superseded_at == current.published_at
        assert plan.published_at < current.published_at
        assert plan.safety_concerns.count() < current.safety_concerns.count()
        # Concerns carried over keep their lineage, as start_new_version copies them.
        kept = set(plan.safety_concerns.values_list("lineage", flat=True)) & set(
            current.safety_concerns.values_list("lineage", flat=True)
        )
        assert kept
        for lineage in kept:
            old = plan.safety_concerns.get(lineage=lineage)
            assert current.safety_concerns.get(lineage=lineage).name == old.name
    # "Current published version only" leaves the older versions out.
    current = SafetyConcern.objects.current()
    assert current.count() < SafetyConcern.objects.count()
    assert not current.filter(plan__status=PlanStatus.SUPERSEDED).exists()


def test_concerns_recur_across_products_in_realistic_categories(generated):
    counts = [plan.safety_concerns.count() for plan in current_plans()]
    assert all(5 <= count <= 30 for count in counts)
    assert 10 <= sum(counts) / len(counts) <= 20

    concerns = SafetyConcern.objects.current()
    categories = Counter(concerns.values_list("category", flat=True))
    total = sum(categories.values())
    assert 0.25 < categories[ConcernCategory.IDENTIFIED] / total < 0.45
    assert 0.30 < categories[ConcernCategory.POTENTIAL] / total < 0.50
    assert 0.15 < categories[ConcernCategory.MISSING] / total < 0.35

    products_per_name = Counter(concerns.values_list("name", flat=True))
    assert max(products_per_name.values()) >= 6  # the same concern in many products
    assert len([n for n in products_per_name.values() if n > 1]) >= 20
    assert products_per_name["Use in pregnancy and lactation"] >= 3
    # Missing information has no evidence (SafetyConcern.clean); some risks do.
    assert not concerns.filter(category=ConcernCategory.MISSING).exclude(evidence="").exists()
    assert concerns.exclude(evidence="").count() > total / 4


def test_routine_measures_cite_sections_whose_text_is_loaded(generated):
    measures = RoutineMeasure.objects.filter(safety_concern__plan__status=PlanStatus.PUBLISHED)
    per_concern = measures.count() / SafetyConcern.objects.current().count()
    assert 1.5 <= per_concern <= 2.5
    sections = {
        (product, document, section): text
        for product, document, section, text in ProductInformationSection.objects.values_list(
            "product_id", "document", "section", "text"
        )
    }
    references = SectionReference.objects.values_list(
        "routine_measure__safety_concern__plan__product_id", "document", "section"
    )
    assert references.count() > measures.count() / 2
    for key in references:
        assert len(sections[key]) >= 100, key
    assert {"smpc", "pl"} <= {document for _, document, _ in references}
    assert max(len(text) for text in sections.values()) > 2000


def test_additional_measures_serve_several_concerns_of_their_plan(generated):
    measures = AdditionalMeasure.objects.prefetch_related("safety_concerns")
    assert measures.exists()
    for measure in measures:
        linked = measure.safety_concerns.all()
        assert linked
        assert {concern.plan_id for concern in linked} == {measure.plan_id}
    assert max(measure.safety_concerns.count() for measure in measures) >= 2


def test_studies_have_partial_date_milestones_some_overdue(generated):
    per_product = Counter(Study.objects.current().values_list("plan__product", flat=True))
    assert all(count <= 8 for count in per_product.values())
    assert set(Study.objects.values_list("category", flat=True)) >= {1, 3}
    milestones = Milestone.objects.filter(study__plan__status=PlanStatus.PUBLISHED)
    precisions = set(milestones.values_list("precision", flat=True))
    assert {DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY} <= precisions
    for milestone in milestones:
        assert milestone.due_date == milestone_due(milestone.due)
        assert milestone.reported_on is None or milestone.reported_on <= BASE_DATE
    overdue_then = milestones.overdue(BASE_DATE)
    assert overdue_then.exists()
    assert overdue_then.count() <= milestones.overdue(timezone.localdate()).count()
    assert Study.objects.current().overdue().exists()
    assert milestones.filter(reported_on__isnull=False).exists()


def milestone_due(text):
    milestone = Milestone()
    milestone.set_due(text)
    return milestone.due_date


def test_every_row_passes_model_validation(generated):
    products = Product.objects.filter(slug__in=["synthetic-00001", "synthetic-00002"])
    plans = RiskManagementPlan.objects.filter(product__in=products)
    querysets = [
        products,
        ProductInformationSection.objects.filter(product__in=products),
        plans,
        SafetyConcern.objects.filter(plan__in=plans),
        RoutineMeasure.objects.filter(safety_concern__plan__in=plans),
        SectionReference.objects.filter(routine_measure__safety_concern__plan__in=plans),
        AdditionalMeasure.objects.filter(plan__in=plans),
        Study.objects.filter(plan__in=plans),
        Milestone.objects.filter(study__plan__in=plans),
    ]
    for queryset in querysets:
        for item in queryset:
            item.full_clean()


def test_history_rows_record_the_reason_and_the_links(generated):
    reason = REASON.format(seed=SEED)
    for model in CURATED:
        history = model.history.all()
        assert history.count() == model.objects.count(), model
        assert set(history.values_list("history_type", "history_change_reason")) == {("+", reason)}
        assert not history.filter(history_user__isnull=False).exists()
    # The many-to-many links are in the snapshots of the creation records.
    for model, field in [
        (Product, "substances"),
        (AdditionalMeasure, "safety_concerns"),
        (Study, "safety_concerns"),
    ]:
        snapshots = getattr(model.history.model, field).model.objects
        target = f"{model._meta.get_field(field).m2m_reverse_field_name()}_id"
        for record in model.history.all():
            snapshot = set(
                snapshots.filter(history_id=record.history_id).values_list(target, flat=True)
            )
            current = set(getattr(record.instance, field).values_list("pk", flat=True))
            assert snapshot == current


def digest():
    """A fingerprint of everything generated, without database ids."""
    parts = [
        Product.objects.order_by("slug").values_list(
            "slug",
            "name",
            "region",
            "authorisation_status",
            "indication",
            "route",
            "marketing_authorisation_holder__name",
        ),
        Product.substances.through.objects.order_by("product__slug", "substance__name").values_list(
            "product__slug", "substance__name"
        ),
        ProductInformationSection.objects.order_by("product__slug", "position").values_list(
            "product__slug", "document", "section", "title", "text"
        ),
        RiskManagementPlan.objects.order_by("product__slug", "version").values_list(
            "product__slug", "version", "status", "date", "published_at", "copied_from__version"
        ),
        SafetyConcern.objects.order_by(
            "plan__product__slug", "plan__version", "position"
        ).values_list("plan__version", "name", "category", "evidence", "risk_factors", "lineage"),
        RoutineMeasure.objects.order_by(
            "safety_concern__lineage", "safety_concern__plan__version", "position"
        ).values_list("kind", "text"),
        SectionReference.objects.order_by(
            "routine_measure__safety_concern__lineage",
            "routine_measure__safety_concern__plan__version",
            "routine_measure__position",
            "position",
        ).values_list("document", "section"),
        AdditionalMeasure.objects.order_by("lineage", "plan__version").values_list(
            "name", "kind", "description"
        ),
        Study.objects.order_by("lineage", "plan__version").values_list(
            "code", "title", "category", "design", "status"
        ),
        Milestone.objects.order_by(
            "study__lineage", "study__plan__version", "position"
        ).values_list("description", "due", "due_date", "reported_on"),
    ]
    return hashlib.sha256(repr([list(part) for part in parts]).encode()).hexdigest()


def delete_everything():
    Product.objects.all().delete()
    Substance.objects.all().delete()
    Company.objects.all().delete()


def test_the_same_seed_generates_the_same_data():
    run(products=12, seed=SEED)
    first = digest()
    delete_everything()
    run(products=12, seed=SEED)
    assert digest() == first
    delete_everything()
    run(products=12, seed=SEED + 1)
    assert digest() != first


def test_runs_add_up_numbering_on_from_the_last_synthetic_product():
    run(products=12, seed=SEED)
    once = digest()
    delete_everything()
    run(products=5, seed=SEED, batch_size=2)
    output = run(products=7, seed=SEED)
    assert "(synthetic-00006 to synthetic-00012, seed 3)" in output
    assert digest() == once


def test_queries_do_not_grow_with_the_products_of_a_batch():
    with CaptureQueriesContext(connection) as queries:
        generate(40, seed=SEED, batch_size=20)
    selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # Per run: real products, last number, the data version's row (created on the first
    # change), the audit trail's lock (PostgreSQL) and chain heads (once per transaction);
    # per batch: substances, companies, and the creation records of products, additional
    # measures and studies (for their links); per run of up to 500 products, the read model
    # of the public lists (risks/published.py): the products written, their previous groups,
    # 7 reads of the published data, and the groups' counts; and the publication summaries
    # (risks/publications.py): the versions, the kept summaries, and the versions compared,
    # read at once with their 8 levels of parts; the studies' counts (the day they are of, the
    # overdue studies per product, the products' counts, the counts per kind, the day's row);
    # on SQLite the check of the planner's statistics (the rows, the statistics' table, them).
    assert len(selects) <= 5 + 2 * 5 + 10 + 11 + 5 + 3


def test_refuses_a_database_with_real_products_and_writes_nothing():
    real = ProductFactory(name="Realmed")
    history = {model: model.history.count() for model in CURATED}
    with pytest.raises(CommandError) as error:
        run(products=5, seed=SEED)
    assert str(error.value) == (
        "This database holds 1 real product; synthetic data is meant for a database of its "
        "own. Use --allow-real-data to add synthetic products beside them anyway."
    )
    assert list(Product.objects.all()) == [real]
    assert {model: model.history.count() for model in CURATED} == history


def test_allow_real_data_adds_synthetic_products_that_share_nothing_with_real_ones(seeded):
    real = set(Product.objects.values_list("pk", flat=True))
    plans = set(RiskManagementPlan.objects.current().values_list("pk", flat=True))
    output = run(products=10, seed=SEED, allow_real_data=True)
    assert output.startswith("Generated 10 synthetic products")
    assert Product.objects.filter(is_synthetic=False).count() == len(real) == 5
    synthetic = Product.objects.filter(is_synthetic=True)
    assert synthetic.count() == 10
    assert not Substance.objects.filter(products__in=real).filter(products__in=synthetic).exists()
    assert not Company.objects.filter(products__in=real).filter(products__in=synthetic).exists()
    # The seed products keep their current plans.
    assert (
        set(
            RiskManagementPlan.objects.current()
            .filter(product__in=real)
            .values_list("pk", flat=True)
        )
        == plans
    )


def test_a_substance_of_real_data_is_never_shared():
    name = build_product(SEED, 1).substances[0]
    real = ProductFactory(substances=[Substance.objects.create(name=name.capitalize())])
    run(products=1, seed=SEED, allow_real_data=True)
    product = Product.objects.get(is_synthetic=True)
    assert f"{name} (synthetic)" in product.substances.values_list("name", flat=True)
    assert not product.substances.filter(products=real).exists()


def test_rejects_a_product_count_below_one():
    with pytest.raises(CommandError, match="--products"):
        run("--products", "0")
    assert not Product.objects.exists()


def test_public_pages_show_a_synthetic_product(generated, client):
    product = Product.objects.get(slug="synthetic-00001")
    concern = product.plans.get(status=PlanStatus.PUBLISHED).safety_concerns.first()
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert "Synthetic data, generated for benchmarking" in content
    assert product.name in content
    assert concern.name.replace("'", "&#x27;") in content
    section = product.information_sections.get(document="smpc", section="4.1")
    information = client.get(f"{product.get_absolute_url()}information/")
    assert information.status_code == 200
    assert section.text.split("\n")[0][:60] in information.content.decode()
    listing = client.get("/products/?q=" + product.name)
    assert product.name in listing.content.decode()


def test_real_products_carry_no_synthetic_notice(client):
    real = ProductFactory(name="Realmed")
    page = client.get(real.get_absolute_url())
    assert page.status_code == 200
    assert "Synthetic data" not in page.content.decode()


def test_the_admin_filters_products_by_synthetic(curator_client):
    ProductFactory(name="Realmed")
    run(products=2, seed=SEED, allow_real_data=True)
    page = curator_client.get("/admin/products/product/?is_synthetic__exact=1")
    assert page.status_code == 200
    content = page.content.decode()
    assert brand(1) in content and brand(2) in content
    assert "Realmed" not in content
    page = curator_client.get("/admin/products/product/?is_synthetic__exact=0")
    assert "Realmed" in page.content.decode() and brand(1) not in page.content.decode()
