"""Studies of the post-authorisation development plan (II.C) and their links to concerns."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from risks.partial_dates import parse_due

from .measures import is_milestone, milestone_parts, milestones_in
from .text import ABBREVIATION_LINE, TABLE_CAPTION, normalise_key, paragraphs

_PURPOSE = re.compile(
    r"^(?:purposes?\s+of\s+the\s+study|study\s+purposes?|rationale\s+and\s+study\s+objectives?)"
    r"\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TITLE_MARKER = re.compile(r"^study\s+short\s+name\s+and\s+title\s*:?\s*(?P<rest>.*)$", re.I)
_STARTS = re.compile(
    r"^(?:purposes?\s+of\s+the\s+study|study\s+purposes?|rationale\s+and\s+study\s+objectives?|"
    r"study\s+short\s+name\s+and\s+title)\b",
    re.IGNORECASE,
)
_SPECIFIC = re.compile(r"specific\s+obligation", re.IGNORECASE)
_NO_STUDIES = re.compile(r"^there\s+are\s+no\s+studies|^not\s+applicable|^none\.?$", re.I)
# A study code: capitals with a digit ("RLV40117", "RVX-3001"), or capitals joined by hyphens
# without one ("ABC-LTFU", "CORDEX-REG").
_CODE = re.compile(
    r"\b(?:(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z]{2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*\d"
    r"|[A-Z][A-Z0-9]{1,11}(?:-[A-Z][A-Z0-9]{1,11})+)\b(?!-)"
)
_CATEGORY = re.compile(r"\(\s*cat(?:egory|\.)?\s*(?P<number>[123])\s*\)", re.IGNORECASE)
_STOP = {
    "study", "studies", "pass", "the", "of", "a", "an", "in", "for", "to", "and", "non",
    "interventional", "post", "authorisation", "safety", "with", "on", "by", "s",
}  # fmt: skip
_DESIGNS = [
    ("registry", r"\bregistr(?:y|ies)\b"),
    ("drug_utilisation", r"\bdrug\s+utili[sz]ation\b|\bDUS\b"),
    (
        "clinical_trial",
        r"\brandomi[sz]ed\b|\bsingle[- ]arm\b|\bphase\s+(?:[1-4]|I{1,3}V?)\b|\bdouble[- ]blind|"
        r"\bplacebo\b|\brater[- ]blinded\b|^open[- ]label\b|\bclinical\s+trial\b",
    ),
    ("observational_cohort", r"\bobservational\b|\bcohort\b|\bnon[- ]interventional\b"),
]


@dataclass
class ParsedStudy:
    title: str
    category: int
    short_name: str = ""
    code: str = ""
    purpose: str = ""
    milestones: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    key: str = ""
    concern_text: str = ""  # the text of a "safety concerns addressed" cell, if any

    @property
    def design(self):
        text = f"{self.short_name} {self.title}"
        for design, pattern in _DESIGNS:
            if re.search(pattern, text, re.IGNORECASE | re.MULTILINE):
                return design
        return "other"

    def add_milestone(self, description, due):
        for existing, existing_due in self.milestones:
            if existing.casefold() == description.casefold():
                if existing_due != due:
                    self.warnings.append(
                        f"“{description}” is due “{existing_due}” in one place and “{due}” in "
                        "another; the first was kept."
                    )
                return
        try:
            parse_due(due)
        except ValueError:
            self.warnings.append(f"Milestone “{description}: {due}” has no date the site can read.")
            return
        self.milestones.append((description, due))

    def as_data(self):
        return {
            "key": self.key,
            "code": self.code,
            "short_name": self.short_name,
            "title": self.title,
            "category": self.category,
            "design": self.design,
            "purpose": self.purpose,
            "status": "ongoing",
            "milestones": [{"description": d, "due": due} for d, due in self.milestones],
            "warnings": self.warnings,
        }


class _ParagraphStart:
    """A line that starts a paragraph of its own: a label of the template, or a milestone
    ("Interim report: Q2 2026" under a purpose that filled the line above)."""

    @staticmethod
    def match(text):
        return _STARTS.match(text) or (text[:1].isupper() and is_milestone(text))


def parse_studies(lines, *, category):
    lines = without_furniture(lines)
    items = paragraphs(lines, bullets_absorb=False, starts=_ParagraphStart)
    starts = [i for i, item in enumerate(items) if _PURPOSE.match(item.text)]
    if not starts:
        starts = [i for i, item in enumerate(items) if _TITLE_MARKER.match(item.text)]
        return [_marked_study(items, i, starts, category) for i in starts]
    studies, floor = [], 0
    for number, start in enumerate(starts):
        heading = [item for item in items[floor:start] if not _NO_STUDIES.match(item.text)]
        title_item = heading[-1] if heading else None
        short = heading[-2] if len(heading) > 1 and _is_short_name(heading[-2]) else None
        next_start = starts[number + 1] if number + 1 < len(starts) else len(items)
        next_heading = _heading_start(items, start + 1, next_start)
        body = items[start:next_heading]
        first = _PURPOSE.match(body[0].text).group("rest")
        study = _study(title_item.text if title_item else "", short, category)
        if category == 1 and any(_SPECIFIC.search(item.text) for item in heading):
            study.category = 2
        purpose_items = ([first] if first else []) + body[1:]
        study.purpose = _purpose(purpose_items, study)
        studies.append(study)
        floor = next_heading
    return studies


def without_furniture(lines):
    """Drop table captions (and their wrapped lines) and abbreviation lines."""
    kept, skipping = [], None
    for line in lines:
        if not line:
            skipping = None
            kept.append(line)
        elif skipping == "caption" and line[:1].islower():
            continue
        elif skipping == "abbreviations":
            skipping = None if line.endswith(".") else skipping
        elif TABLE_CAPTION.match(line):
            skipping = "caption"
        elif ABBREVIATION_LINE.match(line):
            skipping = None if line.endswith(".") else "abbreviations"
        else:
            skipping = None
            kept.append(line)
    return kept


def _heading_start(items, low, high):
    """Index where the next study's heading (title, maybe a short name) begins."""
    if high >= len(items):
        return high
    start = high - 1
    if start - 1 >= low and _is_short_name(items[start - 1]):
        start -= 1
    if start - 1 >= low and items[start - 1].text.endswith(":"):
        start -= 1  # "The following study is a specific obligation ...:"
    return max(start, low)


def _is_short_name(item):
    text = item.text.strip()
    return (
        not item.bullet
        and len(text.split()) <= 8
        and not re.search(r"[.:;]$", text)
        and not is_milestone(text)
    )


def _study(title, short, category):
    title = " ".join(title.split())
    study = ParsedStudy(title=title, category=category)
    explicit = _CATEGORY.search(title)
    if explicit:
        study.category = int(explicit.group("number"))
        title = _CATEGORY.sub("", title).strip()
    elif category == 1 and re.search(r"specific\s+obligation", title, re.I):
        study.category = 2
    prefix = re.match(r"^(?P<prefix>[^:]{2,60}?):\s+(?P<rest>.+)$", title)
    if prefix and _CODE.search(prefix.group("prefix")):
        study.short_name = prefix.group("prefix").strip()
        title = prefix.group("rest")
    if short is not None:
        study.short_name = re.sub(
            r"^study\s+short\s+name\s*:\s*", "", short.text.strip(), flags=re.I
        )
    code = _CODE.search(f"{study.short_name} {title}")
    study.code = code.group() if code else ""
    study.title = title.strip().rstrip(".")
    if not study.title:
        study.title = study.short_name or "Untitled study"
        study.warnings.append("No study title found.")
    return study


def _purpose(items, study):
    texts = []
    for item in items:
        text = item if isinstance(item, str) else item.text
        several = milestones_in(text)
        if several:
            for description, due in several:
                study.add_milestone(description, due)
            continue
        milestone = is_milestone(text)
        if milestone:
            study.add_milestone(*milestone_parts(milestone))
            continue
        if not isinstance(item, str) and item.bullet:
            if texts:
                texts[-1] = f"{texts[-1]}\n- {text}"
            else:
                texts.append(f"- {text}")
        else:
            texts.append(text)
    purpose = "\n\n".join(texts)
    return purpose


def _marked_study(items, index, starts, category):
    end = next((s for s in starts if s > index), len(items))
    title = _TITLE_MARKER.match(items[index].text).group("rest")
    study = _study(title, None, category)
    study.purpose = _purpose(items[index + 1 : end], study)
    return study


def _tokens(text):
    words = re.findall(r"[a-z0-9]+", normalise_key(text).replace("iz", "is"))
    return {word for word in words if word not in _STOP}


def link_activities(concerns, studies):
    """Link each concern to the studies its II.B table names; add milestones found there.

    An activity that matches no II.C study becomes a study of its own, with a warning.
    """
    for study in studies:
        study.key = slugify(study.code or study.short_name or study.title)[:50] or "study"
    _unique_keys(studies)
    for concern in concerns:
        keys = []
        for activity in concern.activities:
            study = _match(activity.name, studies)
            if study is None:
                study = ParsedStudy(title=activity.name, category=3, short_name=activity.name)
                code = _CODE.search(activity.name)
                study.code = code.group() if code else ""
                study.key = slugify(activity.name)[:50] or "study"
                study.warnings.append(
                    "Named under additional pharmacovigilance activities in II.B but not "
                    "described in II.C: category 3 assumed; check it."
                )
                studies.append(study)
                _unique_keys(studies)
            elif not study.short_name or not study.code or study.code in activity.name:
                study.short_name = activity.name  # the name the plan uses for it in II.B
            for description, due in activity.milestones:
                study.add_milestone(description, due)
            keys.append(study.key)
        concern.study_keys = list(dict.fromkeys(keys))


def _unique_keys(studies):
    seen = set()
    for study in studies:
        key, number = study.key, 2
        while key in seen:
            key, number = f"{study.key}-{number}", number + 1
        study.key = key
        seen.add(key)


def _match(name, studies):
    code = _CODE.search(name)
    if code:
        for study in studies:
            if study.code == code.group():
                return study
    words = _tokens(name)
    if not words:
        return None
    best, best_score = None, 0.0
    for study in studies:
        candidate = _tokens(f"{study.short_name} {study.title}")
        score = len(words & candidate) / len(words)
        if score > best_score:
            best, best_score = study, score
    return best if best_score >= 0.6 else None
