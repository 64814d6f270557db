"""Synthetic products built in memory, without the database (``write`` stores them).

``build_product(seed, number)`` returns the same product for the same seed and number, on any
machine: it draws from its own ``random.Random`` seeded with both, never from the global one,
and its dates count from the fixed ``BASE_DATE``. A product depends on nothing else, so
products 1–1500 are the same whether they are generated in one run or in several, in batches
of any size. Substances and companies come from numbered pools (``names``), so products share
them.

What a product gets, drawn to look like the EU's published plans: 5–30 safety concerns
(about 15; 35 % identified risks, 40 % potential risks, 25 % missing information) named from
``vocabulary`` with Zipf-like weights, so that the same concerns recur across products; about
2 routine measures per concern, citing SmPC and package leaflet sections whose text the
product has; an additional measure for about one product in three, serving several concerns;
0–8 studies (about 3) with milestones due on partial dates, some overdue; and for one product
in five, the older plan version that the current one superseded.
"""

import datetime
import itertools
import random
import uuid
from dataclasses import replace

from products.documents import STANDARD_TITLES, Document, section_sort_key
from products.models import AuthorisationStatus, Region
from risks.models import (
    AdditionalMeasureKind,
    ConcernCategory,
    PlanStatus,
    RoutineMeasureKind,
    StudyCategory,
    StudyDesign,
    StudyStatus,
)

from . import vocabulary as words
from .names import COMPANY_COUNT, brand, companies, slug, substance
from .specs import (
    ConcernSpec,
    MeasureSpec,
    MilestoneSpec,
    PlanSpec,
    ProductSpec,
    RoutineSpec,
    SectionSpec,
    StudySpec,
)
from .text import join, labelling_text, lower_first, prose, section_text

# "Today" for the generated data: plans are published before it, and milestones due before
# it and not reported are overdue (and so for any real today after it).
BASE_DATE = datetime.date(2025, 6, 30)


def build_product(seed, number):
    """Product ``number`` (1, 2, ...) of the synthetic data of ``seed``, as a ProductSpec."""
    return _ProductBuilder(seed, number).build()


def _zipf(count, *, exponent, offset):
    """Cumulative weights that make the first items common and the last rare."""
    return list(
        itertools.accumulate(1 / (rank + offset) ** exponent for rank in range(1, count + 1))
    )


# Tuned so that the commonest risk ("Serious infections") is in about a third of the
# products, PML (fourth) in over a quarter, the hundredth risk in 3 % and the last in 1 %;
# "Use in pregnancy and lactation" is in about 40 %.
RISK_WEIGHTS = _zipf(len(words.RISKS), exponent=1.2, offset=10)
MISSING_WEIGHTS = _zipf(len(words.MISSING_INFORMATION), exponent=1.5, offset=4)
COMPANY_WEIGHTS = _zipf(COMPANY_COUNT, exponent=0.8, offset=3)

CATEGORY_WEIGHTS = {
    ConcernCategory.IDENTIFIED: 35,
    ConcernCategory.POTENTIAL: 40,
    ConcernCategory.MISSING: 25,
}
STATUS_WEIGHTS = {
    AuthorisationStatus.AUTHORISED: 72,
    AuthorisationStatus.CONDITIONAL: 8,
    AuthorisationStatus.EXCEPTIONAL: 3,
    AuthorisationStatus.SUSPENDED: 1,
    AuthorisationStatus.WITHDRAWN: 16,
}
US_STATUS_WEIGHTS = {AuthorisationStatus.AUTHORISED: 85, AuthorisationStatus.WITHDRAWN: 15}
OTHER_ROUTINE_WEIGHTS = {
    RoutineMeasureKind.LEGAL_STATUS: 45,
    RoutineMeasureKind.CLINICAL_SETTING: 30,
    RoutineMeasureKind.PACK_SIZE: 10,
    RoutineMeasureKind.OTHER: 15,
}
OTHER_ROUTINE_TEXTS = {
    RoutineMeasureKind.LEGAL_STATUS: words.LEGAL_STATUS,
    RoutineMeasureKind.CLINICAL_SETTING: words.CLINICAL_SETTING,
    RoutineMeasureKind.PACK_SIZE: words.PACK_SIZE,
    RoutineMeasureKind.OTHER: words.OTHER_ROUTINE,
}
ADDITIONAL_KIND_WEIGHTS = {
    AdditionalMeasureKind.EDUCATIONAL_MATERIAL: 45,
    AdditionalMeasureKind.PATIENT_CARD: 25,
    AdditionalMeasureKind.CONTROLLED_ACCESS: 8,
    AdditionalMeasureKind.PREGNANCY_PREVENTION: 7,
    AdditionalMeasureKind.DHPC: 8,
    AdditionalMeasureKind.OTHER: 7,
}
DESIGN_WEIGHTS = {
    StudyDesign.OBSERVATIONAL_COHORT: 35,
    StudyDesign.CLINICAL_TRIAL: 25,
    StudyDesign.REGISTRY: 18,
    StudyDesign.DRUG_UTILISATION: 12,
    StudyDesign.OTHER: 10,
}
STUDY_STATUS_WEIGHTS = {
    StudyStatus.PLANNED: 20,
    StudyStatus.ONGOING: 55,
    StudyStatus.COMPLETED: 20,
    StudyStatus.TERMINATED: 5,
}
# Probabilities that a risk's labelling cites a section, per region.
RISK_SECTIONS = {
    Region.EU: {
        (Document.SMPC, "4.4"): 0.9,
        (Document.SMPC, "4.8"): 0.8,
        (Document.SMPC, "4.2"): 0.3,
        (Document.SMPC, "4.3"): 0.15,
        (Document.SMPC, "4.5"): 0.08,
        (Document.SMPC, "4.7"): 0.03,
        (Document.PACKAGE_LEAFLET, "2"): 0.75,
        (Document.PACKAGE_LEAFLET, "4"): 0.75,
        (Document.PACKAGE_LEAFLET, "3"): 0.1,
    },
    Region.US: {
        (Document.US_PRESCRIBING_INFORMATION, "5"): 0.9,
        (Document.US_PRESCRIBING_INFORMATION, "6"): 0.6,
        (Document.US_PRESCRIBING_INFORMATION, "2"): 0.2,
        (Document.US_PRESCRIBING_INFORMATION, "4"): 0.1,
    },
}
# Sections every product's information has, cited or not.
BASE_SECTIONS = {
    Region.EU: [(Document.SMPC, "4.1"), (Document.PACKAGE_LEAFLET, "1")],
    Region.US: [(Document.US_PRESCRIBING_INFORMATION, "1")],
}


def _pick(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


class _Random(random.Random):
    """``random.Random`` with quicker ``randint`` and ``choice`` (the generator calls them
    about 200 times per product); as deterministic, for a given seed, as the original."""

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class _ProductBuilder:
    def __init__(self, seed, number):
        self.rng = _Random(f"synthetic:{seed}:{number}")
        self.number = number

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def build(self):
        rng = self.rng
        self.region = Region.US if rng.random() < 0.1 else Region.EU
        self.status = _pick(rng, US_STATUS_WEIGHTS if self.region == Region.US else STATUS_WEIGHTS)
        self.brand = brand(self.number)
        substances = [self.number if rng.random() < 0.8 else rng.randint(1, self.number)]
        if rng.random() < 0.12:
            substances.append(rng.choice([k for k in range(1, 401) if k != substances[0]]))
        names = [substance(k) for k in substances]
        self.substance = " and ".join(name for name, _ in names)
        route, form = rng.choice(words.ROUTES[names[0][1]])
        group, disease, specialist = rng.choice(words.INDICATIONS)
        self.fields = {
            "brand": self.brand,
            "substance": self.substance,
            "disease": disease,
            "specialist": specialist,
            "group": group,
            "route": route,
            "form": form,
            "dose": rng.choice([5, 10, 20, 40, 100, 150, 200, 300, 420]),
            "interval": rng.choice(["daily", "weekly", "every 2 weeks", "every 4 weeks"]),
            "patients": f"{rng.randint(120, 4800):,}",
            "pct": rng.randint(2, 35),
            "pct2": rng.randint(1, 9),
            "n": rng.randint(3, 14),
            "months": rng.randint(2, 12),
            "fold": rng.randint(2, 40),
            "hours": rng.randint(2, 30),
            "hr": rng.randint(45, 85),
            "hr_low": rng.randint(30, 44),
            "hr_high": rng.randint(86, 99),
            "phase": rng.choice(["3b", "4"]),
        }
        current = self.current_plan()
        plans = [self.previous_plan(current), current] if rng.random() < 0.2 else [current]
        if self.region == Region.EU:
            procedure = f"EMEA/H/C/9{self.number:05d}"
            year = rng.randint(10, 24)
            numbers = f"EU/1/{year:02d}/{1000 + self.number % 9000:04d}/001"
            if rng.random() < 0.5:
                numbers += f"-{rng.randint(2, 12):03d}"
        else:
            procedure, numbers = f"NDA 9{self.number:05d}", ""
        qualifier = rng.choice(words.INDICATION_QUALIFIERS)
        return ProductSpec(
            number=self.number,
            slug=slug(self.number),
            name=self.brand,
            substances=tuple(name for name, _ in names),
            company=companies()[rng.choices(range(COMPANY_COUNT), cum_weights=COMPANY_WEIGHTS)[0]],
            region=self.region,
            authorisation_status=self.status,
            procedure_number=procedure,
            authorisation_numbers=numbers,
            indication=f"{self.brand} is indicated for the treatment of adult patients with "
            f"{disease}{qualifier}.",
            route=route,
            pharmaceutical_form=form,
            sections=self.sections(plans),
            plans=plans,
        )

    # Plan versions

    def current_plan(self):
        rng = self.rng
        date = BASE_DATE - datetime.timedelta(days=rng.randint(30, 1800))
        published = self.moment(date + datetime.timedelta(days=rng.randint(14, 90)))
        plan = PlanSpec(
            version=f"{rng.randint(2, 14)}.{rng.randint(0, 4)}",
            date=date,
            status=PlanStatus.PUBLISHED,
            published_at=published,
            submitted_at=published - datetime.timedelta(days=rng.randint(1, 14)),
        )
        count = min(30, max(5, round(rng.gauss(15, 5))))
        categories = sorted(
            rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()), k=count),
            key=list(ConcernCategory).index,
        )
        risks = self.draw(
            words.RISKS,
            RISK_WEIGHTS,
            categories.count(ConcernCategory.IDENTIFIED)
            + categories.count(ConcernCategory.POTENTIAL),
        )
        missing = self.draw(
            words.MISSING_INFORMATION, MISSING_WEIGHTS, categories.count(ConcernCategory.MISSING)
        )
        names = iter([*risks, *missing])
        plan.concerns = [self.concern(next(names), category) for category in categories]
        plan.measures = self.additional_measures(plan.concerns)
        plan.studies = self.studies(plan.concerns)
        return plan

    def previous_plan(self, current):
        """The version ``current`` was started from: fewer concerns, fewer studies."""
        rng = self.rng
        major, minor = map(int, current.version.split("."))
        version = (
            f"{major}.{rng.randint(0, minor - 1)}" if minor else f"{major - 1}.{rng.randint(0, 3)}"
        )
        date = current.date - datetime.timedelta(days=rng.randint(180, 1500))
        published = self.moment(date + datetime.timedelta(days=rng.randint(14, 90)))
        kept = [i for i in range(len(current.concerns)) if rng.random() < 0.8]
        if len(kept) == len(current.concerns):
            kept.remove(rng.choice(kept))
        concerns = [current.concerns[i] for i in kept or [0]]
        if rng.random() < 0.3 and len(concerns) < len(current.concerns) - 1:
            # A risk this version had and the current one dropped.
            taken = {concern.name.casefold() for concern in current.concerns}
            dropped = [
                name
                for name in self.draw(words.RISKS, RISK_WEIGHTS, 3)
                if name.casefold() not in taken
            ]
            if dropped:
                risks = sum(1 for c in concerns if c.category != ConcernCategory.MISSING)
                concerns.insert(risks, self.concern(dropped[0], ConcernCategory.POTENTIAL))
        where = {id(concern): index for index, concern in enumerate(concerns)}
        position = {
            index: where[id(concern)]
            for index, concern in enumerate(current.concerns)
            if id(concern) in where
        }
        measures = []
        for measure in current.measures:
            linked = [position[i] for i in measure.concerns if i in position]
            if linked:
                measures.append(replace(measure, concerns=linked))
        studies = []
        for study in current.studies:
            if rng.random() < 0.75:
                milestones = [
                    replace(
                        m,
                        reported_on=m.reported_on
                        if m.reported_on and m.reported_on <= date
                        else None,
                    )
                    for m in study.milestones
                ]
                status = (
                    StudyStatus.ONGOING if study.status == StudyStatus.COMPLETED else study.status
                )
                studies.append(
                    replace(
                        study,
                        status=status,
                        concerns=[position[i] for i in study.concerns if i in position],
                        milestones=milestones,
                    )
                )
        return PlanSpec(
            version=version,
            date=date,
            status=PlanStatus.SUPERSEDED,
            published_at=published,
            submitted_at=published - datetime.timedelta(days=rng.randint(1, 14)),
            superseded_at=current.published_at,
            concerns=concerns,
            measures=measures,
            studies=studies,
        )

    def moment(self, day):
        day = min(day, BASE_DATE)
        return datetime.datetime.combine(
            day, datetime.time(9 + self.rng.randint(0, 8), self.rng.randint(0, 59)), datetime.UTC
        )

    def draw(self, vocabulary, weights, count):
        """``count`` different entries, the first ones of ``vocabulary`` more likely."""
        chosen = {}
        while len(chosen) < count:
            entry = vocabulary[self.rng.choices(range(len(vocabulary)), cum_weights=weights)[0]]
            chosen.setdefault(entry, None)
        return list(chosen)

    # Safety concerns and their routine measures

    def concern(self, entry, category):
        rng = self.rng
        missing = category == ConcernCategory.MISSING
        name, hint = entry if missing else (entry, "")
        fields = {
            **self.fields,
            "concern": lower_first(name),
            "factor": rng.choice(words.RISK_FACTORS),
            "factor2": rng.choice(words.RISK_FACTORS),
            "comedication": rng.choice(words.COMEDICATIONS),
        }
        concern = ConcernSpec(name=name, category=category, lineage=self.uuid())
        if not missing and rng.random() < 0.55:
            concern.evidence = prose(
                self.rng, words.EVIDENCE_SENTENCES, rng.randint(150, 1400), fields
            )
        if rng.random() < (0.15 if missing else 0.5):
            concern.risk_factors = prose(
                self.rng, words.RISK_FACTOR_SENTENCES, rng.randint(100, 1000), fields
            )
        concern.routine = self.routine_measures(hint, fields)
        return concern

    def references(self, hint):
        rng = self.rng
        if self.region == Region.US:
            document = Document.US_PRESCRIBING_INFORMATION
            if hint:
                return [(document, "8")] + ([(document, "2")] if rng.random() < 0.3 else [])
            chances = RISK_SECTIONS[Region.US]
        elif hint:
            references = [(Document.SMPC, section) for section in hint.split()]
            if rng.random() < 0.5:
                references.append((Document.PACKAGE_LEAFLET, "2"))
            return references
        else:
            chances = RISK_SECTIONS[Region.EU]
        references = [key for key, chance in chances.items() if rng.random() < chance]
        first = next(iter(chances))
        if not any(document == first[0] for document, _ in references):
            references.insert(0, first)
        return sorted(references, key=lambda key: (key[0] != first[0], section_sort_key(key[1])))

    def routine_measures(self, hint, fields):
        rng = self.rng
        count = rng.choices([1, 2, 3, 4], [30, 45, 20, 5])[0]
        references = self.references(hint)
        leaflet = [key for key in references if key[0] == Document.PACKAGE_LEAFLET]
        main = [key for key in references if key[0] != Document.PACKAGE_LEAFLET]
        groups = [main, leaflet] if leaflet and count > 1 else [references]
        measures = [
            RoutineSpec(RoutineMeasureKind.LABELLING, labelling_text(rng, group), tuple(group))
            for group in groups
        ]
        kinds = dict(OTHER_ROUTINE_WEIGHTS)
        while len(measures) < count:
            kind = _pick(rng, kinds)
            del kinds[kind]
            text = rng.choice(OTHER_ROUTINE_TEXTS[kind]).format_map(fields)
            measures.append(RoutineSpec(kind, text))
        return measures

    # Additional measures and studies

    def additional_measures(self, concerns):
        rng = self.rng
        count = rng.choices([0, 1, 2, 3], [72, 20, 6, 2])[0]
        risks = [i for i, c in enumerate(concerns) if c.category != ConcernCategory.MISSING]
        candidates = risks or list(range(len(concerns)))
        kinds = dict(ADDITIONAL_KIND_WEIGHTS)
        measures = []
        for _ in range(count):
            kind = _pick(rng, kinds)
            del kinds[kind]
            names, description = words.ADDITIONAL_MEASURES[kind]
            size = rng.randint(min(2, len(candidates)), max(2, min(len(candidates), 10)))
            linked = sorted(rng.sample(candidates, min(size, len(candidates))))
            named = join([lower_first(concerns[i].name) for i in linked[:3]])
            measures.append(
                MeasureSpec(
                    kind=kind,
                    name=rng.choice(names),
                    description=description.format_map({**self.fields, "concerns": named}),
                    lineage=self.uuid(),
                    concerns=linked,
                )
            )
        return measures

    def studies(self, concerns):
        rng = self.rng
        count = rng.choices(range(9), [8, 12, 18, 20, 16, 11, 7, 5, 3])[0]
        conditional = self.status in {
            AuthorisationStatus.CONDITIONAL,
            AuthorisationStatus.EXCEPTIONAL,
        }
        category_weights = [10, 35, 55] if conditional else [12, 0, 88]
        codes, studies = set(), []
        for _ in range(count):
            design = _pick(rng, DESIGN_WEIGHTS)
            linked = sorted(rng.sample(range(len(concerns)), min(len(concerns), rng.randint(1, 4))))
            named = join([lower_first(concerns[i].name) for i in linked[:2]])
            fields = {
                **self.fields,
                "concern": lower_first(concerns[linked[0]].name),
                "concerns": named,
            }
            code = ""
            if rng.random() < 0.65:
                code = f"{rng.choice(words.STUDY_CODE_PREFIXES)}{rng.randint(10000, 99999)}"
                code = "" if code in codes else code  # unique in the plan
                codes.add(code)
            status = _pick(rng, STUDY_STATUS_WEIGHTS)
            studies.append(
                StudySpec(
                    code=code,
                    short_name=rng.choice(words.STUDY_SHORT_NAMES[design])
                    if rng.random() < 0.5
                    else "",
                    title=rng.choice(words.STUDY_TITLES[design]).format_map(fields),
                    category=rng.choices(list(StudyCategory), category_weights)[0].value,
                    design=design,
                    purpose=rng.choice(words.STUDY_PURPOSES).format_map(fields),
                    status=status,
                    lineage=self.uuid(),
                    concerns=linked,
                    milestones=self.milestones(status),
                )
            )
        return studies

    def milestones(self, status):
        """Milestones fitting the study's status; an ongoing study's past ones may be overdue."""
        rng = self.rng
        days = rng.randint
        if status == StudyStatus.PLANNED:
            plan = [
                (words.MILESTONE_PROTOCOL, days(-200, 400)),
                (words.MILESTONE_FINAL, days(700, 3000)),
            ]
        elif status == StudyStatus.ONGOING:
            plan = [(words.MILESTONE_START, days(-1500, -200))]
            if rng.random() < 0.6:
                plan.append((words.MILESTONE_INTERIM, days(-700, 700)))
            plan.append((words.MILESTONE_FINAL, days(-500, 2500)))
        elif status == StudyStatus.COMPLETED:
            plan = [
                (words.MILESTONE_START, days(-3000, -1500)),
                (words.MILESTONE_FINAL, days(-1400, -60)),
            ]
        else:
            plan = [(words.MILESTONE_FINAL, days(-900, -30))]
        milestones = []
        for description, offset in plan:
            target = BASE_DATE + datetime.timedelta(days=offset)
            milestone = MilestoneSpec(description, self.due_text(target))
            past = target < BASE_DATE
            if status in {StudyStatus.COMPLETED, StudyStatus.TERMINATED}:
                reported = True
            elif not past or description == words.MILESTONE_FINAL:
                reported = False  # a past final report of an unfinished study is overdue
            else:
                reported = description == words.MILESTONE_START or rng.random() < 0.5
            if reported:
                milestone.reported_on = min(target, BASE_DATE) - datetime.timedelta(
                    days=days(0, 60)
                )
            milestones.append(milestone)
        return milestones

    def due_text(self, day):
        """``day`` written as a plan would: 2027, 2026-09, 2025-03-31, Q3 2024, March 2026."""
        style = self.rng.choices(range(6), [25, 25, 20, 15, 5, 10])[0]
        if style == 0:
            return str(day.year)
        if style == 1:
            return f"{day:%Y-%m}"
        if style == 2:
            return day.isoformat()
        if style == 3:
            return f"Q{(day.month - 1) // 3 + 1} {day.year}"
        if style == 4:
            return f"{day:%B %Y}"
        return self.rng.choice(words.EVENT_DUE)

    # Product information

    def sections(self, plans):
        """The sections the plans cite, and the indication and leaflet section 1, with text."""
        cited = {key: [] for key in BASE_SECTIONS[self.region]}
        for plan in plans:
            for concern in plan.concerns:
                for measure in concern.routine:
                    for key in measure.references:
                        names = cited.setdefault(key, [])
                        if (
                            concern.category != ConcernCategory.MISSING
                            and concern.name not in names
                        ):
                            names.append(concern.name)
        keys = sorted(
            cited, key=lambda key: (Document.values.index(key[0]), section_sort_key(key[1]))
        )
        return [
            SectionSpec(
                document=document,
                section=section,
                title=STANDARD_TITLES[document][section].replace("the medicine", self.brand),
                text=section_text(
                    self.rng, self.fields, document, section, cited[(document, section)]
                ),
            )
            for document, section in keys
        ]
