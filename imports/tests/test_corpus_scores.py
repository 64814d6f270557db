"""The importer scored on a corpus of RMP summaries written without looking at the parser.

Every document in ``imports/tests/corpus/`` (``<name>.doc.yaml``, rendered by ``render.py`` to
the text a curator saves and to a PDF with ruled tables) is imported as text and as PDF, and
what the parser found is compared, fact by fact, with ``<name>.expected.yaml``. A document
whose expectation says ``incomplete`` must be refused (or carry blocking gaps) naming each part.

Targets over the whole corpus, per route: every safety concern with the right category; at
least 98 % of every other kind of fact; and every fact still missed has a warning about its
concern or study (nothing lost silently). Run with ``-s`` to see the per-document table.
"""

import functools
import re
from pathlib import Path

import pytest
import yaml

from imports.extract import ImportRejected, read_document
from imports.tests.corpus import render

CORPUS = Path(render.__file__).parent
KINDS = (
    "product",
    "concerns",
    "evidence",
    "risk_factors",
    "references",
    "routine_kinds",
    "measures",
    "measure_links",
    "studies",
    "milestones",
    "study_links",
)
ROUTES = ("txt", "pdf")


def squash(text):
    return " ".join(str(text or "").split())


def fold(text):
    return squash(text).casefold().rstrip(".")


def milestone(description):
    """A milestone's description: "Planned date for submission of final data" is recorded as
    "Submission of final data" (the importer's convention)."""
    return fold(re.sub(r"^planned\s+date\s+for\s+", "", squash(description), flags=re.I))


def expected(name):
    return yaml.safe_load((CORPUS / f"{name}.expected.yaml").read_text(encoding="utf-8"))


@functools.cache
def imported(name, route):
    """The parse of the document (or the ImportRejected raised)."""
    from imports.rmp_summary import parse_rmp_summary

    if route == "txt":
        source = read_document(render.render_text(name).encode(), f"{name}.txt")
    else:
        source = read_document(render.render_pdf(name), f"{name}.pdf")
    try:
        return parse_rmp_summary(source.text)
    except ImportRejected as rejection:
        return rejection


def _study_label(study, wanted):
    text = fold(" ".join(str(study.get(key) or "") for key in ("code", "short_name", "title")))
    for item in wanted:
        if item.get("code") and fold(study.get("code")) == fold(item["code"]):
            return item["key"]
        if item.get("title_contains") and fold(item["title_contains"]) in text:
            return item["key"]
    return f"?{study.get('code') or study.get('title')}"


def _measure_label(measure, wanted):
    for item in wanted:
        if fold(item["name_contains"]) in fold(measure.get("name")):
            return item["key"]
    return f"?{measure.get('name')}"


def facts_expected(case):
    plan, product = case["plan"], case["product"]
    facts = {kind: set() for kind in KINDS}
    facts["product"] = {
        ("name", fold(product["name"])),
        ("status", product["authorisation_status"]),
        *(("substance", fold(item)) for item in product["substances"]),
    }
    for concern in plan["safety_concerns"]:
        name = fold(concern["name"])
        facts["concerns"].add((concern["category"], name))
        for key in ("evidence", "risk_factors"):
            if key in concern:
                facts[key].add((name, fold(concern[key])))
        facts["references"] |= {(name, ref) for ref in concern.get("routine_references", [])}
        facts["routine_kinds"] |= {(name, kind) for kind in concern.get("routine_kinds", [])}
        facts["measure_links"] |= {(name, key) for key in concern.get("additional_measures", [])}
        facts["study_links"] |= {(name, key) for key in concern.get("studies", [])}
    facts["measures"] = {(item["key"], item["kind"]) for item in plan["additional_measures"]}
    for item in plan["studies"]:
        facts["studies"].add((item["key"], item["category"]))
        facts["milestones"] |= {
            (item["key"], milestone(stone["description"]), squash(stone["due"]))
            for stone in item["milestones"]
        }
    return facts


def facts_parsed(case, result):
    """The parsed facts of the kinds and concerns the expectation states."""
    plan, product = result.plan, result.product
    wanted = case["plan"]
    stated = {fold(concern["name"]): concern for concern in wanted["safety_concerns"]}
    facts = {kind: set() for kind in KINDS}
    facts["product"] = {
        ("name", fold(product.get("name"))),
        ("status", product.get("authorisation_status")),
        *(("substance", fold(item)) for item in product.get("substances") or []),
    }
    measures = {
        measure.get("key"): _measure_label(measure, wanted["additional_measures"])
        for measure in plan.get("additional_measures") or []
    }
    studies = {
        study.get("key"): _study_label(study, wanted["studies"])
        for study in plan.get("studies") or []
    }
    for concern in plan["safety_concerns"]:
        name = fold(concern.get("name"))
        facts["concerns"].add((concern.get("category"), name))
        want = stated.get(name)
        if want is None:
            continue
        for key in ("evidence", "risk_factors"):
            if key in want:
                facts[key].add((name, fold(concern.get(key))))
        references = {
            (name, squash(reference))
            for measure in concern.get("routine_measures") or []
            for reference in measure.get("references") or []
        }
        if "routine_references" in want:
            facts["references"] |= references
        if "routine_kinds" in want:
            facts["routine_kinds"] |= {
                (name, measure.get("kind")) for measure in concern.get("routine_measures") or []
            }
        if "additional_measures" in want:
            facts["measure_links"] |= {
                (name, measures.get(key, key)) for key in concern.get("additional_measures") or []
            }
        if "studies" in want:
            facts["study_links"] |= {
                (name, studies.get(key, key)) for key in concern.get("studies") or []
            }
    for measure in plan.get("additional_measures") or []:
        facts["measures"].add((measures[measure.get("key")], measure.get("kind")))
    for study in plan.get("studies") or []:
        label = studies[study.get("key")]
        try:
            category = int(study.get("category"))
        except (TypeError, ValueError):
            category = study.get("category")
        facts["studies"].add((label, category))
        facts["milestones"] |= {
            (label, milestone(stone.get("description")), squash(stone.get("due")))
            for stone in study.get("milestones") or []
        }
    return facts


def warning_text(result):
    texts = [f"{subject} {message}" for subject, message in result.warnings]
    for concern in result.plan["safety_concerns"]:
        texts += [f"{concern.get('name')} {warning}" for warning in concern.get("warnings") or []]
    for study in result.plan.get("studies") or []:
        texts += [f"{study.get('code')} {warning}" for warning in study.get("warnings") or []]
    return fold(" ".join(texts))


def _subject(kind, fact, case):
    """The concern name or study code a missed fact is about (what its warning must name)."""
    codes = {
        item["key"]: item.get("code") or item.get("title_contains")
        for item in case["plan"]["studies"]
    }
    if kind in ("studies", "milestones"):
        return fold(codes.get(fact[0], fact[0]))
    if kind in ("measures", "product"):
        return None
    return fact[1] if kind == "concerns" else fact[0]


@functools.cache
def score(name, route):
    """{kind: (hits, total, silent misses)} for a summary; {"refused": ok} for an incomplete one."""
    case, result = expected(name), imported(name, route)
    if "incomplete" in case:
        if isinstance(result, ImportRejected):
            message = str(result)
        else:
            message = " ".join(getattr(result, "gaps", []) or [])
        return {"incomplete": all(part in message for part in case["incomplete"])}
    if isinstance(result, ImportRejected):
        return {kind: (0, len(facts), len(facts)) for kind, facts in facts_expected(case).items()}
    want, got = facts_expected(case), facts_parsed(case, result)
    warnings = warning_text(result)
    table = {}
    for kind in KINDS:
        misses = (want[kind] - got[kind]) | (got[kind] - want[kind])
        silent = 0
        for fact in misses:
            subject = _subject(kind, fact, case)
            if subject is None or fold(subject) not in warnings:
                silent += 1
        table[kind] = (len(want[kind] & got[kind]), len(want[kind] | got[kind]), silent)
    return table


def score_table(route):
    header = ["document", *KINDS, "silent"]
    rows = []
    for name in render.documents():
        result = score(name, route)
        if "incomplete" in result:
            verdict = "refused, names the gap" if result["incomplete"] else "NOT REFUSED"
            rows.append([name, verdict])
            continue
        cells = [f"{hits}/{total}" if hits != total else "ok" for hits, total, _ in result.values()]
        rows.append([name, *cells, str(sum(silent for *_, silent in result.values()))])
    widths = [
        max(len(str(row[i])) for row in [header, *rows] if i < len(row)) for i in range(len(header))
    ]
    lines = [
        "  ".join(
            h[:12].ljust(min(w, 12)) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    ]
    for row in rows:
        lines.append(
            "  ".join(
                str(cell).ljust(min(widths[i], 12)) if i else str(cell).ljust(widths[0])
                for i, cell in enumerate(row)
            )
        )
    totals = totals_of(route)
    lines.append(
        "total     "
        + "  ".join(
            f"{kind} {100 * hits / total if total else 100:.1f}%"
            for kind, (hits, total, _) in totals.items()
        )
    )
    return f"\nCorpus scores, {route} route\n" + "\n".join(lines)


def totals_of(route):
    totals = {kind: [0, 0, 0] for kind in KINDS}
    for name in render.documents():
        result = score(name, route)
        if "incomplete" in result:
            continue
        for kind, values in result.items():
            totals[kind] = [a + b for a, b in zip(totals[kind], values, strict=True)]
    return totals


def test_every_corpus_document_has_a_consistent_expectation():
    names = render.documents()
    assert len(names) >= 10
    for name in names:
        case = expected(name)
        if "incomplete" in case:
            continue
        keys = {item["key"] for item in case["plan"]["studies"]}
        keys |= {item["key"] for item in case["plan"]["additional_measures"]}
        for concern in case["plan"]["safety_concerns"]:
            unknown = (
                set(concern.get("studies", []) + concern.get("additional_measures", [])) - keys
            )
            assert not unknown, f"{name}: {concern['name']} names {unknown}"


@pytest.mark.parametrize("route", ROUTES)
def test_corpus_scores_meet_the_targets(route):
    print(score_table(route))
    totals = totals_of(route)
    hits, total, _ = totals["concerns"]
    problems = []
    if hits != total:
        problems.append(f"concerns with their category: {hits}/{total}")
    for kind, (hits, total, _) in totals.items():
        if total and hits / total < 0.98:
            problems.append(f"{kind}: {100 * hits / total:.1f}% < 98%")
    silent = sum(silent for *_, silent in totals.values())
    if silent:
        problems.append(f"{silent} misses without a warning about their concern or study")
    refused = [
        name
        for name in render.documents()
        if "incomplete" in score(name, route) and not score(name, route)["incomplete"]
    ]
    if refused:
        problems.append(f"incomplete documents not refused naming the gap: {refused}")
    assert not problems, f"{route}: " + "; ".join(problems)
