"""Product information sections compared: published against proposed, section by section.

Sections are matched by document and number ("SmPC 4.4"). A section only in the proposal is
added, one only in the published text removed, one in both whose title or text differs
changed, with its text compared word by word (``risks.changes.word_diff``).
"""

from dataclasses import dataclass

from products.documents import Document, section_sort_key
from risks.changes import word_diff
from risks.changes.text import squash

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass
class SectionDiff:
    document: str
    section: str
    kind: str
    old_title: str = ""
    new_title: str = ""
    old_text: str = ""
    new_text: str = ""

    @property
    def label(self):
        return f"{Document(self.document).abbreviation} {self.section}"

    @property
    def title(self):
        return self.new_title or self.old_title

    @property
    def diff(self):
        """(old segments, new segments) of the text, each [(text, changed)]."""
        return word_diff(self.old_text, self.new_text)

    @property
    def retitled(self):
        return self.kind == CHANGED and squash(self.old_title) != squash(self.new_title)


@dataclass
class InformationDiff:
    sections: list

    def of_kind(self, kind):
        return [section for section in self.sections if section.kind == kind]

    @property
    def added(self):
        return self.of_kind(ADDED)

    @property
    def removed(self):
        return self.of_kind(REMOVED)

    @property
    def changed(self):
        return self.of_kind(CHANGED)

    @property
    def unchanged(self):
        return self.of_kind(UNCHANGED)

    @property
    def is_empty(self):
        return not (self.added or self.removed or self.changed)


def compare_sections(published, proposed):
    """``published``: ProductInformationSection rows or dicts; ``proposed``: dicts or
    parsed sections. Both with document, section, title, text."""
    old = {_key(item): item for item in published}
    new = {_key(item): item for item in proposed}
    keys = sorted(
        set(old) | set(new),
        key=lambda key: (Document.values.index(key[0]), section_sort_key(key[1])),
    )
    result = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        diff = SectionDiff(
            document=key[0],
            section=key[1],
            kind=UNCHANGED,
            old_title=_get(before, "title"),
            new_title=_get(after, "title"),
            old_text=_get(before, "text"),
            new_text=_get(after, "text"),
        )
        if before is None:
            diff.kind = ADDED
        elif after is None:
            diff.kind = REMOVED
        elif squash(diff.old_text) != squash(diff.new_text) or squash(diff.old_title) != squash(
            diff.new_title
        ):
            diff.kind = CHANGED
        result.append(diff)
    return InformationDiff(result)


def _key(item):
    return (_get(item, "document"), _get(item, "section"))


def _get(item, name):
    if item is None:
        return ""
    return item.get(name, "") if isinstance(item, dict) else getattr(item, name, "")
