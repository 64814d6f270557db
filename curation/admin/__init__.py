"""The curation admin of plan versions and their parts.

Only drafts can be changed: the pages of a version in review, published or superseded,
and of all its parts, are read-only for everyone (``drafts``). Every write carries a
reason, and a change anywhere in a version moves the version's ``revision``, the token that
detects concurrent edits (see ``audit.admin``). The plan page (``plans``) offers the
workflow steps (start a new version, submit for review, send back to draft, publish), each
confirmed on its own page with a reason (``steps``); ``risks.workflow`` does the work and
says no when it must. The parts have their own pages and inline tables (``parts``).

Importing the modules registers the admins.
"""

from . import (
    accounts,  # noqa: F401 (accounts are deactivated, never deleted)
    parts,
    plans,
    product_changes,  # noqa: F401 (reviewed changes of products)
    terms,  # noqa: F401 (the curated risk terms)
)
from .drafts import plan_guard, readonly_reason
from .steps import TRANSITIONS

__all__ = ["TRANSITIONS", "parts", "plan_guard", "plans", "readonly_reason"]
