"""The RMP summary importer judged on documents it has never seen.

Each ``documents/<name>.txt`` is an invented RMP public summary in one of the layouts EMA
publishes, or a document that is not a summary at all; ``documents/<name>.expected.yaml`` states
what ``parse_rmp_summary`` must find in it, and only what the document says with certainty.
``documents/README.md`` describes the documents and the keys of the expectation files.

Names are compared case-insensitively after collapsing whitespace; order and category exactly.
A failure prints a diff: "-" lines are expected, "+" lines are what the parser produced.
"""

import difflib
import functools
import io
import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from imports.extract import ImportRejected, read_document
from imports.tests.pdf import LINES_PER_PAGE, image_only_pdf, text_to_pdf, winansi

DOCUMENTS = Path(__file__).parent / "documents"
CATEGORIES = ("identified", "potential", "missing")
MEASURE_KINDS = {
    "educational_material",
    "patient_card",
    "controlled_access",
    "pregnancy_prevention",
    "dhpc",
    "other",
}
ROUTINE_KINDS = {"labelling", "legal_status", "pack_size", "clinical_setting", "other"}
REFERENCE_LABEL = re.compile(r"(SmPC \d+(\.\d+)*|PL [1-6]|Annex II [A-E]|USPI \d+(\.\d+)*)")
# Free text a parser may write about the document (and so may quote its noise).
COMMENT_KEYS = {"warnings", "note", "curator_note"}


def _load_cases():
    cases = {}
    for path in sorted(DOCUMENTS.glob("*.txt")):
        expected = path.with_name(f"{path.stem}.expected.yaml")
        text = expected.read_text(encoding="utf-8") if expected.exists() else None
        cases[path.stem] = yaml.safe_load(text) if text else None
    return cases


CASES = _load_cases()
SUMMARIES = [name for name, case in CASES.items() if case and not case.get("rejected")]
REJECTED = [name for name, case in CASES.items() if case and case.get("rejected")]


def _having(*keys):
    """Summaries whose expectation states one of ``keys`` for at least one safety concern."""
    return [
        name
        for name in SUMMARIES
        if any(key in concern for concern in CASES[name]["plan"]["safety_concerns"] for key in keys)
    ]


# Helpers ------------------------------------------------------------------------------------


def squash(text):
    return " ".join(str(text or "").split())


def fold(text):
    return squash(text).casefold()


def label(concern):
    return f"{concern.get('category')}: {fold(concern.get('name'))}"


def document_text(name):
    """The text the importer gets for an uploaded .txt file."""
    path = DOCUMENTS / f"{name}.txt"
    return read_document(path.read_bytes(), path.name).text


def parse(text):
    # Imported here, not at module level, so the PDF tests run whatever state the parser is in.
    from imports.rmp_summary import parse_rmp_summary

    return parse_rmp_summary(text)


@functools.cache
def parsed(name):
    try:
        return parse(document_text(name))
    except ImportRejected as error:
        pytest.fail(f"{name}.txt is an RMP summary but was rejected: {error}", pytrace=False)


def assert_same(parsed_value, expected_value, what):
    """Fail with a unified diff (- expected, + parsed) when the two differ."""
    if parsed_value == expected_value:
        return

    def dump(value):
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1000).splitlines()

    diff = difflib.unified_diff(
        dump(expected_value), dump(parsed_value), "expected", "parsed", lineterm="", n=2
    )
    pytest.fail(f"{what}: parsed differs from expected\n" + "\n".join(diff), pytrace=False)


def expected_concerns(name):
    return CASES[name]["plan"]["safety_concerns"]


def parsed_concerns(name):
    """Parsed safety concerns by label; the expected labels the parser missed map to None."""
    by_label = {label(concern): concern for concern in parsed(name).plan["safety_concerns"]}
    return {label(concern): by_label.get(label(concern)) for concern in expected_concerns(name)}


def flat_references(concern):
    references = []
    for measure in concern.get("routine_measures") or []:
        for reference in measure.get("references") or []:
            if squash(reference) not in references:
                references.append(squash(reference))
    return references


NOT_FOUND = "<safety concern not parsed>"
STUDY_TEXT = ("code", "short_name", "title")


def match_studies(name):
    """Expected study key -> the parsed study it denotes (None when none or several match)."""
    studies = parsed(name).plan.get("studies") or []
    matched = {}
    for item in CASES[name]["plan"]["studies"]:
        if item.get("code"):
            found = [study for study in studies if fold(study.get("code")) == fold(item["code"])]
        else:
            needle = fold(item["title_contains"])
            found = [
                study
                for study in studies
                if needle in fold(" ".join(str(study.get(key) or "") for key in STUDY_TEXT))
            ]
        matched[item["key"]] = found[0] if len(found) == 1 else None
    return matched


def match_measures(name):
    """Expected additional measure key -> the parsed measure (None when none or several match)."""
    measures = parsed(name).plan.get("additional_measures") or []
    matched = {}
    for item in CASES[name]["plan"]["additional_measures"]:
        needle = fold(item["name_contains"])
        found = [measure for measure in measures if needle in fold(measure.get("name"))]
        matched[item["key"]] = found[0] if len(found) == 1 else None
    return matched


def strings(value, path="plan"):
    """Every string in a parsed structure with its path, except free comments."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in COMMENT_KEYS:
                yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def lines(text):
    return [squash(line) for line in text.splitlines() if line.strip()]


# The corpus itself ----------------------------------------------------------------------------


def test_every_document_has_a_consistent_expectation():
    errors = []
    for name, case in CASES.items():
        if not case:
            errors.append(f"{name}.txt has no {name}.expected.yaml")
            continue
        if case.get("rejected"):
            continue
        plan = case["plan"]
        measure_keys = [item["key"] for item in plan["additional_measures"]]
        study_keys = [item["key"] for item in plan["studies"]]
        for item in plan["additional_measures"]:
            if item.get("kind") not in MEASURE_KINDS or not item.get("name_contains"):
                errors.append(f"{name}: additional measure {item}")
        for item in plan["studies"]:
            if item.get("category") not in (1, 2, 3) or not (
                item.get("code") or item.get("title_contains")
            ):
                errors.append(f"{name}: study {item}")
        positions = [CATEGORIES.index(concern["category"]) for concern in plan["safety_concerns"]]
        if positions != sorted(positions):
            errors.append(f"{name}: safety concerns are not in category order")
        labels = [label(concern) for concern in plan["safety_concerns"]]
        if len(set(labels)) != len(labels):
            errors.append(f"{name}: two safety concerns with the same name")
        for concern in plan["safety_concerns"]:
            unknown = set(concern.get("additional_measures", [])) - set(measure_keys)
            unknown |= set(concern.get("studies", [])) - set(study_keys)
            unknown |= set(concern.get("routine_kinds", [])) - ROUTINE_KINDS
            unknown |= {
                reference
                for reference in concern.get("routine_references", [])
                if not REFERENCE_LABEL.fullmatch(reference)
            }
            if unknown:
                errors.append(f"{name}: {concern['name']} names unknown keys {sorted(unknown)}")
        if len(set(measure_keys)) != len(measure_keys) or len(set(study_keys)) != len(study_keys):
            errors.append(f"{name}: duplicate keys")
    assert not errors, "\n".join(errors)
    assert len(SUMMARIES) >= 6
    assert len(REJECTED) >= 3


# Summaries: what the parser finds ------------------------------------------------------------


@pytest.mark.parametrize("name", SUMMARIES)
def test_product(name):
    product = parsed(name).product
    want = CASES[name]["product"]
    assert_same(
        {
            "name": fold(product.get("name")),
            "substances": [fold(substance) for substance in product.get("substances") or []],
            "authorisation_status": product.get("authorisation_status"),
        },
        {
            "name": fold(want["name"]),
            "substances": [fold(substance) for substance in want["substances"]],
            "authorisation_status": want["authorisation_status"],
        },
        f"{name}: product",
    )
    if "indication_contains" in want:
        indication = squash(product.get("indication"))
        assert fold(want["indication_contains"]) in indication.casefold(), (
            f"{name}: indication {indication!r} lacks {want['indication_contains']!r}"
        )


@pytest.mark.parametrize("name", SUMMARIES)
def test_safety_concerns_names_categories_and_order(name):
    assert_same(
        [label(concern) for concern in parsed(name).plan["safety_concerns"]],
        [label(concern) for concern in expected_concerns(name)],
        f"{name}: safety concerns (category: name)",
    )


@pytest.mark.parametrize("name", _having("evidence", "risk_factors"))
def test_evidence_and_risk_factors(name):
    got, want = {}, {}
    for concern, found in zip(expected_concerns(name), parsed_concerns(name).values(), strict=True):
        fields = [key for key in ("evidence", "risk_factors") if key in concern]
        if fields:
            want[label(concern)] = {key: squash(concern[key]) for key in fields}
            got[label(concern)] = (
                {key: squash(found.get(key)) for key in fields} if found else NOT_FOUND
            )
    assert_same(got, want, f"{name}: evidence and risk factors")


@pytest.mark.parametrize("name", _having("footnotes", "footnotes_contains"))
def test_footnotes(name):
    got, want = {}, {}
    for concern, found in zip(expected_concerns(name), parsed_concerns(name).values(), strict=True):
        footnotes = squash(found.get("footnotes")) if found else NOT_FOUND
        if "footnotes" in concern:
            want[label(concern)] = squash(concern["footnotes"])
            got[label(concern)] = footnotes
        if "footnotes_contains" in concern:
            phrase = squash(concern["footnotes_contains"])
            want[label(concern)] = f"... {phrase} ..."
            got[label(concern)] = (
                f"... {phrase} ..." if phrase.casefold() in footnotes.casefold() else footnotes
            )
    assert_same(got, want, f"{name}: footnotes")


@pytest.mark.parametrize("name", _having("routine_references"))
def test_routine_measure_references(name):
    got, want = {}, {}
    for concern, found in zip(expected_concerns(name), parsed_concerns(name).values(), strict=True):
        if "routine_references" in concern:
            want[label(concern)] = [
                squash(reference) for reference in concern["routine_references"]
            ]
            got[label(concern)] = flat_references(found) if found else NOT_FOUND
    assert_same(got, want, f"{name}: routine measure references, in order of first mention")


@pytest.mark.parametrize("name", _having("routine_kinds"))
def test_routine_measure_kinds(name):
    got, want = {}, {}
    for concern, found in zip(expected_concerns(name), parsed_concerns(name).values(), strict=True):
        if "routine_kinds" in concern:
            want[label(concern)] = sorted(set(concern["routine_kinds"]))
            got[label(concern)] = (
                sorted({measure.get("kind") for measure in found.get("routine_measures") or []})
                if found
                else NOT_FOUND
            )
    assert_same(got, want, f"{name}: kinds of routine measures")


@pytest.mark.parametrize("name", SUMMARIES)
def test_additional_measures_and_the_concerns_they_serve(name):
    plan = parsed(name).plan
    measures = plan.get("additional_measures") or []
    got = {"number of additional measures": len(measures)}
    want = {"number of additional measures": len(CASES[name]["plan"]["additional_measures"])}
    matched = match_measures(name)
    for item in CASES[name]["plan"]["additional_measures"]:
        key = item["key"]
        want[key] = {
            "kind": item["kind"],
            "serves": sorted(
                label(concern)
                for concern in expected_concerns(name)
                if key in concern.get("additional_measures", [])
            ),
        }
        measure = matched[key]
        if measure is None:
            names = [squash(measure.get("name")) for measure in measures]
            got[key] = f"not one parsed measure named like {item['name_contains']!r}: {names}"
            continue
        got[key] = {
            "kind": measure.get("kind"),
            "serves": sorted(
                label(concern)
                for concern in plan["safety_concerns"]
                if measure.get("key") in (concern.get("additional_measures") or [])
            ),
        }
        if "description_contains" in item:
            phrase = squash(item["description_contains"])
            description = squash(measure.get("description"))
            want[key]["description"] = f"... {phrase} ..."
            got[key]["description"] = (
                f"... {phrase} ..." if phrase.casefold() in description.casefold() else description
            )
    assert_same(got, want, f"{name}: additional risk minimisation measures")


@pytest.mark.parametrize("name", SUMMARIES)
def test_studies_categories_and_milestones(name):
    studies = parsed(name).plan.get("studies") or []
    got = {"number of studies": len(studies)}
    want = {"number of studies": len(CASES[name]["plan"]["studies"])}
    matched = match_studies(name)
    for item in CASES[name]["plan"]["studies"]:
        key = item["key"]
        want[key] = {
            "category": str(item["category"]),
            "milestones": sorted(
                f"{fold(stone['description'])} | {squash(stone['due'])}"
                for stone in item["milestones"]
            ),
        }
        study = matched[key]
        if study is None:
            names = [squash(" ".join(str(s.get(k) or "") for k in STUDY_TEXT)) for s in studies]
            got[key] = f"not one parsed study for {item.get('code') or item['title_contains']!r}"
            got[key] += f": {names}"
            continue
        got[key] = {
            "category": str(study.get("category")),
            "milestones": sorted(
                f"{fold(stone.get('description'))} | {squash(stone.get('due'))}"
                for stone in study.get("milestones") or []
            ),
        }
    assert_same(got, want, f"{name}: studies")


@pytest.mark.parametrize("name", SUMMARIES)
def test_studies_named_for_each_concern(name):
    names = {id(study): key for key, study in match_studies(name).items() if study is not None}
    by_key = {study.get("key"): study for study in parsed(name).plan.get("studies") or []}
    got, want = {}, {}
    for concern, found in zip(expected_concerns(name), parsed_concerns(name).values(), strict=True):
        want[label(concern)] = sorted(concern.get("studies", []))
        if found is None:
            got[label(concern)] = NOT_FOUND
            continue
        keys = found.get("studies") or []
        got[label(concern)] = sorted(
            names.get(id(by_key.get(key)), f"unexpected study {key!r}") for key in keys
        )
    assert_same(got, want, f"{name}: studies named under each safety concern")


@pytest.mark.parametrize("name", SUMMARIES)
def test_parsed_plan_is_consistent(name):
    """Keys are unique and every link points at a measure or study of the plan (create_plan
    needs this), and warnings are (subject, message) pairs."""
    result = parsed(name)
    plan = result.plan
    measure_keys = [measure.get("key") for measure in plan.get("additional_measures") or []]
    study_keys = [study.get("key") for study in plan.get("studies") or []]
    problems = []
    if len(set(measure_keys)) != len(measure_keys):
        problems.append(f"duplicate additional measure keys {measure_keys}")
    if len(set(study_keys)) != len(study_keys):
        problems.append(f"duplicate study keys {study_keys}")
    for concern in plan["safety_concerns"]:
        if concern.get("category") not in CATEGORIES:
            problems.append(f"{label(concern)}: unknown category")
        for key in concern.get("additional_measures") or []:
            if key not in measure_keys:
                problems.append(f"{label(concern)}: additional measure {key!r} is not in the plan")
        for key in concern.get("studies") or []:
            if key not in study_keys:
                problems.append(f"{label(concern)}: study {key!r} is not in the plan")
    for warning in result.warnings:
        if not (len(warning) == 2 and all(isinstance(part, str) for part in warning)):
            problems.append(f"warning is not a (subject, message) pair: {warning!r}")
    assert not problems, f"{name}: inconsistent parsed plan:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", [name for name in SUMMARIES if CASES[name]["plan"].get("noise")])
def test_page_noise_stays_out_of_the_data(name):
    result = parsed(name)
    found = [
        f"{path}: {value!r} matches {pattern!r}"
        for pattern in CASES[name]["plan"]["noise"]
        for path, value in [
            *strings(result.product, "product"),
            *strings(result.plan, "plan"),
        ]
        if re.search(pattern, value, flags=re.IGNORECASE)
    ]
    assert not found, f"{name}: page noise in the parsed data:\n" + "\n".join(found)


# Documents that are not RMP summaries --------------------------------------------------------


@pytest.mark.parametrize("upload", ["txt", "pdf"])
@pytest.mark.parametrize("name", REJECTED)
def test_document_that_is_not_an_rmp_summary_is_rejected(name, upload):
    text = document_text(name)
    if upload == "pdf":
        text = read_document(text_to_pdf(text), f"{name}.pdf").text
    with pytest.raises(ImportRejected) as rejection:
        parse(text)
    assert str(rejection.value).strip()


# PDF uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_pdf_text_layer_gives_back_the_lines_of_the_text(name):
    text = (DOCUMENTS / f"{name}.txt").read_text(encoding="utf-8")
    source = read_document(text_to_pdf(text), f"{name}.pdf")
    assert lines(source.text) == lines(winansi(text).replace("\f", "\n"))


@pytest.mark.parametrize("name", SUMMARIES)
def test_pdf_upload_gives_the_same_safety_concerns(name):
    text = (DOCUMENTS / f"{name}.txt").read_text(encoding="utf-8")
    result = parse(read_document(text_to_pdf(text), f"{name}.pdf").text)
    assert_same(
        [label(concern) for concern in result.plan["safety_concerns"]],
        [
            label({"category": concern["category"], "name": winansi(concern["name"])})
            for concern in expected_concerns(name)
        ],
        f"{name}.pdf: safety concerns (category: name)",
    )


def test_text_to_pdf_starts_a_page_every_lines_per_page_lines_and_at_form_feeds():
    text = "\n".join(f"Line {number} (a) \\ b" for number in range(1, 2 * LINES_PER_PAGE + 2))
    reader = PdfReader(io.BytesIO(text_to_pdf(text + "\fLast page")))
    assert len(reader.pages) == 4
    assert reader.pages[0].extract_text().splitlines()[0] == "Line 1 (a) \\ b"
    assert reader.pages[2].extract_text().strip() == f"Line {2 * LINES_PER_PAGE + 1} (a) \\ b"
    assert reader.pages[3].extract_text().strip() == "Last page"


def test_pdf_with_pages_but_no_text_layer_is_rejected():
    content = image_only_pdf()
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    with pytest.raises(ImportRejected, match="no text layer"):
        read_document(content, "scanned-summary.pdf")
