"""Texts as the comparison reads them: normalised, measured for similarity, diffed by word."""

import re
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|\S+")


def squash(text):
    """``text`` with its spacing and line breaks folded to single spaces ("" for None)."""
    return " ".join((text or "").split())


def text_key(text):
    """Text compared with case and spacing ignored; empty text is no key at all."""
    return squash(text).casefold() or None


def measure_text(measure):
    """A routine measure's wording with case, spacing and a final full stop ignored."""
    return (text_key(measure.text) or "").rstrip(" .;")


def similarity(old, new):
    """How alike two wordings are, 0 to 1: the difflib ratio, or, when the shorter wording
    (three words at least) is kept whole in the longer, how much of it is kept, so that a
    sentence with a clause added or dropped still reads as the same sentence revised."""
    old, new = text_key(old) or "", text_key(new) or ""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    shorter = min(old, new, key=len)
    if len(shorter.split()) >= 3 and kept / len(shorter) >= 0.9:
        return max(matcher.ratio(), kept / len(shorter))
    return matcher.ratio()


def word_diff(old, new):
    """``old`` and ``new`` as lists of (text, changed) segments, compared word by word.

    In ``old`` the words ``new`` no longer has are marked changed; in ``new``, the words it
    adds. Differences of spacing alone are not marked.
    """
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = SequenceMatcher(
        None,
        [" " if token.isspace() else token for token in old_tokens],
        [" " if token.isspace() else token for token in new_tokens],
        autojunk=False,
    )
    old_parts, new_parts = [], []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = operation != "equal"
        _add_segment(old_parts, old_tokens[i1:i2], changed)
        _add_segment(new_parts, new_tokens[j1:j2], changed)
    return old_parts, new_parts


def _add_segment(parts, tokens, changed):
    """Append ``tokens`` to ``parts``; spacing around changed words is not marked changed."""
    text = "".join(tokens)
    if changed:
        core = text.strip()
        start = text.index(core) if core else len(text)
        pieces = [(text[:start], False), (core, True), (text[start + len(core) :], False)]
    else:
        pieces = [(text, False)]
    for piece, is_changed in pieces:
        if not piece:
            continue
        if parts and parts[-1][1] == is_changed:
            parts[-1] = (parts[-1][0] + piece, is_changed)
        else:
            parts.append((piece, is_changed))
