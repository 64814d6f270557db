"""Reviewed changes of a product: draft → in review → published, with four eyes.

A curator's edit of a product (its fields in the product admin) and an upload of its
product information both write a ``ProductChange``, never the product: the public site
reads the product and its sections only. A reviewer who neither changed nor submitted the
change publishes it; publication applies it to the product in one transaction, recorded
with the reviewer and the reason, and moves the public data version.

As for plan versions (``risks.workflow``), each step acts on the revision its person saw:
``submit``, ``return_to_draft``, ``publish`` and ``discard`` take the revision the page
showed and refuse with ``StaleRevision`` when the change has moved on since.

The proposed values are generic over the fields of the product admin's form: ``field_values``
turns a form's cleaned data into JSON values and ``apply_values`` writes them back, so a
field added to the form later goes through the same review.
"""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from audit.context import bulk_create_audited, current_change, recorded_change

from .documents import Document
from .models import ChangeStatus, Product, ProductChange, ProductInformationSection

CHANGE_PERMISSION = "products.change_product"
ADD_PERMISSION = "products.add_product"
PUBLISH_PERMISSION = "products.publish_productchange"
# Fields of a change that only the workflow moves: a row changing only these is a step.
CONTENT_FIELDS = ("product_id", "proposed_values", "proposed_sections", "source_sha256")


class ReviewError(Exception):
    """A step that is not allowed; str() says why, for the user."""


class StaleRevision(ReviewError):
    def __init__(self, change, seen):
        self.change = change
        self.seen = seen
        super().__init__(
            f"{change} has changed since you opened this page (you saw revision {seen}; it "
            f"is now at revision {change.revision}). Nothing was done. Reload the page to see "
            "the change as it is now."
        )


# Values of the product form ---------------------------------------------------------


def _model_field(name):
    try:
        return Product._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field (the reason, the token)
        return None


def json_value(field, value):
    """A form's cleaned value of a product field as JSON (ids for relations)."""
    if field.many_to_many:
        return sorted(getattr(item, "pk", item) for item in (value or []))
    if field.is_relation:
        return getattr(value, "pk", value)
    value = field.get_prep_value(value)
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def current_values(product, names):
    """{name: JSON value} of ``product``'s fields ``names`` as they are now."""
    values = {}
    for name in names:
        field = _model_field(name)
        if field is None:
            continue
        if product is None or product.pk is None:
            values[name] = [] if field.many_to_many else None
        elif field.many_to_many:
            values[name] = sorted(getattr(product, name).values_list("pk", flat=True))
        else:
            values[name] = json_value(field, getattr(product, field.name))
    return values


def field_values(cleaned_data, names):
    """{name: JSON value} of the form fields ``names`` that are fields of a product."""
    return {
        name: json_value(_model_field(name), cleaned_data.get(name))
        for name in names
        if _model_field(name) is not None and name in cleaned_data
    }


def proposed_differences(product, cleaned_data, names):
    """The values of the form that differ from the product: what a change proposes."""
    proposed = field_values(cleaned_data, names)
    now = current_values(product, proposed)
    if product is None:  # a new product: every value it is created with
        return {name: value for name, value in proposed.items() if value not in (None, "", [])}
    return {name: value for name, value in proposed.items() if now.get(name) != value}


def apply_values(product, values):
    """Set ``values`` on ``product`` (not saved); the many-to-many ones are returned."""
    many = {}
    for name, value in values.items():
        field = _model_field(name)
        if field is None:
            continue
        if field.many_to_many:
            many[name] = value
        elif field.is_relation:
            setattr(product, field.attname, value)
        else:
            setattr(product, name, field.to_python(value))
    return many


@dataclass
class ValueChange:
    """One field of the product, as published and as proposed, in words."""

    name: str
    label: str
    old: str
    new: str


def value_changes(change):
    """The proposed values beside the product's, in words, in the fields' order.

    For a change no longer open (published, discarded) the product's values have moved on:
    ``old`` is then empty.
    """
    values = change.values
    product = change.product
    rows = []
    for field in [*Product._meta.fields, *Product._meta.many_to_many]:
        if field.name not in values:
            continue
        old = ""
        if change.is_open:
            old = _display(field, current_values(product, [field.name])[field.name])
        rows.append(
            ValueChange(
                field.name, str(field.verbose_name), old, _display(field, values[field.name])
            )
        )
    return rows


def _display(field, value):
    if field.many_to_many:
        names = field.related_model.objects.filter(pk__in=value or []).order_by("pk")
        return ", ".join(str(item) for item in names) or "–"
    if field.is_relation:
        item = field.related_model.objects.filter(pk=value).first() if value else None
        return str(item) if item else "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value if value not in (None, "") else "–"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "–"
    return str(value)


# Drafts -----------------------------------------------------------------------------


def open_change(product):
    """The product's change in draft or in review, or None."""
    if product is None or product.pk is None:
        return None
    return ProductChange.objects.open().filter(product=product).first()


def _draft_for(product, user, *, lock=True):
    """The product's draft to write into (created if it has none); refused in review."""
    change = None
    if product is not None:
        # The product's row lock makes concurrent first edits take turns: one draft each.
        Product.objects.select_for_update().filter(pk=product.pk).exists()
        queryset = ProductChange.objects.open().filter(product=product)
        change = (queryset.select_for_update() if lock else queryset).first()
    if change is not None and change.status == ChangeStatus.IN_REVIEW:
        raise ReviewError(
            f"{change} is in review: nothing can be added to it until it is published or sent "
            "back to draft."
        )
    if change is None:
        change = ProductChange(
            product=product,
            created_by=_person(user),
            base_revision=product.revision if product is not None else 0,
        )
    return change


@transaction.atomic
def propose_values(product, values, *, user, reason, revision=None):
    """Record ``values`` (the differences from ``product``) as its draft's proposed values.

    ``product`` is None for a new product. The draft's values are replaced: a field set back
    to the published value is no longer proposed. Returns the draft (None when nothing is
    proposed and the product had no draft).
    """
    _require(user, ADD_PERMISSION if product is None else CHANGE_PERMISSION, "change products")
    change = _draft_for(product, user)
    if revision is not None and change.pk is not None and change.revision != revision:
        raise StaleRevision(change, revision)
    if change.pk is None and not values:
        return None
    with recorded_change(reason, user):
        change.values = values
        _save_edit(change, user)
    return change


@transaction.atomic
def propose_sections(product, sections, *, user, reason, source=None, named=""):
    """Record ``sections`` (dicts: document, section, title, text) as the draft's product
    information, replacing any proposed before. ``source``: (file name, SHA-256).
    ``user`` None: the command line, recorded as the system."""
    if user is not None:
        _require(user, CHANGE_PERMISSION, "change products")
    for section in sections:
        Document(section["document"]).validate_section(section["section"])
    change = _draft_for(product, user)
    with recorded_change(reason, user):
        change.sections = [
            {
                "document": s["document"],
                "section": s["section"],
                "title": s["title"][:300],
                "text": s["text"],
            }
            for s in sections
        ]
        change.source_file_name, change.source_sha256 = source or ("", "")
        change.source_product_name = named[:300]
        _save_edit(change, user)
    return change


def _save_edit(change, user):
    current_change()
    change.revision += 1
    change.last_edited_by = _person(user)
    change.save()


# Steps ------------------------------------------------------------------------------


def can_submit(user, change):
    return change.status == ChangeStatus.DRAFT and user.has_perm(CHANGE_PERMISSION)


def can_return_to_draft(user, change):
    return change.status == ChangeStatus.IN_REVIEW and (
        user.has_perm(PUBLISH_PERMISSION) or user.has_perm(CHANGE_PERMISSION)
    )


def can_publish(user, change):
    return change.status == ChangeStatus.IN_REVIEW and user.has_perm(PUBLISH_PERMISSION)


def can_discard(user, change):
    return change.status == ChangeStatus.DRAFT and user.has_perm(CHANGE_PERMISSION)


def editors(change):
    """{user id: when they last changed what ``change`` proposes}, from its history."""
    last, previous = {}, None
    rows = ProductChange.history.filter(id=change.pk).order_by("history_date", "history_id")
    for row in rows:
        edited = previous is None or any(
            getattr(previous, name) != getattr(row, name) for name in CONTENT_FIELDS
        )
        if edited and row.history_user_id is not None:
            last[row.history_user_id] = row.history_date
        previous = row
    return last


def four_eyes_refusal(user, change):
    """Why ``user`` may not publish ``change`` (they wrote or submitted it), or None."""
    if change.submitted_by_id is not None and change.submitted_by_id == user.pk:
        return (
            f"You submitted {change} for review, so another reviewer must publish it (four eyes)."
        )
    edited = editors(change).get(user.pk)
    if edited is not None:
        when = format_date(timezone.localtime(edited), "j F Y, H:i")
        return (
            f"You changed {change} (last on {when}), so another reviewer must publish it "
            "(four eyes)."
        )
    return None


@transaction.atomic
def submit(change, *, user, reason, revision=None):
    change = _locked(change, revision)
    _require(user, CHANGE_PERMISSION, "submit product changes for review")
    if change.status != ChangeStatus.DRAFT:
        raise ReviewError(f"Only a draft can be submitted; {change} is {_status(change)}.")
    if change.is_empty:
        raise ReviewError(f"{change} proposes nothing: change a field or upload a document.")
    with recorded_change(reason, user):
        change.status = ChangeStatus.IN_REVIEW
        change.submitted_by, change.submitted_at = user, timezone.now()
        _save_step(change)
    return change


@transaction.atomic
def return_to_draft(change, *, user, reason, revision=None):
    change = _locked(change, revision)
    if not (user.has_perm(PUBLISH_PERMISSION) or user.has_perm(CHANGE_PERMISSION)):
        raise ReviewError("You do not have permission to send product changes back to draft.")
    if change.status != ChangeStatus.IN_REVIEW:
        raise ReviewError(
            f"Only a change in review can go back to draft; {change} is {_status(change)}."
        )
    with recorded_change(reason, user):
        change.status = ChangeStatus.DRAFT
        change.submitted_by, change.submitted_at = None, None
        _save_step(change)
    return change


@transaction.atomic
def discard(change, *, user, reason, revision=None):
    change = _locked(change, revision)
    _require(user, CHANGE_PERMISSION, "discard product changes")
    if change.status != ChangeStatus.DRAFT:
        raise ReviewError(f"Only a draft can be discarded; {change} is {_status(change)}.")
    with recorded_change(reason, user):
        change.status = ChangeStatus.DISCARDED
        _save_step(change)
    return change


@transaction.atomic
def publish(change, *, user, reason, revision=None):
    """Apply the change to its product (created for a new product), in one transaction."""
    change = _locked(change, revision)
    _require(user, PUBLISH_PERMISSION, "publish product changes (it takes a reviewer)")
    if change.status != ChangeStatus.IN_REVIEW:
        raise ReviewError(
            f"Only a change in review can be published; {change} is {_status(change)}."
        )
    refusal = four_eyes_refusal(user, change)
    if refusal:
        raise ReviewError(refusal)
    product = None
    if change.product_id is not None:
        product = Product.objects.select_for_update().get(pk=change.product_id)
        if product.revision != change.base_revision:
            raise ReviewError(
                f"{product} has changed since this change was made (revision "
                f"{change.base_revision}, now {product.revision}): send it back and make it "
                "again on the product as it is now."
            )
    with recorded_change(reason, user):
        product = product or Product()
        many = apply_values(product, change.values)
        try:
            product.full_clean(exclude=["substances"])
        except ValidationError as error:
            raise ReviewError(f"The change cannot be published: {_messages(error)}") from None
        product.revision += 1
        product.save()
        for name, ids in many.items():
            related = getattr(product, name)
            related.set(related.model.objects.filter(pk__in=ids))
        sections = change.sections
        if sections is not None:
            product.information_sections.all().delete()
            bulk_create_audited(
                ProductInformationSection,
                (
                    ProductInformationSection(product=product, position=position, **section)
                    for position, section in enumerate(sections)
                ),
            )
        change.product = product
        change.status = ChangeStatus.PUBLISHED
        change.published_by, change.published_at = user, timezone.now()
        change.base_revision = product.revision
        _save_step(change)
    return change


def _locked(change, revision=None):
    """``change`` reloaded under row locks, refused if it moved on from ``revision``.

    The product's row is locked first, as the product admin's save and a draft's first
    write do (``_draft_for``): one order of locks, so a step and an edit take turns.
    """
    seen = change.revision if revision is None else revision
    if change.product_id is not None:
        Product.objects.select_for_update().filter(pk=change.product_id).exists()
    change.refresh_from_db(from_queryset=ProductChange.objects.select_for_update())
    if change.revision != seen:
        raise StaleRevision(change, seen)
    return change


def _save_step(change):
    change.revision += 1
    change.save()


def _status(change):
    return change.get_status_display().lower()


def _messages(error):
    if hasattr(error, "message_dict"):
        return " ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _person(user):
    return user if user is not None and user.is_authenticated else None


def _require(user, permission, action):
    if user is None or not user.has_perm(permission):
        raise ReviewError(f"You do not have permission to {action}.")
