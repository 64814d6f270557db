"""What changed between two versions of a product's risk management plan, for a reader.

``compare(old_plan, new_plan)`` returns a ``PlanComparison`` (``first_version(plan)`` the same
for a product's first version, everything in it added): safety concerns added, removed,
reclassified, renamed or with revised text; routine and additional risk minimisation measures
added, removed or revised; studies added, removed, completed, recategorised, and their
milestones moved, added, removed or reported. Versions are compared in the order given: the
older first is the usual reading; the other way round simply reads the changes backwards.

How items are matched across the two versions
---------------------------------------------
- **Safety concerns** first by ``lineage`` (``risks.workflow.start_new_version`` copies each
  concern with its lineage), then, among those left on both sides, by their normalised name
  (``risks.normalise.concern_key``), because a version imported from a document has fresh
  lineages. A matched concern whose name differs is *renamed*; whose category differs,
  *reclassified*. A change of position (order in the document) is ignored.
- **Evidence, risk factors and footnotes** of a matched concern are *revised* when their text
  differs other than in spacing or line breaks (an import re-flows lines); the old and the new
  text are both kept so that a page can show them side by side.
- **Routine measures** of a matched concern by kind and normalised text (case, spacing and a
  final full stop ignored). Measures left over on both sides *of the same kind* are paired as
  *revised* when their texts are similar (``difflib`` ratio of at least 0.6, or the shorter
  wording kept whole in the longer one: a clause added or dropped; the most similar pairs
  first); the others read as removed and added. Why: a curator who fixes a typo or adds a
  section number rewrites a sentence, and "revised: old text / new text" says exactly that,
  where "removed … added …" of two near-identical sentences would make the reader compare
  them by eye. Two unrelated sentences are never presented as a revision of each other, and
  a measure whose kind changed (wording → clinical setting) reads as removed and added. A
  change of case or of the final full stop alone is not listed.
- **Section references** of a kept or revised routine measure: the sections it now also
  cites and no longer cites ("now also cites SmPC 4.8").
- **Additional measures** by lineage, then by name (case and spacing ignored). For a matched
  measure: renamed, other kind, description revised, and the safety concerns it newly serves
  or no longer serves (concerns are paired as above, so a renamed concern is not "unlinked";
  a concern removed from the plan is not listed as unlinked either, its removal says it).
- **Studies** by lineage, then code, then short name, then title (case and spacing ignored).
  For a matched study: completed (status now completed), another status change, category,
  design, name, title and purpose, linked safety concerns, and **milestones**, matched by
  description (case and spacing ignored, in order of due date): moved (the due date as
  written changed), added, removed, newly reported (``reported_on`` set), report date changed
  or withdrawn.

Both plans are loaded in a fixed number of queries, whatever their size.

The modules
-----------
- ``comparison``: ``compare`` and ``comparison_prefetches``: loading both plans and building
  the comparison.
- ``matching``: which item of one version is which item of the other.
- ``report``: ``PlanComparison``, the whole comparison as a page reads it, with its counts and
  summary line.
- ``items``: the change records of the items in both versions (``ConcernChange``, ``Shift``,
  ``TextChange`` …).
- ``text``: texts normalised for matching, their similarity and a word-by-word diff.
"""

from .comparison import CONCERN_TEXTS, STUDY_TEXTS, compare, comparison_prefetches, first_version
from .items import (
    AdditionalMeasureChange,
    ConcernChange,
    LinkChanges,
    MeasureChange,
    MilestoneChange,
    Shift,
    StudyChange,
    TextChange,
)
from .matching import SIMILAR_TEXT
from .report import PlanComparison
from .text import word_diff

__all__ = [
    "CONCERN_TEXTS",
    "SIMILAR_TEXT",
    "STUDY_TEXTS",
    "AdditionalMeasureChange",
    "ConcernChange",
    "LinkChanges",
    "MeasureChange",
    "MilestoneChange",
    "PlanComparison",
    "Shift",
    "StudyChange",
    "TextChange",
    "compare",
    "comparison_prefetches",
    "first_version",
    "word_diff",
]
