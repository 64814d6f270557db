"""Site search over the published data: products, safety concerns, measures, studies and the
text of the product information.

On PostgreSQL: full-text search (``websearch_to_tsquery`` syntax, English stemming) ranked by
``ts_rank``, over the weighted vector each searched model declares: its field
``search_vector`` (products.search_fields.SearchVectorGeneratedField), which PostgreSQL
generates from the row, stores and GIN-indexes: neither matching nor ranking recomputes it
from long texts.
A page counts and ranks only the first matches of each model found in primary key order
(``MAX_RESULTS`` and one more, which says there are more), not every match of a common word;
the count then reads "more than 1000". The exports have every result.

Elsewhere (SQLite in development and the default test run): every word must occur, ignoring
case, in one of the fields the vector is made of; matches in its weight "A" fields (names,
titles) come first.

Only published data is searched: ``public_products()``, the concerns, measures and studies
of current published plans, and the product information of public products.
"""

import functools
import operator
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from products.models import Product, ProductInformationSection, Substance
from products.search_fields import CONFIG
from risks.models import (
    AdditionalMeasure,
    ConcernCategory,
    RoutineMeasure,
    SafetyConcern,
    Study,
    StudyCategory,
    public_products,
)

MAX_LENGTH = 200
SNIPPET_LENGTH = 240
# Full-text search counts and lists at most this many results of each searched model; a
# common word, found thousands of times, is counted as "more than 1000".
MAX_RESULTS = 1000

# The field each searched model declares its search vector with (what it is searched on).
VECTOR = "search_vector"


class Kind(models.TextChoices):
    PRODUCTS = "products", "Products"
    CONCERNS = "concerns", "Safety concerns"
    MEASURES = "measures", "Risk minimisation measures"
    STUDIES = "studies", "Studies"
    SECTIONS = "sections", "Product information sections"


def full_text_search():
    """PostgreSQL full-text search, or the word-matching fallback on other databases."""
    return connection.vendor == "postgresql"


def vector_field(model):
    """The ``SearchVectorGeneratedField`` of ``model``: its weights name the fields searched."""
    return model._meta.get_field(VECTOR)


class IsAnyOf(Func):
    """``value = ANY(array)``: whether the value is one of the array's."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


# ---------------------------------------------------------------------------------------------
# The words searched for, and how they are found again for snippets and highlighting


_EDGE_PUNCTUATION = string.punctuation + "“”‘’«»"


class Terms:
    """A search as typed, its words, and a pattern finding them in text."""

    def __init__(self, query, *, full_text=None):
        self.query = " ".join(query.split())
        self.full_text = full_text_search() if full_text is None else full_text
        words = {}
        for token in self.query.split():
            if self.full_text and (token.startswith("-") or token.casefold() == "or"):
                continue  # websearch syntax: "-word" excludes, "or" joins alternatives
            word = token.strip(_EDGE_PUNCTUATION)
            if word:
                words.setdefault(word.casefold(), word)
        self.words = list(words.values())
        self.pattern = self._pattern()

    def __bool__(self):
        return bool(self.words)

    def _pattern(self):
        if not self.words:
            return None
        words = sorted(self.words, key=len, reverse=True)
        if self.full_text:
            # PostgreSQL matches stems ("hepatotoxicity" finds "hepatotoxic"): mark the words
            # that start like the searched word.
            alternatives = [rf"\b{re.escape(_stem(word))}\w*" for word in words]
        else:
            alternatives = [re.escape(word) for word in words]
        return re.compile("|".join(alternatives), re.IGNORECASE)

    @property
    def search_query(self):
        return SearchQuery(self.query, search_type="websearch", config=CONFIG)

    def found_in(self, text):
        return bool(self.pattern and text and self.pattern.search(text))

    def excerpt(self, *texts, length=SNIPPET_LENGTH):
        """A passage of the first text containing a searched word (else of the first text)."""
        texts = [" ".join(text.split()) for text in texts if text and text.strip()]
        if not texts:
            return ""
        for text in texts:
            match = self.pattern.search(text) if self.pattern else None
            if match:
                return _passage(text, match.start(), match.end(), length)
        return Truncator(texts[0]).chars(length)

    def highlight(self, text) -> SafeString:
        """``text`` escaped, with each searched word wrapped in <mark>."""
        if not self.pattern:
            return format_html("{}", text)
        parts = self.pattern.split(text)
        matches = self.pattern.findall(text)
        pieces = [(parts[0],)]
        for match, part in zip(matches, parts[1:], strict=True):
            pieces.append((format_html("<mark>{}</mark>", match),))
            pieces.append((part,))
        return format_html_join("", "{}", pieces)


def _stem(word):
    """A rough English stem: enough to find again what PostgreSQL's stemmer matched."""
    if len(word) <= 5 or not word.isalpha():
        return word
    return word[: max(5, len(word) - 4)]


def _passage(text, start, end, length):
    before = max(0, start - length // 3)
    if before:
        space = text.find(" ", before, start)
        before = space + 1 if space != -1 else before
    after = min(len(text), max(end, before + length))
    if after < len(text):
        space = text.rfind(" ", end, after)
        after = space if space != -1 else after
    prefix = "…" if before else ""
    suffix = "…" if after < len(text) else ""
    return f"{prefix}{text[before:after].strip()}{suffix}"


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Result:
    kind: str  # "safety concern"
    label: str  # what the item is: "Important identified risk", "Routine measure · Pack size"
    product: str
    title: str
    title_html: SafeString
    snippet: str  # plain text
    snippet_html: SafeString
    url: str


def _words_q(fields, words):
    """Every word in one of the fields (the fallback's match)."""
    return functools.reduce(
        operator.and_,
        (
            functools.reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields))
            for word in words
        ),
    )


def _match(queryset, model, terms, *, exclude=False):
    """``queryset`` narrowed to the rows of ``model`` matching ``terms`` (or not matching)."""
    if terms.full_text:
        condition = Q(**{VECTOR: terms.search_query})
    else:
        condition = _words_q(vector_field(model).searched_fields, terms.words)
    return queryset.exclude(condition) if exclude else queryset.filter(condition)


def _rank(model, terms):
    if terms.full_text:
        return SearchRank(F(VECTOR), terms.search_query)
    first = vector_field(model).weights.get("A", ())
    if not first:
        return Value(0)
    return Case(When(_words_q(first, terms.words), then=Value(1)), default=Value(0))


class Source:
    """One model searched under a kind of result."""

    model = None
    kind = ""
    ordering = ("pk",)

    def published(self):
        raise NotImplementedError

    def matching(self, terms):
        """Every published row matching ``terms``, best first."""
        if not terms:
            return self.published().none()
        return self._in_order(self._matches(terms), terms)

    def first_matching(self, terms, limit=None):
        """``matching()`` restricted to its first ``limit`` rows in primary key order, ranked.

        So the work of a page is bounded however common the words are: ranking reads each
        row's stored vector (a few kilobytes for a long section), and a common word matches
        tens of thousands of rows.
        """
        if limit is None or not terms:
            return self.matching(terms)
        first = self._matches(terms).order_by("pk").values("pk")[:limit]
        # "pk = ANY(ARRAY(…))", not "pk IN (…)": PostgreSQL then finds the first rows once and
        # reads just them, where with IN it may rank the whole table to join it with them.
        first_only = IsAnyOf(F("pk"), ArraySubquery(first))
        return self._in_order(self.published().filter(first_only), terms)

    def _matches(self, terms):
        return _match(self.published(), self.model, terms)

    def _in_order(self, queryset, terms):
        return queryset.annotate(search_rank=_rank(self.model, terms)).order_by(
            "-search_rank", *self.ordering
        )

    def result(self, obj, terms) -> Result:
        raise NotImplementedError

    def _result(self, terms, *, label, product, title, texts, url):
        snippet = terms.excerpt(*texts)
        return Result(
            kind=self.kind,
            label=label,
            product=product,
            title=title,
            title_html=terms.highlight(title),
            snippet=snippet,
            snippet_html=terms.highlight(snippet),
            url=url,
        )


class ProductSource(Source):
    model = Product
    kind = "product"
    ordering = ("name", "pk")

    def published(self):
        return public_products()

    def result(self, product, terms):
        texts = [product.indication]
        substance = getattr(product, "matched_substance", None)
        if substance:
            texts.insert(0, f"Active substance: {substance}")
        return self._result(
            terms,
            label=f"Product · {product.get_authorisation_status_display()}",
            product=product.name,
            title=product.name,
            texts=texts,
            url=product.get_absolute_url(),
        )


class ProductBySubstanceSource(ProductSource):
    """Products whose active substance matches (and whose name and indication do not)."""

    def _matches(self, terms):
        queryset = _match(self.published(), Product, terms, exclude=True)
        return queryset.filter(Exists(self._substances(terms)))

    def _in_order(self, queryset, terms):
        substances = self._substances(terms).order_by("name").values("name")[:1]
        return queryset.annotate(matched_substance=Subquery(substances)).order_by(*self.ordering)

    def _substances(self, terms):
        """The product's active substances matching ``terms``."""
        return _match(Substance.objects.filter(products=OuterRef("pk")), Substance, terms)


class ConcernSource(Source):
    model = SafetyConcern
    kind = "safety concern"
    ordering = ("plan__product__name", "position", "pk")

    def published(self):
        return SafetyConcern.objects.current().select_related("plan__product")

    def result(self, concern, terms):
        return self._result(
            terms,
            label=ConcernCategory(concern.category).label,
            product=concern.plan.product.name,
            title=concern.name,
            texts=[concern.evidence, concern.risk_factors],
            url=concern.get_absolute_url(),
        )


class AdditionalMeasureSource(Source):
    model = AdditionalMeasure
    kind = "additional measure"
    ordering = ("plan__product__name", "name", "pk")

    def published(self):
        return AdditionalMeasure.objects.current().select_related("plan__product")

    def result(self, measure, terms):
        return self._result(
            terms,
            label=f"Additional measure · {measure.get_kind_display()}",
            product=measure.plan.product.name,
            title=measure.name,
            texts=[measure.description],
            url=measure.plan.product.get_absolute_url(),
        )


class RoutineMeasureSource(Source):
    model = RoutineMeasure
    kind = "routine measure"
    ordering = (
        "safety_concern__plan__product__name",
        "safety_concern__position",
        "position",
        "pk",
    )

    def published(self):
        return RoutineMeasure.objects.filter(
            safety_concern__in=SafetyConcern.objects.current()
        ).select_related("safety_concern__plan__product")

    def result(self, measure, terms):
        concern = measure.safety_concern
        return self._result(
            terms,
            label=f"Routine measure · {measure.get_kind_display()}",
            product=concern.plan.product.name,
            title=concern.name,
            texts=[measure.text],
            url=concern.get_absolute_url(),
        )


class StudySource(Source):
    model = Study
    kind = "study"
    ordering = ("plan__product__name", "position", "pk")

    def published(self):
        return Study.objects.current().select_related("plan__product")

    def result(self, study, terms):
        texts = [study.purpose] if study.name == study.title else [study.title, study.purpose]
        return self._result(
            terms,
            label=f"Study · {StudyCategory(study.category).short_label}",
            product=study.plan.product.name,
            title=study.name,
            texts=texts,
            url=study.get_absolute_url(),
        )


class SectionSource(Source):
    model = ProductInformationSection
    kind = "product information section"
    ordering = ("product__name", "position", "pk")

    def published(self):
        return ProductInformationSection.objects.filter(
            product__in=public_products()
        ).select_related("product")

    def result(self, section, terms):
        url = reverse("browse:product_information", kwargs={"slug": section.product.slug})
        return self._result(
            terms,
            label=section.get_document_display(),
            product=section.product.name,
            title=f"{section.label} {section.title}",
            texts=[section.text],
            url=f"{url}#{section.anchor}",
        )


SOURCES = {
    Kind.PRODUCTS: (ProductSource(), ProductBySubstanceSource()),
    Kind.CONCERNS: (ConcernSource(),),
    Kind.MEASURES: (AdditionalMeasureSource(), RoutineMeasureSource()),
    Kind.STUDIES: (StudySource(),),
    Kind.SECTIONS: (SectionSource(),),
}


# ---------------------------------------------------------------------------------------------
# Selectors used by the view


class ResultList:
    """The results of one kind, source after source; sliceable, so Django's Paginator pages it.

    Costs one COUNT per source, then one query per source the requested slice touches. With
    a ``result_limit`` (PostgreSQL), each source counts and pages at most that many results,
    and ``more`` says whether some source has further matches.
    """

    def __init__(self, kind, terms):
        self.kind = Kind(kind)
        self.terms = terms
        self.limit = result_limit(terms)
        self.parts = [
            (source, source.first_matching(terms, _one_more(self.limit)))
            for source in SOURCES[self.kind]
        ]
        self._found = None

    def found(self):
        """How many results each source has, up to one more than the limit."""
        if self._found is None:
            self._found = [queryset.count() if self.terms else 0 for _, queryset in self.parts]
        return self._found

    def counts(self):
        return [_within(found, self.limit) for found in self.found()]

    @property
    def more(self):
        return self.counts() != self.found()

    def count(self):
        return sum(self.counts())

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("ResultList supports slices only.")
        start, stop = item.start or 0, item.stop
        results, offset = [], 0
        for (source, queryset), size in zip(self.parts, self.counts(), strict=True):
            low = max(start - offset, 0)
            high = size if stop is None else min(stop - offset, size)
            if low < high:
                results.extend(source.result(obj, self.terms) for obj in queryset[low:high])
            offset += size
        return results


@dataclass(frozen=True)
class Group:
    kind: Kind
    count: int
    results: list
    more: bool = False  # some source has more than the result limit: ``count`` is a floor

    @property
    def label(self):
        return self.kind.label

    @property
    def count_label(self):
        """ "12", or "more than 1000" past the result limit."""
        return f"more than {self.count}" if self.more else str(self.count)

    @property
    def truncated(self):
        return self.more or self.count > len(self.results)


def result_limit(terms):
    """How many results of one source are counted and listed: ``MAX_RESULTS`` with full-text
    search (PostgreSQL, see ``Source.first_matching``), else all of them (``None``)."""
    return MAX_RESULTS if terms.full_text else None


def _one_more(limit):
    """The rows to fetch to learn whether there are more than ``limit``."""
    return None if limit is None else limit + 1


def _within(found, limit):
    return found if limit is None else min(found, limit)


def grouped_results(terms, limit=20):
    """The first ``limit`` results of every kind with the count of each (up to the result
    limit).

    One query per source whatever the data: the count rides along as a window function.
    """
    most = result_limit(terms)
    groups = []
    for kind, sources in SOURCES.items():
        results, count, more = [], 0, False
        for source in sources:
            if not terms:
                continue
            rows = source.first_matching(terms, _one_more(most))
            rows = list(rows.annotate(search_total=Window(Count("pk")))[:limit])
            found = rows[0].search_total if rows else 0
            count += _within(found, most)
            more = more or found != _within(found, most)
            results.extend(source.result(obj, terms) for obj in rows[: _within(found, most)])
        groups.append(Group(kind=kind, count=count, results=results[:limit], more=more))
    return groups


def kind_results(terms, kind):
    """All results of one kind, for the Paginator."""
    return ResultList(kind, terms)


def all_results(terms, kind=None) -> Iterator[Result]:
    """Every result (of one kind, or of all kinds in order), streamed: for the exports."""
    if not terms:
        return
    for each in [Kind(kind)] if kind else Kind:
        for source in SOURCES[each]:
            for obj in source.matching(terms).iterator(chunk_size=500):
                yield source.result(obj, terms)
