"""Who changed a plan version: the people whose recorded changes made it what it is.

Four eyes rests on this. A reviewer may publish a version only if they changed nothing in
it, at any time since it was created (imported, added or copied from the version before):
not the version's own fields, nor any part of it (safety concerns, routine measures,
section references, additional measures, studies, milestones, import warnings), parts
deleted since included. The history says who: every write is recorded with its user
(``audit.context``), so ``editors(plan)`` reads the historical rows of the version and of
everything that ever belonged to it.

The parts are found from the models, not listed by hand: every audited model whose
foreign key leads to the version, directly or through another part. A part added to the
plan later is covered as soon as it keeps its history.

Workflow steps (submitted, sent back, published, superseded) are rows of the version
that change its status and nothing it says; they are not edits, so a reviewer who sends
a version back may still publish it once it is resubmitted.
"""

import functools
from dataclasses import dataclass

from django.db.models import Max

from .models import RiskManagementPlan

# Fields of a version that only the workflow and the revision counter move.
WORKFLOW_FIELDS = frozenset(
    {
        "status",
        "submitted_at",
        "submitted_by",
        "published_at",
        "published_by",
        "superseded_at",
        "revision",
        "updated_at",
        "last_edited_by",
    }
)


@dataclass(frozen=True)
class _Level:
    model: type
    parent_attname: str  # the foreign key column that ties a row to its container
    parent: type  # the container's model


def _history_manager(model):
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


@functools.cache
def part_levels():
    """The audited models inside a plan version, containers before their parts."""
    levels, seen, queue = [], {RiskManagementPlan}, [RiskManagementPlan]
    while queue:
        container = queue.pop(0)
        for relation in container._meta.related_objects:
            model = relation.related_model
            if not relation.one_to_many or model in seen or _history_manager(model) is None:
                continue
            seen.add(model)
            levels.append(_Level(model, relation.field.attname, container))
            queue.append(model)
    return tuple(levels)


def _is_workflow_step(previous, row):
    """A row of the version that only records a workflow step (its status changed)."""
    if previous is None or row.history_type != "~" or previous.status == row.status:
        return False
    return all(
        getattr(previous, field.attname) == getattr(row, field.attname)
        for field in _content_fields()
    )


@functools.cache
def _content_fields():
    kept = {field.name for field in RiskManagementPlan.history.model._meta.concrete_fields}
    return tuple(
        field
        for field in RiskManagementPlan._meta.concrete_fields
        if field.name in kept and field.name not in WORKFLOW_FIELDS | {"id"}
    )


def editors(plan):
    """{user id: when they last changed ``plan`` or a part of it}, from the history.

    One query for the version's own rows and one per level of parts, however large the
    version is. Changes made by the system (no user) are not anyone's.
    """
    last = {}

    def note(user_id, when):
        if user_id is not None and (user_id not in last or last[user_id] < when):
            last[user_id] = when

    rows = RiskManagementPlan.history.filter(id=plan.pk).order_by("history_date", "history_id")
    previous = None
    for row in rows:
        if not _is_workflow_step(previous, row):
            note(row.history_user_id, row.history_date)
        previous = row

    ids = {RiskManagementPlan: [plan.pk]}
    for level in part_levels():
        history = _history_manager(level.model)
        members = history.filter(**{f"{level.parent_attname}__in": ids[level.parent]})
        changes = (
            history.filter(id__in=members.values("id"))
            .values_list("id", "history_user_id")
            .annotate(last=Max("history_date"))
            .order_by()
        )
        found = set()
        for pk, user_id, when in changes:
            found.add(pk)
            note(user_id, when)
        ids[level.model] = sorted(found)
    return last


def last_edit_by(plan, user):
    """When ``user`` last changed ``plan`` or a part of it, or None if they never did."""
    if user is None or user.pk is None:
        return None
    return editors(plan).get(user.pk)
