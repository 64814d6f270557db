"""Words for numbers: the one pluraliser of the site (templates use Django's ``pluralize``)."""


def counted(number, plural, spec=""):
    """ "1 study", "2 studies": ``plural`` is the plural of the last word.

    ``spec`` formats the number ("," for "1,234", "g" for "1.5" rather than "1.50").
    """
    if number != 1:
        return f"{number:{spec}} {plural}"
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return f"{number:{spec}} {singular}"
