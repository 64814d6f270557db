"""Words for numbers: the one pluraliser of the site."""


def counted(number, plural):
    """ "1 study", "2 studies": ``plural`` is the plural of the last word."""
    if number != 1:
        return f"{number} {plural}"
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return f"{number} {singular}"
