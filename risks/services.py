"""Writes to risk management plans. Each public function is one unit of work."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import bulk_create_audited
from products.documents import parse_reference

from .models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    RoutineMeasureKind,
    SafetyConcern,
    SectionReference,
    Study,
    StudyDesign,
    StudyStatus,
)
from .normalise import concern_key
from .terms import TermIndex

_SEPARATORS = re.compile(r"\s*(?:[,;]|\band\b)\s*")


def parse_reference_list(text):
    """Parse "SmPC 4.2, 4.4; PL 2" into [(document, section), ...] in order, without repeats.

    A bare number continues the document named before it. Raises ValidationError
    with a readable message for the first malformed item.
    """
    references = []
    document = None
    for item in filter(None, _SEPARATORS.split(text.strip())):
        if document is not None and re.fullmatch(r"[0-9.]+|[A-E]", item):
            item = f"{document.abbreviation} {item}"
        try:
            document, section = parse_reference(item)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if (document, section) not in references:
            references.append((document, section))
    return references


@transaction.atomic
def set_section_references(routine_measure, references):
    """Make the measure cite exactly ``references`` [(document, section), ...], in that order."""
    current = [reference.key for reference in routine_measure.section_references.all()]
    if current == [(document, section) for document, section in references]:
        return
    routine_measure.section_references.all().delete()
    bulk_create_audited(
        SectionReference,
        (
            SectionReference(
                routine_measure=routine_measure,
                document=document,
                section=section,
                position=position,
            )
            for position, (document, section) in enumerate(references)
        ),
    )


class PlanDataError(ValueError):
    """Plan data (seed or import format) that cannot be written; the message says where."""


@dataclass
class CreatedPlan:
    plan: RiskManagementPlan
    concerns: list = field(default_factory=list)  # in the order of data["safety_concerns"]
    measures: dict = field(default_factory=dict)  # key -> AdditionalMeasure
    studies: dict = field(default_factory=dict)  # key -> Study
    # [(SafetyConcern, message)]: what the data held that could not be stored, such as a
    # reference to a section its document does not have ("SmPC 4.99").
    warnings: list = field(default_factory=list)


def _text(item, key):
    return (item.get(key) or "").strip()


def _excerpt(text, length=60):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _confirmed_term(terms, item, name):
    """The term the data confirms for a concern (``term``: a term's slug), else None.

    Only curated data (the seed) confirms a term; an import leaves it to the curator, who
    sees the suggestion.
    """
    slug = (item.get("term") or "").strip()
    if not slug:
        return None
    term = terms.by_slug.get(slug)
    if term is None:
        raise PlanDataError(f"safety concern {name!r}: there is no risk term {slug!r}.")
    return term


@transaction.atomic
def create_plan(product, data, *, status, edited_by=None):
    """Write one plan version from data in the seed format (risks/seed_data/README.md).

    Runs inside the caller's ``audit.context.recorded_change``. A section reference that
    its document does not have is not stored; ``CreatedPlan.warnings`` says so, per concern.
    """
    plan = RiskManagementPlan(
        last_edited_by=edited_by,
        product=product,
        version=str(data["version"]),
        date=data.get("date"),
        status=status,
        published_at=timezone.now() if status == PlanStatus.PUBLISHED else None,
        source_document=_text(data, "source_document")[:300],
        source_url=_text(data, "source_url"),
        note=_text(data, "note"),
    )
    _validated(plan, "plan").save()
    created = CreatedPlan(plan)
    references = []  # of every new routine measure: one bulk insert for the whole plan
    terms = TermIndex.load()
    # The terms confirmed in the product's published version, by the concern's name key: an
    # imported new version is suggested them first (a curator still confirms each).
    confirmed_before = dict(
        SafetyConcern.objects.current()
        .filter(plan__product=product, term__isnull=False)
        .values_list("group_key", "term")
    )
    for position, item in enumerate(data.get("safety_concerns") or []):
        name = item["name"].strip()
        concern = SafetyConcern(
            plan=plan,
            category=item["category"],
            name=name,
            position=position,
            evidence=_text(item, "evidence"),
            risk_factors=_text(item, "risk_factors"),
            footnotes=_text(item, "footnotes"),
            curator_note=_text(item, "curator_note"),
            term=_confirmed_term(terms, item, name),
            suggested_term=terms.by_pk.get(
                confirmed_before.get(concern_key(name) or name.casefold())
            )
            or terms.suggest(name),
        )
        _validated(concern, f"safety concern {concern.name!r}").save()
        created.concerns.append(concern)
        for measure_position, measure in enumerate(item.get("routine_measures") or []):
            routine = RoutineMeasure.objects.create(
                safety_concern=concern,
                kind=measure.get("kind") or RoutineMeasureKind.LABELLING,
                text=measure["text"].strip(),
                position=measure_position,
            )
            cited = set()
            for text in measure.get("references") or []:
                try:
                    document, section = parse_reference(str(text))
                except ValueError as error:
                    created.warnings.append(
                        (
                            concern,
                            f"Routine measure {measure_position + 1} “{_excerpt(routine.text)}”: "
                            f"the reference “{text}” was not stored: {error}",
                        )
                    )
                    continue
                if (document, section) in cited:
                    continue
                cited.add((document, section))
                references.append(
                    SectionReference(
                        routine_measure=routine,
                        document=document,
                        section=section,
                        position=len(cited) - 1,
                    )
                )
    # The measures are new, so they cite nothing yet: what set_section_references would
    # write, without first reading and deleting each measure's (empty) references.
    if references:
        bulk_create_audited(SectionReference, references)

    for item in data.get("additional_measures") or []:
        measure = AdditionalMeasure(
            plan=plan,
            kind=item["kind"],
            name=item["name"].strip(),
            description=_text(item, "description"),
        )
        _validated(measure, f"additional measure {measure.name!r}").save()
        created.measures[item["key"]] = measure
    for position, item in enumerate(data.get("studies") or []):
        study = Study(
            plan=plan,
            code=_text(item, "code"),
            short_name=_text(item, "short_name")[:200],
            title=item["title"].strip(),
            category=int(item["category"]),
            design=item.get("design") or StudyDesign.OTHER,
            purpose=_text(item, "purpose"),
            status=item.get("status") or StudyStatus.ONGOING,
            position=position,
        )
        _validated(study, f"study {study.title[:60]!r}").save()
        created.studies[item["key"]] = study
        for milestone_position, entry in enumerate(item.get("milestones") or []):
            milestone = Milestone(
                study=study, description=entry["description"][:200], position=milestone_position
            )
            try:
                milestone.set_due(str(entry["due"]))
            except ValueError as error:
                raise PlanDataError(f"{study}: {error}") from None
            milestone.save()

    # Each measure's and study's concerns in one call: one historical record of the measure
    # or study (with all its links), not one per link.
    links = {}
    for concern, item in zip(created.concerns, data.get("safety_concerns") or [], strict=True):
        for key in item.get("additional_measures") or []:
            links.setdefault(_lookup(created.measures, key, "additional measure"), []).append(
                concern
            )
        for key in item.get("studies") or []:
            links.setdefault(_lookup(created.studies, key, "study"), []).append(concern)
    for measure_or_study, concerns in links.items():
        measure_or_study.safety_concerns.add(*concerns)
    return created


def _validated(instance, what):
    try:
        instance.full_clean(validate_unique=True)
    except ValidationError as error:
        messages = "; ".join(error.messages)
        raise PlanDataError(f"{what}: {messages}") from None
    return instance


def _lookup(items, key, kind):
    try:
        return items[key]
    except KeyError:
        raise PlanDataError(f"no {kind} with key {key!r}.") from None
