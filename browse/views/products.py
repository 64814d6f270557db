from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from browse import selectors as risk_selectors
from browse.filters.products import ProductFilter
from browse.selectors import comparison as comparison_selectors
from browse.selectors import products as selectors
from browse.views.downloads import export_about
from browse.views.following import product_feed
from browse.wording import wording_for
from common.addresses import AddressPattern
from common.exports import Column, absolute_urls, export
from common.listing import form_error_message, list_links, paginate, valid_filterset
from common.querystring import Query
from common.text import counted
from products.documents import Document, standard_title
from risks.changes import compare
from risks.models import ConcernCategory

PRODUCT_COLUMNS = [  # JSON keys, CSV titles
    Column("name", lambda p: p.name, "Product"),
    Column("substances", lambda p: [s.name for s in p.substances.all()], "Active substance"),
    Column("region", lambda p: p.region, "Region"),
    Column(
        "authorisation_status",
        lambda p: p.get_authorisation_status_display(),
        "Authorisation status",
    ),
    Column("plan_version", lambda p: p.published.plan_version or None, "Plan version"),
    Column(
        "plan_date",
        lambda p: p.published.plan.date if p.published.plan_id else None,
        "Plan date",
        formats=("csv",),
    ),
    Column(
        "published_at",
        lambda p: p.published.plan.published_at if p.published.plan_id else None,
        "Published here (UTC)",
        formats=("csv",),
    ),
    Column("safety_concerns", lambda p: p.published.concern_count, "Safety concerns"),
    Column("studies", lambda p: p.published.study_count, "Studies"),
    Column("url", lambda p: p.get_absolute_url(), "Address"),
    Column("slug", lambda p: p.slug, "Identifier"),
]
FILTER_PARAMS = ["q", "region", "status", "substance", "concern", "measure", "study"]
# Filters the form has no field for: hidden inputs keep them when the form is submitted.
HIDDEN_PARAMS = ["region", "status", "concern", "measure", "study"]


def describe_products(count, form):
    data = form.cleaned_data
    parts = [counted(count, "products", ",")]
    if data.get("region"):
        parts.append(data["region"])
    if data.get("status"):
        parts.append(dict(form.fields["status"].choices)[data["status"]].lower())
    if data.get("substance"):
        parts.append(data["substance"])
    if data.get("concern"):
        parts.append(f"with an {ConcernCategory(data['concern']).label.lower()}")
    if data.get("measure"):
        parts.append(f"with {dict(form.fields['measure'].choices)[data['measure']].lower()}")
    if data.get("study"):
        parts.append(f"with a category {data['study']} study")
    if data.get("q"):
        parts.append(f"matching ‘{data['q']}’")
    return " · ".join(parts)


def product_list(request):
    filterset = valid_filterset(ProductFilter(request.GET, queryset=selectors.product_list()))
    products = filterset.qs
    rows = products.select_related("published__plan").iterator(chunk_size=500)
    if response := export(
        request,
        rows,
        absolute_urls(request, PRODUCT_COLUMNS),
        "products",
        about=lambda: export_about(request, describe_products(products.count(), filterset.form)),
    ):
        return response
    query = Query.of_form(filterset.form)
    facets = selectors.product_facets(products, query, filterset.form.cleaned_data)
    page = paginate(request, products, 25, count=facets.count)
    substance = filterset.form.cleaned_data.get("substance")
    comparable = comparison_selectors.comparable_count_of_substance(substance) if substance else 0
    return render(
        request,
        "browse/product_list.html",
        {
            "filterset": filterset,
            "page": page,
            "heading": describe_products(page.paginator.count, filterset.form),
            "facets": facets.facets,
            "kept_filters": query.items(*HIDDEN_PARAMS),
            "compare_substance": substance if 2 <= comparable <= 4 else None,
            **list_links(query, filterset.form, FILTER_PARAMS, page),
        },
    )


class ItemAddresses:
    """The permanent addresses of a product's concern and study pages, reversed once each and
    then formatted per item (a page lists dozens of them)."""

    def __init__(self, product):
        self.information_url = product.get_absolute_url() + "information/"
        self.slug = product.slug
        self._concern = AddressPattern("browse:concern", "slug", "concern")
        self._study = AddressPattern("browse:study", "slug", "study")

    def concern(self, concern):
        return self._concern(slug=self.slug, concern=concern.slug)

    def study(self, study):
        return self._study(slug=self.slug, study=study.slug)


def resolve_concern_references(product, concern, sections, addresses=None):
    """Attach to each routine measure of ``concern`` its references with title and link.

    ``sections`` are the product's information sections by key. A reference to a loaded
    section links to its text on the product-information page; one whose text is not loaded
    links to the official product information (``Product.product_information_url``), labelled
    as leaving the site and naming the section to look for, or says that no address is known.

    Also gives ``concern`` what browse/_concern_facts.html lists, read once: its routine
    measures, additional measures and studies (each study with its page's address), and its
    own page's address.
    """
    addresses = addresses or ItemAddresses(product)
    information_url = addresses.information_url
    concern.permalink = addresses.concern(concern)
    for study in concern.study_list:
        study.page_url = addresses.study(study)
    for measure in concern.routine_list:
        measure.resolved_references = [
            resolve_reference(product, reference, sections.get(reference.key), information_url)
            for reference in measure.reference_list
        ]
    # The sections the concern's routine measures cite, each once, in order (overview table)
    cited = {}
    for measure in concern.routine_list:
        for reference in measure.resolved_references:
            cited.setdefault(reference["label"], reference)
    concern.cited_sections = list(cited.values())


def resolve_reference(product, reference, section, information_url):
    """What a reference shows: label, title, link, and where the link goes."""
    resolved = {"label": reference.label, "section": reference.section, "external": False}
    if section is not None:
        return {**resolved, "title": section.title, "url": f"{information_url}#{section.anchor}"}
    resolved["title"] = standard_title(reference.document, reference.section)
    if not product.product_information_url:
        return {
            **resolved,
            "url": None,
            "note": "text not loaded here, and no address of the official product information "
            "is recorded",
        }
    what = ", opens the PDF" if product.product_information_is_pdf else ""
    return {
        **resolved,
        "url": product.product_information_url,
        "external": True,
        "note": f"in the official product information ({product.product_information_site}"
        f"{what}; see section {reference.section})",
    }


def plan_page_context(request, product, plan, *, full_detail=False):
    """What browse/product_detail.html shows: ``product`` with ``plan``, one of its versions."""
    sections = product.information_sections.all().as_lookup()
    wording = wording_for(product)
    groups, measures, notes, studies = [], [], [], []
    if plan:
        addresses = ItemAddresses(product)
        concerns = list(plan.safety_concerns.all())
        addressed = {}  # additional measure id -> the concerns it addresses
        for concern in selectors.number_anchors(concerns):
            resolve_concern_references(product, concern, sections, addresses)
            concern.category_text = wording.category_label(concern.category)
            for measure in concern.additional_list:
                addressed.setdefault(measure.pk, []).append(concern)
            if concern.curator_note:
                notes.append(concern)
        groups = [
            (
                category,
                wording.category_heading(category),
                [c for c in concerns if c.category == category],
            )
            for category in ConcernCategory
        ]
        for measure in plan.additional_measures.all():
            measure.addressed_concerns = addressed.get(measure.pk, [])
            measures.append(measure)
        studies = list(plan.studies.all())
        for study in studies:
            study.page_url = addresses.study(study)
    return {
        "product": product,
        "plan": plan,
        "words": wording,
        "groups": groups,
        "additional_measures": measures,
        "curator_notes": notes,
        "plan_studies": studies,
        "full_detail": full_detail,
        "page_url": request.build_absolute_uri(product.get_absolute_url()),
        "information_url": request.build_absolute_uri(
            reverse("browse:product_information", kwargs={"slug": product.slug})
        ),
        "information_loaded": bool(sections),
        "documents": sorted({Document(s.document).label for s in sections.values()}),
        "product_feed": (feed := product_feed(request, product)),
        "feeds": [feed],
    }


class PrintForm(forms.Form):
    """What the printable view prints: the summary (default) or every detail."""

    detail = forms.ChoiceField(
        required=False,
        choices=[("", "Summary"), ("summary", "Summary"), ("full", "Full detail")],
        error_messages={"invalid_choice": "Choose detail=summary or detail=full."},
    )


def product_detail(request, slug):
    product = risk_selectors.product_detail(slug)
    context = plan_page_context(request, product, product.current_plan)
    if product.current_plan:  # a product with a published plan can be compared
        choices, more = comparison_selectors.comparison_choices(product)
        context |= {
            "compare_choices": choices,
            "more_compare_choices": more,
            "substances_to_compare": comparison_selectors.substances_to_compare(
                list(product.substances.all())
            ),
        }
    return render(request, "browse/product_detail.html", context)


def product_print(request, slug):
    """The risk page as the document it prints as: the print stylesheet on screen too."""
    product = risk_selectors.product_detail(slug)
    form = PrintForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form_error_message(form))
    full = form.cleaned_data["detail"] == "full"
    context = plan_page_context(request, product, product.current_plan, full_detail=full)
    return render(request, "browse/product_detail.html", {**context, "print_view": True})


def product_information(request, slug):
    product = risk_selectors.product_information(slug)
    citing = selectors.citing_concerns(product.current_plan)
    documents = []
    for section in product.information_sections.all():
        if not documents or documents[-1][0] != section.document:
            documents.append((section.document, Document(section.document).label, []))
        section.citations = citing.get(section.key, [])
        documents[-1][2].append(section)
    return render(
        request,
        "browse/product_information.html",
        {"product": product, "plan": product.current_plan, "documents": documents},
    )


class VersionsForm(forms.Form):
    """Two public versions of a product to compare, by label: ?from=1&to=2.

    Without ``to``, the current version; without ``from``, the version published before
    ``to``. Labels of drafts and versions in review are refused like unknown labels, with the
    same message, so a draft's existence never shows.
    """

    def __init__(self, data, *, product):
        super().__init__(data)
        self.versions = product.versions  # newest first
        labels = ", ".join(plan.version for plan in self.versions)
        choices = [("", "")] + [(plan.version, plan.version) for plan in self.versions]
        # After the field's label ("From version: Choose …"), as every form error is shown.
        unknown = f"Choose a published version of {product.name}" + (
            f"; the published versions are {labels}." if labels else "."
        )
        for name, label in (("from", "From version"), ("to", "To version")):
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=False,
                choices=choices,
                error_messages={"invalid_choice": unknown},
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        by_label = {plan.version: plan for plan in self.versions}
        old_label, new_label = data.get("from"), data.get("to")
        data["old"] = data["new"] = None
        if old_label and old_label == new_label:
            raise ValidationError("Choose two different versions to compare.")
        if len(self.versions) < 2:
            return data
        new = by_label[new_label] if new_label else self.versions[0]
        if old_label:
            old = by_label[old_label]
        else:
            older = self.versions[self.versions.index(new) + 1 :]
            if not older:
                raise ValidationError(
                    f"Version {new.version} is the first published version: choose a version "
                    "to compare it with."
                )
            old = older[0]
        if old == new:
            raise ValidationError("Choose two different versions to compare.")
        data["old"], data["new"] = old, new
        return data


def version_url(product, plan):
    """The address of ``plan``'s page; None if its label cannot be part of an address."""
    try:
        return reverse(
            "browse:product_version", kwargs={"slug": product.slug, "version": plan.version}
        )
    except NoReverseMatch:
        return None


def plan_url(product, plan):
    """Where a version is read: the product page for the current one, else its version page."""
    return product.get_absolute_url() if plan.is_published else version_url(product, plan)


def changes_url(product, old=None, new=None):
    """The address of the comparison of two versions (the default ones when not given)."""
    url = reverse("browse:product_changes", kwargs={"slug": product.slug})
    query = Query({"from": old and old.version, "to": new and new.version}).encoded()
    return f"{url}?{query}" if query else url


def publication_changes_url(publication):
    """What a publication changed: its version against the one before (the version history
    for a product's first version)."""
    if publication.previous is None:
        return changes_url(publication.product)
    return changes_url(publication.product, publication.previous, publication.plan)


def link_items(product, plan):
    """Give each concern and study of ``plan`` the address of its place on the version's page."""
    base = plan_url(product, plan)
    for concern in plan.safety_concerns.all():
        concern.page_url = f"{base}#{concern.anchor}" if base else None
    for study in plan.studies.all():
        study.page_url = f"{base}#{study.anchor}" if base else None


def product_changes(request, slug):
    product = selectors.product_versions(slug)
    versions = product.versions
    for plan in versions:
        plan.page_url = plan_url(product, plan)
    form = VersionsForm(request.GET, product=product)
    comparison, backwards = None, False
    if form.is_valid() and form.cleaned_data["old"]:
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        comparison = compare(old, new)
        for plan in (comparison.old_plan, comparison.new_plan):
            link_items(product, plan)
        backwards = versions.index(old) < versions.index(new)  # newest first
        selected = (old, new)
    else:
        selected = (versions[1], versions[0]) if len(versions) > 1 else (None, None)
    return render(
        request,
        "browse/product_changes.html",
        {
            "product": product,
            "versions": versions,
            "error": None if form.is_valid() else form_error_message(form),
            "comparison": comparison,
            "backwards": backwards,
            "selected_from": selected[0],
            "selected_to": selected[1],
            "product_feed": (feed := product_feed(request, product)),
            "feeds": [feed],
        },
        status=200 if form.is_valid() else 400,
    )


def product_version(request, slug, version):
    product = selectors.product_version(slug, version)
    plan = product.plan
    ids = [item.pk for item in product.versions]
    newer = product.versions[: ids.index(plan.pk)]
    successor = newer[-1] if newer and not plan.is_published else None
    context = plan_page_context(request, product, plan)
    context["viewed_version"] = {
        "successor": successor,
        "changes_url": changes_url(product, plan, successor) if successor else None,
        "history_url": changes_url(product),
    }
    return render(request, "browse/product_detail.html", context)
