"""Which item of one plan version is which item of the other.

``pair(old items, new items, *KEYS)`` (and ``pair_routine_measures``) returns ``(pairs, old
left, new left)``: the items found in both versions as (old, new, matched by) in the new
version's order, then the items of each version left unmatched (removed and added), each in
its own order. The rules, kind by kind (the ``*_KEYS`` below):

- Safety concerns: by ``lineage`` (a copy made by ``risks.workflow.start_new_version`` keeps
  it), then by normalised name (``risks.normalise.concern_key``): a version imported from a
  document has fresh lineages.
- Routine measures of a matched concern: by kind and wording (case, spacing and a final full
  stop ignored), then, of the same kind, by similar wording (``SIMILAR_TEXT``).
- Additional measures: by lineage, then by name (case and spacing ignored).
- Studies: by lineage, then code, then short name, then title (case and spacing ignored).
- Milestones of a matched study: by description (case and spacing ignored).

``LinkComparer`` reads the safety concerns a measure or study addresses through the concern
pairing, so that a renamed concern is the same concern in both versions.
"""

from risks.normalise import concern_key

from .items import LinkChanges
from .text import measure_text, similarity, text_key

SIMILAR_TEXT = 0.6  # similarity from which two routine measures read as one measure revised


def pair(old_items, new_items, *keys):
    """Pair the items of two versions, one key after the other: (pairs, old left, new left).

    Each key is (name, function); an item whose key is None is not matched by that key.
    Pairs come in the new version's order; the items left over keep their own order.
    """
    old_items, new_items = list(old_items), list(new_items)
    pairs, old_left, new_left = [], old_items, new_items
    for name, key in keys:
        candidates = {}
        for item in old_left:
            if (value := key(item)) is not None:
                candidates.setdefault(value, []).append(item)
        unmatched = []
        for item in new_left:
            value = key(item)
            if value is not None and candidates.get(value):
                pairs.append((candidates[value].pop(0), item, name))
            else:
                unmatched.append(item)
        paired = {id(old) for old, _, _ in pairs}
        old_left = [item for item in old_left if id(item) not in paired]
        new_left = unmatched
    return _in_order_of(new_items, pairs), old_left, new_left


def _in_order_of(new_items, pairs):
    """``pairs`` sorted in the order of their new item among ``new_items``."""
    order = {id(item): index for index, item in enumerate(new_items)}
    return sorted(pairs, key=lambda pair: order[id(pair[1])])


def _lineage(item):
    return item.lineage


# The keys ``pair`` matches each kind of item by, one after the other.
CONCERN_KEYS = (
    ("lineage", _lineage),
    ("name", lambda concern: concern_key(concern.name)),
)
ADDITIONAL_MEASURE_KEYS = (
    ("lineage", _lineage),
    ("name", lambda measure: text_key(measure.name)),
)
STUDY_KEYS = (
    ("lineage", _lineage),
    ("code", lambda study: text_key(study.code)),
    ("short name", lambda study: text_key(study.short_name)),
    ("title", lambda study: text_key(study.title)),
)
MILESTONE_KEYS = (("description", lambda milestone: text_key(milestone.description)),)
ROUTINE_MEASURE_KEYS = (("text", lambda measure: (measure.kind, measure_text(measure))),)


def pair_routine_measures(old_measures, new_measures):
    """The routine measures of two versions of a concern, by wording, then by similar wording.

    Measures left over on both sides *of the same kind* are paired (matched by "similar
    text") when their wordings are similar, the most similar pairs first; the others are
    removed and added.
    """
    new_measures = list(new_measures)
    pairs, old_left, new_left = pair(old_measures, new_measures, *ROUTINE_MEASURE_KEYS)
    similar, old_left, new_left = _pair_similar(old_left, new_left)
    return _in_order_of(new_measures, pairs + similar), old_left, new_left


def _pair_similar(old_left, new_left):
    """Pair routine measures of the same kind with similar texts, the most similar first."""
    scored = sorted(
        (-score, i, j)
        for i, old in enumerate(old_left)
        for j, new in enumerate(new_left)
        if old.kind == new.kind and (score := similarity(old.text, new.text)) >= SIMILAR_TEXT
    )
    used_old, used_new, pairs = set(), set(), []
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((old_left[i], new_left[j], "similar text"))
    return (
        pairs,
        [item for i, item in enumerate(old_left) if i not in used_old],
        [item for j, item in enumerate(new_left) if j not in used_new],
    )


class LinkComparer:
    """Which safety concerns a matched measure or study newly addresses, or no longer does.

    ``concerns`` are the concerns of both versions; ``pairs`` their pairing (``pair_concerns``).
    """

    def __init__(self, concerns, pairs):
        self.concerns = {concern.pk: concern for concern in concerns}
        self.counterparts = {}  # concern id in one version -> the same concern's id in the other
        for old, new, _ in pairs:
            self.counterparts[old.pk], self.counterparts[new.pk] = new.pk, old.pk

    def _in_order(self, ids):
        return sorted(
            (self.concerns[pk] for pk in ids), key=lambda concern: (concern.position, concern.pk)
        )

    def addressed(self, item):
        """The safety concerns a measure or study addresses, whole and in source order."""
        return self._in_order(concern.pk for concern in item.safety_concerns.all())

    def _gained(self, ids, other_ids):
        """Concerns of ``ids`` whose counterpart is not among ``other_ids``, in source order."""
        return self._in_order(pk for pk in ids if self.counterparts.get(pk) not in other_ids)

    def compare(self, old_item, new_item):
        """Concerns newly linked (new concerns included: which measures address them is news)
        and unlinked (removed concerns left out: their removal already says it)."""
        old_ids = {concern.pk for concern in old_item.safety_concerns.all()}
        new_ids = {concern.pk for concern in new_item.safety_concerns.all()}
        return LinkChanges(
            linked=self._gained(new_ids, old_ids),
            unlinked=self._gained({pk for pk in old_ids if pk in self.counterparts}, new_ids),
        )
