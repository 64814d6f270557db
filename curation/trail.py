"""The audit trail of one plan version: every recorded change to it and to its parts.

``plan_trail(plan)`` reads the historical rows of the version and of everything that
belongs or belonged to it (parts deleted since included: historical rows keep their
foreign keys), compares each record with the record before it of the same object, in
Python, and returns readable entries, oldest first. A fixed number of queries reads the
whole trail, however long it is. ``plan_history(plan_pk)`` is the set of historical rows
it reads; the admin names the last change of a version from it too.

A version started from another (``risks.workflow.start_new_version``) begins with one
"Created" row per part copied, hundreds for a large plan, written by one change. Those rows
are marked ``from_copy`` (``hide_copied`` leaves them out): the parts' rows that follow the
version's "Started as a copy" row with the same user and reason, without a pause of more than
``COPY_PAUSE`` between them, until the first row of another change.
"""

import bisect
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from common.exports import csv_safe
from imports.models import ImportLog, ImportWarning
from products.documents import Document
from products.models import Product
from risks.models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)

SYSTEM = "~system"  # the user filter's value for changes made without a user
SYSTEM_LABEL = "system"
LONG_TEXT = 160  # characters from which a value is folded on the page
COPY_PAUSE = timedelta(seconds=60)  # a copy writes its rows in one transaction, without pause

# Bookkeeping that changes with every save, and identifiers nobody reads.
HIDDEN_FIELDS = {"id", "lineage", "revision", "updated_at", "last_edited_by"}

CREATED, CHANGED, DELETED = "Created", "Changed", "Deleted"
COPY_ACTION = "Started as a copy of version"
STATUS_ACTIONS = {
    PlanStatus.IN_REVIEW: "Submitted for review",
    PlanStatus.PUBLISHED: "Published",
    PlanStatus.DRAFT: "Sent back to draft",
    PlanStatus.SUPERSEDED: "Superseded",
}


class ItemKind(models.TextChoices):
    PLAN = "plan", "Plan version"
    SAFETY_CONCERN = "safety_concern", "Safety concern"
    ROUTINE_MEASURE = "routine_measure", "Routine measure"
    SECTION_REFERENCE = "section_reference", "Section reference"
    ADDITIONAL_MEASURE = "additional_measure", "Additional measure"
    STUDY = "study", "Study"
    MILESTONE = "milestone", "Milestone"
    IMPORT_WARNING = "import_warning", "Import warning"


KIND_ORDER = {kind: index for index, kind in enumerate(ItemKind)}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's verbose name, capitalised
    old: str  # "" when empty or for the initial value of a created item
    new: str
    summary: bool = False  # ``new`` says what happened ("added: X; removed: Y")

    @property
    def old_is_long(self):
        return _is_long(self.old)

    @property
    def new_is_long(self):
        return _is_long(self.new)


@dataclass(frozen=True)
class Entry:
    when: datetime  # aware, UTC
    username: str  # "" for the system
    who: str  # "jdoe (Jane Doe)", or "system"
    action: str
    kind: ItemKind
    item: str
    changes: tuple[FieldChange, ...]
    reason: str
    history_type: str  # '+', '~' or '-'
    sort_key: tuple
    from_copy: bool = False  # written by copying the version it was started from

    @property
    def user_key(self):
        """The value of the user filter that selects this entry."""
        return self.username or SYSTEM

    @property
    def is_created(self):
        return self.history_type == "+"

    @property
    def is_deleted(self):
        return self.history_type == "-"

    @property
    def is_copy_start(self):
        return self.kind is ItemKind.PLAN and self.action.startswith(COPY_ACTION)


def who(user):
    """ "jdoe (Jane Doe)", "jdoe", or "system" when no user made the change."""
    if user is None:
        return SYSTEM_LABEL
    full_name = user.get_full_name().strip()
    return f"{user.get_username()} ({full_name})" if full_name else user.get_username()


def utc(moment):
    return moment.astimezone(UTC)


def _is_long(text):
    return len(text) > LONG_TEXT or "\n" in text


def plan_trail(plan):
    """Every recorded change to ``plan`` and its parts, as entries, oldest first."""
    return _TrailBuilder(plan).entries()


def hide_copied(entries):
    """The entries without those written by copying the version a version was started from."""
    return [entry for entry in entries if not entry.from_copy]


def _mark_copied(entries):
    """Mark the rows written by the copy that started the version (see the module docstring)."""
    start = next((index for index, entry in enumerate(entries) if entry.is_copy_start), None)
    if start is None:
        return entries
    copy = entries[start]
    marked, last = list(entries), copy.when
    for index in range(start + 1, len(entries)):
        entry = entries[index]
        same_change = (
            entry.kind is not ItemKind.PLAN
            and entry.history_type in ("+", "~")
            and entry.username == copy.username
            and entry.reason == copy.reason
            and entry.when - last <= COPY_PAUSE
        )
        if not same_change:
            break
        marked[index], last = replace(entry, from_copy=True), entry.when
    return marked


def filter_entries(entries, *, kind="", user=""):
    return [
        entry
        for entry in entries
        if (not kind or entry.kind == kind) and (not user or entry.user_key == user)
    ]


def facet_counts(entries, *, kind="", user=""):
    """Entries per kind (under the user filter) and per user (under the kind filter)."""
    kinds = Counter(entry.kind for entry in filter_entries(entries, user=user))
    users = Counter(entry.user_key for entry in filter_entries(entries, kind=kind))
    return kinds, users


CSV_COLUMNS = [
    "timestamp_utc",
    "user",
    "action",
    "item_type",
    "item",
    "field",
    "old_value",
    "new_value",
    "reason",
]


def csv_rows(entries):
    """One row per changed field; an entry without field changes gets one row."""
    for entry in entries:
        stamp = utc(entry.when).strftime("%Y-%m-%dT%H:%M:%SZ")
        head = [stamp, entry.who, entry.action, entry.kind.label, entry.item]
        changes = entry.changes or [FieldChange("", "", "")]
        for change in changes:
            yield [
                csv_safe(value)
                for value in [*head, change.field, change.old, change.new, entry.reason]
            ]


@dataclass(frozen=True)
class _Source:
    kind: ItemKind
    model: type
    parent: str  # the field that ties an item to its container
    container: ItemKind | None  # the kind of that container among the trail's items
    m2m: str = ""  # the many-to-many field whose snapshots the history keeps


# Containers before their parts.
SOURCES = [
    _Source(ItemKind.PLAN, RiskManagementPlan, "product", None),
    _Source(ItemKind.SAFETY_CONCERN, SafetyConcern, "plan", ItemKind.PLAN),
    _Source(ItemKind.ROUTINE_MEASURE, RoutineMeasure, "safety_concern", ItemKind.SAFETY_CONCERN),
    _Source(
        ItemKind.SECTION_REFERENCE, SectionReference, "routine_measure", ItemKind.ROUTINE_MEASURE
    ),
    _Source(
        ItemKind.ADDITIONAL_MEASURE, AdditionalMeasure, "plan", ItemKind.PLAN, "safety_concerns"
    ),
    _Source(ItemKind.STUDY, Study, "plan", ItemKind.PLAN, "safety_concerns"),
    _Source(ItemKind.MILESTONE, Milestone, "study", ItemKind.STUDY),
    _Source(ItemKind.IMPORT_WARNING, ImportWarning, "plan", ItemKind.PLAN),
]


def plan_history(plan_pk):
    """The historical rows of a plan version and of everything that ever belonged to it.

    {item kind: queryset}, containers before their parts, parts deleted since included:
    every row of every item that was ever in the version, found by a subquery per level
    ("the ids of the concerns that were ever in the plan", ...). The querysets are lazy;
    the audit trail reads them all, the admin's concurrency check only the newest row.
    """
    containers = {source.container for source in SOURCES}
    ever, ids = {}, {}
    for source in SOURCES:
        if source.container is None:
            ids[source.kind] = [plan_pk]
            ever[source.kind] = source.model.history.filter(id=plan_pk)
            continue
        lookup = {f"{source.parent}_id__in": ids[source.container]}
        members = source.model.history.filter(**lookup).values("id")
        ever[source.kind] = source.model.history.filter(id__in=members)
        if source.kind in containers:
            # Read the ids of a container level now, so that no query nests more than
            # one subquery: PostgreSQL can pick a nested loop of sequential scans for
            # semi-joins three levels deep while its statistics are young.
            ids[source.kind] = list(members.order_by().distinct().values_list("id", flat=True))
    return ever


class _Names:
    """What each object was called at a given moment, from its own historical rows."""

    def __init__(self, groups, name):
        self._timelines = {
            pk: ([row.history_date for row in rows], [name(row) for row in rows])
            for pk, rows in groups.items()
        }

    def at(self, pk, moment):
        if pk not in self._timelines:
            return None
        dates, names = self._timelines[pk]
        return names[max(bisect.bisect_right(dates, moment) - 1, 0)]


class _TrailBuilder:
    def __init__(self, plan):
        self.plan = plan

    def entries(self):
        self._read()
        self._name_items()
        entries = []
        for source in SOURCES:
            for rows in self.groups[source.kind].values():
                for previous, row in zip([None, *rows], rows, strict=False):
                    entry = self._entry(source, previous, row)
                    if not _counts_an_edit(source, previous, row, entry):
                        entries.append(entry)
        return _mark_copied(sorted(entries, key=lambda entry: entry.sort_key))

    # Reading: one query per kind of item, one per many-to-many snapshot, four for names.

    def _read(self):
        ever = plan_history(self.plan.pk)
        self.groups, members = {}, {}
        for source in SOURCES:
            rows = ever[source.kind].select_related("history_user")
            groups = _group(rows.order_by("history_date", "history_id"))
            if source.container is None:
                members[source.kind] = {self.plan.pk}
            else:
                parent_ids = members[source.container]
                groups = _while_belonging(groups, f"{source.parent}_id", parent_ids)
                members[source.kind] = set(groups)
            self.groups[source.kind] = groups

        self.snapshots = {
            source.kind: _snapshots(source, ever[source.kind]) for source in SOURCES if source.m2m
        }
        self._read_names(ever)

    def _read_names(self, ever):
        """Names of what the records point to outside the trail: plans, products, users."""
        own = ever[ItemKind.PLAN]
        plans = Q(pk__in=own.values("copied_from_id"))
        for source in SOURCES:
            if source.container is ItemKind.PLAN:
                plans |= Q(pk__in=ever[source.kind].values("plan_id"))
        self.plans = {
            item.pk: item
            for item in RiskManagementPlan.objects.filter(plans).select_related("product")
        }
        self.products = {
            item.pk: item.name for item in Product.objects.filter(pk__in=own.values("product_id"))
        }
        users = get_user_model().objects.filter(
            Q(pk__in=own.values("submitted_by_id")) | Q(pk__in=own.values("published_by_id"))
        )
        self.users = {user.pk: who(user) for user in users}
        logs = ImportLog.objects.filter(
            pk__in=ever[ItemKind.IMPORT_WARNING].values("import_log_id")
        )
        self.import_logs = {log.pk: str(log) for log in logs}

    def _name_items(self):
        groups = self.groups
        self.concerns = _Names(groups[ItemKind.SAFETY_CONCERN], lambda row: row.name)
        self.studies = _Names(groups[ItemKind.STUDY], _study_name)
        self.measures = _Names(
            groups[ItemKind.ROUTINE_MEASURE],
            lambda row: f"routine measure of “{self._concern(row.safety_concern_id, row)}”",
        )
        self.deleted_concerns = {
            pk: rows[-1].history_date
            for pk, rows in groups[ItemKind.SAFETY_CONCERN].items()
            if rows[-1].history_type == "-"
        }

    # Describing one record.

    def _entry(self, source, previous, row):
        fields = _fields(source.model)
        if row.history_type == "-":
            changes = ()
        elif row.history_type == "+" or previous is None:
            changes = self._initial_values(source, fields, row)
        else:
            changes = self._changes(source, fields, previous, row)
        user = row.history_user
        return Entry(
            when=utc(row.history_date),
            username=user.get_username() if user else "",
            who=who(user),
            action=self._action(source, previous, row),
            kind=source.kind,
            item=self._item(source.kind, row),
            changes=changes,
            reason=row.history_change_reason or "",
            history_type=row.history_type,
            sort_key=(row.history_date, KIND_ORDER[source.kind], row.history_id),
        )

    def _action(self, source, previous, row):
        if row.history_type == "-":
            return DELETED
        if source.kind is ItemKind.PLAN:
            if row.history_type == "+" and row.copied_from_id:
                copied = self.plans.get(row.copied_from_id)
                version = copied.version if copied else "(since deleted)"
                return f"{COPY_ACTION} {version}"
            if previous is not None and previous.status != row.status:
                return STATUS_ACTIONS.get(row.status, CHANGED)
        return CREATED if row.history_type == "+" else CHANGED

    def _item(self, kind, row):
        when = row.history_date
        if kind is ItemKind.PLAN:
            product = self.products.get(row.product_id, self.plan.product.name)
            return f"{product} RMP version {row.version}"
        if kind is ItemKind.SAFETY_CONCERN:
            return f"Safety concern “{row.name}”"
        if kind is ItemKind.ROUTINE_MEASURE:
            return f"Routine measure of “{self._concern(row.safety_concern_id, row)}”"
        if kind is ItemKind.SECTION_REFERENCE:
            measure = self.measures.at(row.routine_measure_id, when) or "a routine measure"
            return f"Section reference {_reference_label(row)} ({measure})"
        if kind is ItemKind.ADDITIONAL_MEASURE:
            return f"Additional measure “{row.name}”"
        if kind is ItemKind.STUDY:
            return f"Study {_study_name(row)}"
        if kind is ItemKind.MILESTONE:
            study = self.studies.at(row.study_id, when) or f"#{row.study_id}"
            return f"Milestone “{row.description}” of study {study}"
        return f"Import warning ({row.subject})"

    def _concern(self, pk, row):
        return self.concerns.at(pk, row.history_date) or f"safety concern #{pk}"

    def _initial_values(self, source, fields, row):
        changes = []
        for field in fields:
            if field.name in {source.parent, "position"}:
                continue
            value = self._display(field, getattr(row, field.attname), row)
            if value:
                changes.append(FieldChange(_label(field), "", value))
        if source.m2m:
            names = self._concern_names(self.snapshots[source.kind].get(row.history_id, ()), row)
            if names:
                changes.append(FieldChange(_m2m_label(source), "", "; ".join(names)))
        return tuple(changes)

    def _changes(self, source, fields, previous, row):
        changes = []
        for field in fields:
            old, new = getattr(previous, field.attname), getattr(row, field.attname)
            if old != new:
                changes.append(
                    FieldChange(
                        _label(field),
                        self._display(field, old, previous),
                        self._display(field, new, row),
                    )
                )
        if source.m2m:
            snapshots = self.snapshots[source.kind]
            before = snapshots.get(previous.history_id, frozenset())
            after = snapshots.get(row.history_id, frozenset())
            # Deleting a concern removes its links without a record of the measure or study;
            # the concern's own deletion entry says so, so it is not repeated here.
            removed = {
                pk
                for pk in before - after
                if not self._deleted_between(pk, previous.history_date, row.history_date)
            }
            parts = []
            if added := self._concern_names(after - before, row):
                parts.append("added: " + "; ".join(added))
            if removed := self._concern_names(removed, previous):
                parts.append("removed: " + "; ".join(removed))
            if parts:
                changes.append(FieldChange(_m2m_label(source), "", "; ".join(parts), summary=True))
        return tuple(changes)

    def _deleted_between(self, concern_id, start, end):
        deleted = self.deleted_concerns.get(concern_id)
        return deleted is not None and start < deleted <= end

    def _concern_names(self, ids, row):
        return sorted((self._concern(pk, row) for pk in ids), key=str.casefold)

    def _display(self, field, value, row):
        if value is None or value == "":
            return ""
        if field.is_relation:
            return self._related(field.related_model, value, row)
        if field.flatchoices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return "Yes" if value else "No"
        if isinstance(field, models.DateTimeField):
            return utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")
        if isinstance(field, models.DateField):
            return value.isoformat()
        return str(value)

    def _related(self, model, pk, row):
        if model is RiskManagementPlan:
            plan = self.plans.get(pk)
            return str(plan) if plan else f"plan version #{pk} (since deleted)"
        if model is Product:
            return self.products.get(pk, f"product #{pk}")
        if model is SafetyConcern:
            return self._concern(pk, row)
        if model is RoutineMeasure:
            return self.measures.at(pk, row.history_date) or f"routine measure #{pk}"
        if model is Study:
            return self.studies.at(pk, row.history_date) or f"study #{pk}"
        if model is ImportLog:
            return self.import_logs.get(pk, f"import #{pk} (since deleted)")
        return self.users.get(pk, f"user #{pk}")


def _counts_an_edit(source, previous, row, entry):
    """A row of the version that only moves its revision for an edit of one of its parts
    (``risks.workflow.record_edit``): the part's own entry, with the same user, time and
    reason, says what changed, so the trail does not repeat it."""
    return (
        source.kind is ItemKind.PLAN
        and row.history_type == "~"
        and previous is not None
        and previous.revision != row.revision
        and not entry.changes
    )


def _group(rows):
    """{object id: [its historical rows, oldest first]}"""
    groups = defaultdict(list)
    for row in rows:
        groups[row.id].append(row)
    return dict(groups)


def _while_belonging(groups, parent_attname, parent_ids):
    """Keep the records made while the item belonged, and the one that moved it away."""
    kept = {}
    for pk, rows in groups.items():
        mine = [
            row
            for previous, row in zip([None, *rows], rows, strict=False)
            if getattr(row, parent_attname) in parent_ids
            or (previous is not None and getattr(previous, parent_attname) in parent_ids)
        ]
        if mine:
            kept[pk] = mine
    return kept


def _snapshots(source, rows):
    """{history_id: frozenset of concern ids} of the many-to-many field at each record."""
    field = source.model._meta.get_field(source.m2m)
    snapshot_model = getattr(source.model.history.model, source.m2m).model
    target = f"{field.m2m_reverse_field_name()}_id"
    links = defaultdict(set)
    query = snapshot_model.objects.filter(history_id__in=rows.values("history_id"))
    for history_id, concern_id in query.values_list("history_id", target):
        links[history_id].add(concern_id)
    return {history_id: frozenset(ids) for history_id, ids in links.items()}


@functools.cache
def _fields(model):
    """The fields the trail shows: those the history keeps (not derived ones), less hidden."""
    kept = {field.name for field in model.history.model._meta.concrete_fields}
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.name in kept and field.name not in HIDDEN_FIELDS
    )


def _label(field):
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _m2m_label(source):
    return _label(source.model._meta.get_field(source.m2m))


def _study_name(row):
    name = row.code or row.short_name or row.title
    return name if len(name) <= 80 else name[:79] + "…"


def _reference_label(row):
    """ "SmPC 4.4", as ``SectionReference.label`` says it."""
    document = Document(row.document).abbreviation if row.document in Document.values else ""
    return f"{document or row.document} {row.section}"
