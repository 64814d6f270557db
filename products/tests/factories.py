import factory

from products.documents import Document
from products.models import Product, ProductInformationSection, Region, Substance


class SubstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Substance
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"substance-{n}mab")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    region = Region.EU
    indication = "Treatment of adults with a disease."

    @factory.post_generation
    def substances(self, create, extracted, **kwargs):
        if create:
            self.substances.set(extracted if extracted is not None else [SubstanceFactory()])


class ProductInformationSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductInformationSection

    product = factory.SubFactory(ProductFactory)
    document = Document.SMPC
    section = "4.4"
    title = "Special warnings and precautions for use"
    text = "Monitor patients closely."
