"""A filter on one public product, typed as its name or slug (lists of every product grow)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from browse.selectors.products import public_products_called


class PublicProductField(forms.CharField):
    """A public product typed as its name or its slug (the last part of its page's address).

    Cleans to the Product. Drafts are refused like unknown names, with the same message, so
    that a draft's existence never shows.
    """

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        products = public_products_called(text)
        if not products:
            raise ValidationError(
                f"No published product is called ‘{text}’ or has the address "
                f"/products/{text}/. Type a product's name as the products list shows it.",
                code="unknown_product",
            )
        if len(products) > 1 and products[0].slug.lower() != text.lower():
            slugs = " or ".join(product.slug for product in products)
            raise ValidationError(
                f"Several published products are called ‘{text}’: type the last part of the "
                f"address of the one you mean ({slugs}).",
                code="ambiguous_product",
            )
        return products[0]

    def param_value(self, product):
        """How links spell the product (``common.querystring``): by its slug, which is unique."""
        return product.slug


class PublicProductFilter(django_filters.Filter):
    field_class = PublicProductField
