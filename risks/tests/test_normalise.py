"""Grouping keys for safety-concern names (risks.normalise)."""

from collections import defaultdict

import pytest

from risks.normalise import (
    concern_key,
    display_name,
    spelling_variants,
    strip_footnote_markers,
)
from risks.seed import read_seed, seed_files


def same_group(*names):
    return len({concern_key(name) for name in names}) == 1


# Real seed names


def test_pml_of_uplizna_and_lemtrada_group():
    assert same_group(
        "Progressive multifocal leukoencephalopathy (PML)",  # Uplizna
        "Progressive Multifocal Leukoencephalopathy (PML)",  # Lemtrada
        "PML",
    )
    assert concern_key("PML") == "progressive multifocal leukoencephalopathy"


def test_hepatotoxicity_groups_but_hemorrhage_of_different_scope_does_not():
    assert same_group("Hepatotoxicity", "Hepatotoxicity")  # Clolar, Ivozall
    assert not same_group(
        "Hemorrhage",  # Clolar
        "Hemorrhage, including cerebral, gastrointestinal and pulmonary hemorrhage",  # Ivozall
    )


def test_serious_infections_stay_apart_from_infections_but_plurals_group():
    # "serious" narrows the concern: a difference of scope, not of spelling
    assert not same_group("Serious infections", "Infections")  # Lemtrada, Clolar
    assert same_group("Infections", "Infection")
    assert same_group("Malignancies", "Malignancy")  # Lemtrada, Uplizna
    # a bracket with content changes the scope too (Ivozall)
    assert not same_group("Infections", "Infection (septic shock, sepsis, bacteremia)")


def test_tumour_and_tumor_lysis_syndrome_group_with_its_abbreviation():
    assert same_group("Tumor lysis syndrome", "Tumour lysis syndrome", "TLS")
    assert not same_group(
        "Tumor lysis syndrome", "Hyperuricemia (tumor lysis) / tumor lysis syndrome"
    )


def test_bracketed_abbreviation_dropped_so_sirs_groups_across_clolar_and_ivozall():
    assert same_group(
        "Systemic inflammatory response syndrome (SIRS) and capillary leak syndrome",  # Clolar
        "Systemic inflammatory response syndrome and capillary leak syndrome",  # Ivozall
    )


def test_brackets_with_content_are_kept():
    assert concern_key("Stroke (including haemorrhagic stroke)") == (
        "stroke including hemorrhagic stroke"
    )
    assert concern_key("Bone marrow failure (myelosuppression)") == (
        "bone marrow failure myelosuppression"
    )
    assert not same_group("Bone marrow failure (myelosuppression)", "Bone marrow failure")


def test_cross_product_groups_of_the_whole_seed_data():
    products_by_key = defaultdict(set)
    for path in seed_files():
        data = read_seed(path)
        for concern in (data.get("plan") or {}).get("safety_concerns", []):
            products_by_key[concern_key(concern["name"])].add(data["product"]["slug"])
    shared = {key: products for key, products in products_by_key.items() if len(products) > 1}
    assert shared == {
        "hepatotoxicity": {"clolar", "ivozall"},
        "systemic inflammatory response syndrome and capillary leak syndrome": {
            "clolar",
            "ivozall",
        },
        "progressive multifocal leukoencephalopathy": {"lemtrada", "uplizna"},
        "malignancy": {"lemtrada", "uplizna"},
    }


# Footnote markers


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Stroke (including haemorrhagic stroke)a", "Stroke (including haemorrhagic stroke)"),
        ("Stroke (including haemorrhagic stroke) a,b", "Stroke (including haemorrhagic stroke)"),
        ("Thrombocytopeniaa", "Thrombocytopenia"),
        ("Thrombocytopeniaᵃ", "Thrombocytopenia"),
        ("Thrombocytopenia*", "Thrombocytopenia"),
        ("Thrombocytopenia†", "Thrombocytopenia"),
        # real words are left alone
        ("Anaemia", "Anaemia"),
        ("Pneumonia", "Pneumonia"),
        ("Acquired Haemophilia A", "Acquired Haemophilia A"),
        ("Hepatitis B", "Hepatitis B"),
        ("Weight loss", "Weight loss"),
        ("Fall", "Fall"),
        # a marker on a word without doubling cannot be told from a word: kept (documented)
        ("Infectionsa", "Infectionsa"),
    ],
)
def test_footnote_markers(name, expected):
    assert strip_footnote_markers(name) == expected


def test_footnote_marker_does_not_change_the_key():
    assert same_group("Thrombocytopeniaa", "Thrombocytopenia")
    assert same_group(
        "Stroke (including haemorrhagic stroke)a", "Stroke (including haemorrhagic stroke)"
    )


# Abbreviations


@pytest.mark.parametrize(
    ("abbreviation", "spelled_out"),
    [
        ("PML", "Progressive multifocal leukoencephalopathy (PML)"),
        ("SJS/TEN", "Stevens Johnson syndrome and toxic epidermal necrolysis"),  # Ivozall
        ("SJS and TEN", "Stevens-Johnson syndrome and toxic epidermal necrolysis"),
        ("TLS", "Tumor lysis syndrome"),
        ("VOD", "Veno-occlusive disease"),
        ("SIRS", "Systemic inflammatory response syndrome"),
        ("ITP", "Immune thrombocytopenic purpura (ITP)"),  # Lemtrada
        ("TTP", "Thrombotic thrombocytopenic purpura (TTP)"),  # Lemtrada
        ("IARs", "Infusion-associated reactions (IARs)"),  # Lemtrada
        ("IAR", "Infusion-associated reaction"),
    ],
)
def test_an_abbreviation_alone_groups_with_its_expansion(abbreviation, spelled_out):
    assert same_group(abbreviation, spelled_out)


def test_an_abbreviation_inside_a_longer_name_is_not_expanded():
    assert concern_key("Skin reactions (SJS/TEN)") == "skin reaction"  # Clolar: bracket dropped
    assert not same_group("Skin reactions (SJS/TEN)", "SJS/TEN")
    assert concern_key("PML in HIV patients") == "pml in hiv patient"


def test_ambiguous_abbreviations_are_not_expanded():
    # PAH is pulmonary alveolar haemorrhage in Lemtrada, usually pulmonary arterial hypertension
    assert concern_key("PAH") == "pah"


# Spelling, punctuation, plurals


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("Haemorrhage", "Hemorrhage"),
        ("Oedema", "Edema"),
        ("Anaemia", "Anemia"),
        ("Leukaemia", "Leukemia"),
        ("Paediatric use", "Pediatric use"),
        ("Foetal toxicity", "Fetal toxicity"),
        ("Tumour", "Tumor"),
        ("Caecitis", "Cecitis"),
        ("Myocardial ischaemia", "Myocardial ischemia"),
        ("Acquired Haemophilia A (AHA)", "Acquired hemophilia A"),
        ("Hospitalisation", "Hospitalization"),
        ("Catheterised patients", "Catheterized patients"),
        ("Sensitised patients", "Sensitized patients"),
        ("Diarrhoea", "Diarrhea"),
    ],
)
def test_british_and_american_spellings_group(british, american):
    assert same_group(british, american)


def test_ise_words_that_american_english_spells_ise_are_kept():
    assert concern_key("Exercise intolerance") == "exercise intolerance"
    assert concern_key("Use in compromised patients") == "use in compromised patient"


def test_punctuation_dashes_accents_and_case():
    assert same_group("Veno-occlusive liver disease", "veno occlusive  liver disease")
    assert same_group("Stevens–Johnson syndrome", "Stevens Johnson syndrome")
    assert same_group("Guillain-Barré syndrome", "Guillain Barre syndrome")
    assert same_group("Adult Onset Still’s Disease (AOSD)", "Adult onset Still's disease")
    assert same_group("Safety in patients > 65 years", "Safety in patients >65 years")
    assert not same_group("Safety in patients > 65 years", "Safety in patients < 65 years")


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("Serious infections", "Serious infection"),
        ("Malignancies", "Malignancy"),
        ("Skin rashes", "Skin rash"),
        ("Venous thromboses", "Venous thrombosis"),
        ("Abscesses", "Abscess"),
        ("Thyroid disorders", "Thyroid disorder"),
    ],
)
def test_the_last_word_is_made_singular(plural, singular):
    assert same_group(plural, singular)


@pytest.mark.parametrize("name", ["Diabetes", "Sepsis", "Herpes", "Pancreatitis", "Lupus", "ARDS"])
def test_words_ending_in_s_that_are_not_plurals_are_kept(name):
    assert concern_key(name) == name.casefold()


def test_only_the_last_word_is_made_singular():
    assert concern_key("Infections in patients") == "infections in patient"


# Display names and search spellings


def test_display_name_prefers_the_common_sentence_case_spelled_out_name():
    assert (
        display_name(
            [
                "Progressive Multifocal Leukoencephalopathy (PML)",
                "Progressive multifocal leukoencephalopathy (PML)",
            ]
        )
        == "Progressive multifocal leukoencephalopathy (PML)"
    )
    assert display_name(["PML", "Progressive Multifocal Leukoencephalopathy (PML)"]) == (
        "Progressive Multifocal Leukoencephalopathy (PML)"
    )
    assert display_name(["Malignancy", "Malignancies", "Malignancies"]) == "Malignancies"
    assert display_name(["Thrombocytopeniaa"]) == "Thrombocytopenia"


def test_display_name_needs_a_name():
    with pytest.raises(ValueError, match="at least one"):
        display_name(["", "  "])


def test_spelling_variants_search_both_spellings():
    assert spelling_variants("haemorrhage") == ["haemorrhage", "hemorrhage"]
    assert spelling_variants("hemorrhage") == ["hemorrhage", "haemorrhage"]
    assert spelling_variants("tumor") == ["tumor", "tumour"]
    assert spelling_variants("infection") == ["infection"]
