"""Page furniture: running headers and footers that recur on the pages of a document."""

import re
from collections import Counter

_DIGITS = re.compile(r"\d+")
# Kept wherever it stands: it says the product is withdrawn.
WATERMARK = re.compile(r"no\s+longer\s+authori[sz]ed", re.IGNORECASE)


def furniture_key(text):
    """A margin line as compared across pages: page numbers count alike."""
    return _DIGITS.sub("#", " ".join(text.split())).casefold()


def recurring(keys_per_page):
    """The keys that stand on at least half the pages (two at least)."""
    counts = Counter(key for keys in keys_per_page for key in set(keys))
    least = max(2, len(keys_per_page) // 2)
    return {key for key, count in counts.items() if count >= least}


def without_running_lines(text):
    """``text`` whose pages (split at form feeds) lose the first and last lines that recur on
    many pages: a running header, "Page N of M"."""
    pages = text.split("\f")
    if len(pages) < 2:
        return text
    edges = []
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        edges.append([furniture_key(line) for line in lines[:1] + lines[-1:]])
    furniture = recurring(edges)
    out = []
    for page in pages:
        lines = page.split("\n")
        filled = [index for index, line in enumerate(lines) if line.strip()]
        for index in filled[:1] + filled[-1:]:
            line = lines[index]
            if furniture_key(line) in furniture and not WATERMARK.search(line):
                lines[index] = ""
        out.append("\n".join(lines))
    return "\f".join(out)
