"""The five seed products are curated faithfully and load idempotently."""

import datetime

import pytest
from django.core.management import call_command

from products.models import Product, ProductInformationSection
from risks.models import (
    AdditionalMeasure,
    Milestone,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)

pytestmark = pytest.mark.django_db

ALL_TRIALS = ["SmPC 4.2", "SmPC 4.3", "SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"]

LEMTRADA = {
    "identified": {
        "Infusion-associated reactions (IARs)": [*ALL_TRIALS, "SmPC 4.7"],
        "Stroke (including haemorrhagic stroke)": ALL_TRIALS,
        "Dissection of the cervicocephalic arteries": ALL_TRIALS,
        "Myocardial infarction (MI) and myocardial ischaemia": ALL_TRIALS,
        "Pulmonary alveolar haemorrhage (PAH)": [
            "SmPC 4.2",
            "SmPC 4.4",
            "SmPC 4.8",
            "PL 2",
            "PL 4",
        ],
        "Thrombocytopenia": ALL_TRIALS,
        "Thyroid disorders": ALL_TRIALS,
        "Immune thrombocytopenic purpura (ITP)": ALL_TRIALS,
        "Nephropathies including anti-GBM disease": ALL_TRIALS,
        "Autoimmune hepatitis (AIH)": ALL_TRIALS,
        "Serious infections": ALL_TRIALS,
        "Haemophagocytic lymphohistiocytosis (HLH)": ALL_TRIALS,
        "Acquired Haemophilia A (AHA)": ALL_TRIALS,
        "Thrombotic thrombocytopenic purpura (TTP)": ALL_TRIALS,
        "Adult Onset Still’s Disease (AOSD)": ["SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"],
        "Autoimmune Encephalitis (AIE)": ["SmPC 4.3", "SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"],
        "Acute acalculous cholecystitis (AAC)": ["SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"],
    },
    "potential": {
        "Other autoimmune disorders (ie, cytopenias, including severe neutropenia, myasthenic "
        "syndrome, T1DM, GBS, Sarcoidosis)": ["SmPC 4.3", "SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"],
        "Malignancies": ["SmPC 4.4", "SmPC 4.8", "PL 2", "PL 4"],
        "Progressive multifocal leukoencephalopathy (PML)": ["SmPC 4.4", "PL 2", "PL 4"],
    },
    "missing": {
        "Pediatric use": ["SmPC 4.2", "SmPC 5.1", "PL 2"],
        "Use in patients aged >55 years (including use in elderly patients aged ≥65 years)": [
            "SmPC 4.2",
            "SmPC 5.2",
        ],
        "Use in racial categories other than white": [],
    },
}

UPLIZNA = {
    "identified": {
        "Infusion reaction": ["SmPC 4.2", "SmPC 4.4", "SmPC 4.8", "SmPC 5.1", "PL 2", "PL 4"],
        "Neutropenia": ["SmPC 4.4", "SmPC 4.8", "PL 4"],
    },
    "potential": {
        "Serious infections, viral reactivation, and opportunistic infections": [
            *["SmPC 4.2", "SmPC 4.3", "SmPC 4.4", "SmPC 4.5", "SmPC 4.8", "PL 2", "PL 4"]
        ],
        "Progressive multifocal leukoencephalopathy (PML)": [
            "SmPC 4.3",
            "SmPC 4.4",
            "PL 2",
            "PL 4",
        ],
        "Malignancy": ["SmPC 4.3", "SmPC 4.4", "PL 2"],
        "Blood disorders, particularly decrease in B-cell levels in foetal and newborns exposed "
        "to inebilizumab in pregnant women": ["SmPC 4.4", "SmPC 4.6", "SmPC 5.3"],
    },
    "missing": {
        "Safety in patients > 65 years": ["SmPC 4.2", "SmPC 5.2"],
        "Use during pregnancy and lactation": ["SmPC 4.4", "SmPC 4.6", "PL 2"],
        "Patients concomitantly receiving other immunosuppressive agents": [
            *["SmPC 4.4", "SmPC 4.5", "PL 2"]
        ],
    },
}

CLOLAR_WARNINGS = [
    "Myelosuppression",
    "Hemorrhage",
    "Infections",
    "Hyperuricemia (tumor lysis) / tumor lysis syndrome",
    "Systemic inflammatory response syndrome (SIRS) and capillary leak syndrome",
    "Venous occlusive disease of the liver",
    "Hepatotoxicity",
    "Renal toxicity",
    "Enterocolitis",
    "Skin reactions (SJS/TEN)",
    "Embryo-fetal toxicity",
]
CLOLAR = {
    "identified": {name: ["USPI 5"] for name in CLOLAR_WARNINGS},
    "potential": {},
    "missing": {"Nursing mothers": ["USPI 8"]},
}

IVOZALL = {
    "identified": [
        "Infection (septic shock, sepsis, bacteremia, pneumonia, herpes zoster, herpes simplex, "
        "Clostridium difficile colitis, oral candidiasis)",
        "Systemic inflammatory response syndrome and capillary leak syndrome",
        "Cardiotoxicity",
        "Hepatotoxicity",
        "Tumor lysis syndrome",
        "Veno-occlusive liver disease",
        "Bone marrow failure (myelosuppression)",
        "Stevens Johnson syndrome and toxic epidermal necrolysis",
        "Enterocolitis, including neutropenic colitis, caecitis and C. difficile colitis",
        "Hemorrhage, including cerebral, gastrointestinal and pulmonary hemorrhage",
    ],
    "potential": [
        "Off-label use in pediatric AML, in ALL patients with less than two prior regimens, "
        "or in combination with other drugs",
        "Drug interaction with commonly used co-medications",
        "Nephropathy toxic",
        "Hepatic failure",
        "Teratogenicity",
        "Pancreatitis",
        "Infertility",
        "Hepatitis",
        "Rash",
    ],
    "missing": [
        "Safety of use for more than 3 cycles",
        "Tolerability and pharmacokinetics in renal impairment",
        "Tolerability and pharmacokinetics in hepatic impairment",
        "Tolerability and pharmacokinetics in cardiac impairment",
        "Pregnancy",
    ],
}


def concerns_by_category(product):
    plan = product.plans.get()
    result = {"identified": {}, "potential": {}, "missing": {}}
    for concern in plan.safety_concerns.all():
        references = SectionReference.objects.filter(routine_measure__safety_concern=concern)
        labels = {reference.label for reference in references}
        result[concern.category][concern.name] = sorted(labels)
    return result


def sorted_values(expected):
    return {
        category: {n: sorted(r) for n, r in items.items()} for category, items in expected.items()
    }


@pytest.mark.parametrize(
    ("slug", "expected"), [("lemtrada", LEMTRADA), ("uplizna", UPLIZNA), ("clolar", CLOLAR)]
)
def test_concerns_categories_order_and_section_references(seeded, slug, expected):
    actual = concerns_by_category(seeded[slug])
    assert actual == sorted_values(expected)
    # source order within each category
    for category, names in expected.items():
        assert list(actual[category]) == list(names)


def test_lemtrada_counts_studies_and_shared_educational_materials(seeded):
    plan = seeded["lemtrada"].plans.get()
    counts = {c: plan.safety_concerns.filter(category=c).count() for c in LEMTRADA}
    assert counts == {"identified": 17, "potential": 3, "missing": 3}

    studies = {study.name: study for study in plan.studies.all()}
    assert {name: s.category for name, s in studies.items()} == {
        "Drug Utilization Study": 1,
        "Risk of mortality study": 1,
        "OBS13434": 3,
        "EFC13429": 3,
    }
    milestones = {
        (m.study.name, m.description, m.due, m.due_date, m.precision)
        for m in Milestone.objects.filter(study__plan=plan).select_related("study")
    }
    assert ("OBS13434", "Final report", "2031", datetime.date(2031, 12, 31), "year") in milestones
    assert (
        "Drug Utilization Study",
        "Final report",
        "Q3 2024",
        datetime.date(2024, 9, 30),
        "quarter",
    ) in milestones
    efc = Milestone.objects.get(study__code="EFC13429")
    assert efc.precision == "event" and efc.due_date is None and "LPLV" in efc.due
    assert list(studies["EFC13429"].safety_concerns.values_list("name", flat=True)) == [
        "Pediatric use"
    ]

    educational = AdditionalMeasure.objects.get(plan=plan)
    assert educational.kind == "educational_material"
    assert educational.safety_concerns.count() == 16
    assert "Infusion-associated reactions (IARs)" not in set(
        educational.safety_concerns.values_list("name", flat=True)
    )
    stroke = plan.safety_concerns.get(name="Stroke (including haemorrhagic stroke)")
    assert stroke.footnotes == "This risk is temporally associated with LEMTRADA infusion."
    assert stroke.evidence.startswith("Postmarketing")


def test_uplizna_patient_card_serves_exactly_its_infection_and_pml_risks(seeded):
    plan = seeded["uplizna"].plans.get()
    card = AdditionalMeasure.objects.get(plan=plan)
    assert (card.name, card.kind) == ("Patient card", "patient_card")
    assert sorted(card.safety_concerns.values_list("name", flat=True)) == [
        "Progressive multifocal leukoencephalopathy (PML)",
        "Serious infections, viral reactivation, and opportunistic infections",
    ]
    assert list(plan.studies.values_list("category", flat=True)) == [3, 3, 3, 3]
    assert not plan.safety_concerns.filter(category="missing").exclude(evidence="").exists()
    legal = RoutineMeasure.objects.filter(safety_concern__plan=plan, kind="legal_status")
    assert legal.count() == 9 and {m.text for m in legal} == {"Legal status: prescription only."}


def test_ivozall_is_withdrawn_with_its_reconstructed_list_and_no_studies(seeded):
    product = seeded["ivozall"]
    assert product.authorisation_status == "withdrawn" and product.is_withdrawn
    plan = product.plans.get()
    actual = {
        c: list(plan.safety_concerns.filter(category=c).values_list("name", flat=True))
        for c in IVOZALL
    }
    assert actual == IVOZALL
    assert "scrambled" in plan.note
    for name in ["Cardiotoxicity", "Nephropathy toxic", "Hepatic failure", "Rash"]:
        assert plan.safety_concerns.get(name=name).curator_note
    assert not plan.studies.exists()


def test_clolar_is_a_us_product_of_the_same_substance_as_ivozall(seeded):
    clolar, ivozall = seeded["clolar"], seeded["ivozall"]
    assert clolar.region == "US" and ivozall.region == "EU"
    assert list(clolar.substances.all()) == list(ivozall.substances.all())


def test_besponsa_has_every_smpc_annex_ii_and_leaflet_section_with_its_text(seeded):
    sections = ProductInformationSection.objects.filter(product=seeded["besponsa"])
    labels = [section.label for section in sections]
    smpc = ["1", "2", "3", "4", *[f"4.{n}" for n in range(1, 10)], "5", "5.1", "5.2", "5.3"]
    smpc += ["6", *[f"6.{n}" for n in range(1, 7)], "7", "8", "9", "10"]
    assert labels == (
        [f"SmPC {s}" for s in smpc]
        + [f"Annex II {s}" for s in "ABCD"]
        + [f"PL {n}" for n in range(1, 7)]
    )
    by_label = {section.label: section for section in sections}
    assert by_label["SmPC 4.4"].title == "Special warnings and precautions for use"
    assert "Hepatotoxicity, including VOD/SOS" in by_label["SmPC 4.4"].text
    assert by_label["SmPC 5.1"].title == "Pharmacodynamic properties"
    assert "[bookmark" not in "".join(section.text for section in sections)
    assert by_label["PL 4"].title == "Possible side effects"
    assert "Risk management plan (RMP)" in by_label["Annex II D"].text
    untitled = [s.label for s in sections if not s.text]
    assert untitled == ["SmPC 4", "SmPC 5", "SmPC 6"]
    assert not seeded["besponsa"].plans.exists()


def test_all_seed_plans_are_published_and_cite_their_source(seeded):
    plans = RiskManagementPlan.objects.select_related("product")
    assert {plan.product.slug for plan in plans} == {"lemtrada", "uplizna", "clolar", "ivozall"}
    for plan in plans:
        assert plan.is_published and plan.published_at
        assert plan.source_document.endswith(".txt")


def snapshot():
    models = [Product, ProductInformationSection, RiskManagementPlan, SafetyConcern]
    models += [RoutineMeasure, SectionReference, AdditionalMeasure, Study, Milestone]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_loading_twice_changes_nothing(db, capsys):
    call_command("load_seed_data")
    first = snapshot()
    call_command("load_seed_data")
    assert snapshot() == first
    assert capsys.readouterr().out.count("already loaded, unchanged") == 5
    assert len(first["Product"]) == 5


def test_replace_reloads_a_product_that_a_curator_changed(db):
    call_command("load_seed_data")
    SafetyConcern.objects.filter(name="Malignancies").update(name="Changed")
    call_command("load_seed_data", "--replace")
    assert SafetyConcern.objects.filter(name="Malignancies").exists()
    assert not SafetyConcern.objects.filter(name="Changed").exists()
