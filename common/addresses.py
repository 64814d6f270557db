"""Addresses of many items of one kind, reversed once and then formatted.

``reverse()`` matches the URL patterns on every call (about 30 µs); a list page links each of
its rows to a few pages, so it reverses the pattern once with placeholders and fills them in.
Only for values that need no quoting in a path (slugs).
"""

from django.urls import reverse


class AddressPattern:
    """``AddressPattern("browse:study", "slug", "study")(slug="x", study="y")`` gives what
    ``reverse("browse:study", kwargs={"slug": "x", "study": "y"})`` gives."""

    def __init__(self, view_name, *names):
        placeholders = {name: f"placeholder{index}x" for index, name in enumerate(names)}
        path = reverse(view_name, kwargs=placeholders)
        if any(path.count(placeholder) != 1 for placeholder in placeholders.values()):
            raise ValueError(f"{view_name}: each of {names} must appear once in its path")
        ordered = sorted(names, key=lambda name: path.index(placeholders[name]))
        self.parts, self.names = [], ordered
        for name in ordered:
            before, _, path = path.partition(placeholders[name])
            self.parts.append(before)
        self.end = path

    def __call__(self, **values):
        filled = (
            part + str(values[name]) for part, name in zip(self.parts, self.names, strict=True)
        )
        return "".join(filled) + self.end
