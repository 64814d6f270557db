"""The permanent pages of one safety concern and one study of a product."""

from django.shortcuts import redirect, render

from browse.selectors import plan_items as selectors
from browse.views.products import resolve_concern_references, version_url
from browse.wording import wording_for


def _shown(product, history):
    """The entry to show: the item in the current version, else in the last version with it."""
    with_item = [entry for entry in history if entry.item is not None]
    current = next((entry for entry in with_item if entry.plan.is_published), None)
    return current or with_item[-1], current is not None


def _moved(kind, product, slug, item):
    """A redirect to the item's address when a later version renamed it, else None."""
    if item.slug == slug:
        return None
    return redirect(f"browse:{kind}", slug=product.slug, permanent=True, **{kind: item.slug})


def _page(request, product, history, shown, is_current, template, **context):
    for entry in history:
        entry.version_url = version_url(product, entry.plan)
    return render(
        request,
        template,
        {
            "product": product,
            "plan": shown.plan,
            "is_current": is_current,
            "history": history,
            "words": wording_for(product),
            "page_url": request.build_absolute_uri(request.path),
            **context,
        },
    )


def concern_page(request, slug, concern):
    product = selectors.product_with_versions(slug)
    history = selectors.concern_history(product, concern)
    shown, is_current = _shown(product, history)
    if response := _moved("concern", product, concern, shown.item):
        return response
    words = wording_for(product)
    sections = product.information_sections.all().as_lookup()
    resolve_concern_references(product, shown.item, sections)
    for entry in history:
        if entry.item:
            entry.summary = (
                f"{entry.item.name} ({words.category_label(entry.item.category).lower()})"
            )
    return _page(
        request,
        product,
        history,
        shown,
        is_current,
        "browse/concern_detail.html",
        concern=shown.item,
        category_label=words.category_label(shown.item.category),
    )


def study_page(request, slug, study):
    product = selectors.product_with_versions(slug)
    history = selectors.study_history(product, study)
    shown, is_current = _shown(product, history)
    if response := _moved("study", product, study, shown.item):
        return response
    for entry in history:
        if entry.item:
            milestones = entry.item.milestone_list
            overdue = sum(1 for milestone in milestones if milestone.is_overdue())
            entry.summary = (
                f"{entry.item.get_status_display()}, category {entry.item.category}; "
                f"{len(milestones)} milestone{'s' if len(milestones) != 1 else ''}"
                + (f", {overdue} overdue" if overdue else "")
            )
    return _page(
        request,
        product,
        history,
        shown,
        is_current,
        "browse/study_detail.html",
        study=shown.item,
    )
