"""A filter on one public product, typed as its name or slug (lists of every product grow)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from browse.selectors.products import public_products_called


class PublicProductField(forms.CharField):
    """A public product typed as its name or its slug (the last part of its page's address).

    Cleans to the Product. Drafts are refused like unknown names, with the same message, so
    that a draft's existence never shows. The text typed goes into the messages as a
    parameter, never into the message itself: the API (django-filter's DRF backend) formats
    each message with ``%``, which a "%" typed into the message would break.
    """

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        products = public_products_called(text)
        if not products:
            raise ValidationError(
                "No published product is called ‘%(text)s’ or has the address "
                "/products/%(text)s/. Type a product's name as the products list shows it.",
                code="unknown_product",
                params={"text": text},
            )
        if len(products) > 1 and products[0].slug.lower() != text.lower():
            raise ValidationError(
                "Several published products are called ‘%(text)s’: type the last part of the "
                "address of the one you mean (%(slugs)s).",
                code="ambiguous_product",
                params={"text": text, "slugs": " or ".join(p.slug for p in products)},
            )
        return products[0]

    def param_value(self, product):
        """How links spell the product (``common.querystring``): by its slug, which is unique."""
        return product.slug


class PublicProductFilter(django_filters.CharFilter):
    """A CharFilter, so that the API schema says the product is typed as text."""

    field_class = PublicProductField
