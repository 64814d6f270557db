"""A synthetic product as plain data: what ``build`` makes and ``write`` stores."""

import datetime
import uuid
from dataclasses import dataclass, field


@dataclass
class RoutineSpec:
    kind: str
    text: str
    references: tuple = ()  # ((document, section), ...)


@dataclass
class ConcernSpec:
    name: str
    category: str
    lineage: uuid.UUID
    evidence: str = ""
    risk_factors: str = ""
    routine: list = field(default_factory=list)


@dataclass
class MeasureSpec:
    kind: str
    name: str
    description: str
    lineage: uuid.UUID
    concerns: list  # positions in the plan's concerns


@dataclass
class MilestoneSpec:
    description: str
    due: str  # as a plan writes it: 2027, 2026-09, Q3 2024, Within 6 months of LPLV
    reported_on: datetime.date | None = None


@dataclass
class StudySpec:
    code: str
    short_name: str
    title: str
    category: int
    design: str
    purpose: str
    status: str
    lineage: uuid.UUID
    concerns: list  # positions in the plan's concerns
    milestones: list


@dataclass
class PlanSpec:
    version: str
    date: datetime.date
    status: str
    published_at: datetime.datetime
    submitted_at: datetime.datetime
    superseded_at: datetime.datetime | None = None
    concerns: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    studies: list = field(default_factory=list)


@dataclass
class SectionSpec:
    document: str
    section: str
    title: str
    text: str


@dataclass
class ProductSpec:
    number: int
    slug: str
    name: str
    substances: tuple  # names
    company: str
    region: str
    authorisation_status: str
    procedure_number: str
    authorisation_numbers: str
    indication: str
    route: str
    pharmaceutical_form: str
    sections: list
    plans: list  # oldest first; the last one is the current published version
