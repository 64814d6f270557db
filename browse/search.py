"""Site search over the published data: products, safety concerns, measures, studies and the
text of the product information.

A search is typed in the syntax of PostgreSQL's ``websearch_to_tsquery`` on both databases:
every word must match (English stemming: "reactions" finds "reaction"), ``"a phrase"`` in
double quotes matches those words in that order, ``or`` between two terms accepts either, and
``-word`` leaves out what contains the word. ``Terms`` parses it once, refuses what costs too
much (more than ``MAX_WORDS`` words, a word shorter than ``MIN_WORD_LENGTH`` outside a phrase;
``MAX_LENGTH`` characters is the form's limit), and writes it for each database:

- PostgreSQL: ``websearch_to_tsquery('english', …)`` over the weighted vector each searched
  model declares (``search_vector``, products.search_fields.SearchVectorGeneratedField),
  stored in the row and GIN-indexed; ranked by ``ts_rank``; the rows limited to the published
  ones in the query; snippets by ``ts_headline``.
- SQLite: an FTS5 query over the FTS5 table of the model (risks/search_index.py), which holds
  the published rows only, kept in step by triggers; Porter stemming; ranked by ``bm25``;
  snippets by FTS5's ``snippet()`` and ``highlight()``.

Each source of results (a model) counts and ranks only the first ``MAX_RESULTS`` + 1 matches
its index yields (in key order on SQLite, in table order on PostgreSQL: ordering them would
read every match), however common the words: the count then reads "more than 1000", and the
page shows the best of those. A page costs two queries per source whatever the data: the
ranked page of matches with the bounded count (and on SQLite the snippets), then the rows
shown (and on PostgreSQL their snippets). Snippets are made for the rows shown only. The
exports stream the same bounded results.
"""

import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import BadRequest
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from products.models import Product, ProductInformationSection, Substance
from products.search_fields import CONFIG
from risks import search_index
from risks.models import (
    AdditionalMeasure,
    ConcernCategory,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    Study,
    StudyCategory,
    public_products,
)

MAX_LENGTH = 200  # characters of a search (the form's limit)
MAX_WORDS = 12  # words of a search, those of its phrases and left-out words included
MIN_WORD_LENGTH = 2  # letters or digits of a word outside a phrase
SNIPPET_LENGTH = 240
SNIPPET_TOKENS = 32  # FTS5 snippet(): words of a passage (at most 64)
# Each source of results counts and ranks at most this many matches (and one more, which says
# there are more): a common word, found thousands of times, counts as "more than 1000".
MAX_RESULTS = 1000
EXPORT_BATCH = 200  # results of one source read per query by the exports

# The field each searched model declares its search vector with (what it is searched on).
VECTOR = "search_vector"

# Where the database marks a matched word: characters of Unicode's private use area, which
# the data does not use; replaced by <mark> and </mark> once the text around them is escaped.
MARK_START, MARK_END = "\ue000", "\ue001"


class Kind(models.TextChoices):
    PRODUCTS = "products", "Products"
    CONCERNS = "concerns", "Safety concerns"
    MEASURES = "measures", "Risk minimisation measures"
    STUDIES = "studies", "Studies"
    SECTIONS = "sections", "Product information sections"


def full_text_search():
    """Whether PostgreSQL's full-text search answers (else SQLite's FTS5)."""
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
# The search as typed: its terms, and the query each database runs


_EDGE_PUNCTUATION = string.punctuation + "“”‘’«»"
# A phrase in double quotes (the closing quote may be missing), or a run of other characters;
# either may start with "-" (leave it out).
_TOKEN = re.compile(r'(?P<minus>-?)"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_ALNUM = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of words in that order."""

    text: str  # as typed, without quotes or the surrounding punctuation
    words: tuple  # its runs of letters and digits
    phrase: bool = False

    def websearch(self):
        return f'"{self.text}"' if self.phrase else self.text

    def fts5(self):
        # An FTS5 string: the tokenizer splits it into the same words, matched in order.
        return '"{}"'.format(" ".join(self.words).replace('"', '""'))


class Terms:
    """A search as typed, parsed: groups of alternatives that must all match, and the terms
    that must not. Raises ``BadRequest`` with a reader's message when it asks too much."""

    def __init__(self, query, *, full_text=None):
        self.query = " ".join(query.split())
        self.full_text = full_text_search() if full_text is None else full_text
        self.groups, self.excluded = self._parse(self.query)
        words = {}
        for group in self.groups:
            for term in group:
                for word in term.words:
                    words.setdefault(word.casefold(), word)
        self.words = list(words.values())  # the words to find, for marking text
        self.pattern = self._pattern()

    def __bool__(self):
        return bool(self.groups)

    @staticmethod
    def _parse(query):
        groups, excluded, either = [], [], False
        count = 0
        for match in _TOKEN.finditer(query):
            if match["word"] is not None:
                raw = match["word"]
                if raw.casefold() == "or":
                    either = bool(groups)
                    continue
                minus = raw.startswith("-") and len(raw) > 1
                text = raw[1:] if minus else raw
                text = text.strip(_EDGE_PUNCTUATION)
                words = tuple(_ALNUM.findall(text))
                if words and len("".join(words)) < MIN_WORD_LENGTH:
                    raise BadRequest(
                        f"Search for: '{text}' is too short: search words need at least "
                        f"{MIN_WORD_LENGTH} letters or digits. To find a short word, put it in "
                        'double quotes with the word next to it, as in "vitamin b".'
                    )
                term = Term(text, words)
            else:
                minus = bool(match["minus"])
                words = tuple(_ALNUM.findall(match["phrase"]))
                term = Term(" ".join(words), words, phrase=len(words) > 1)
            if not words:
                continue
            count += len(words)
            if minus:
                excluded.append(term)
            elif either and groups:
                groups[-1].append(term)
            else:
                groups.append([term])
            either = False
        if count > MAX_WORDS:
            raise BadRequest(
                f"Search for: type at most {MAX_WORDS} words (this search has {count}); "
                "a few distinctive words find more precisely."
            )
        if not groups:
            excluded = []  # leaving out words from nothing finds nothing
        return groups, excluded

    def websearch(self):
        """The search in ``websearch_to_tsquery`` syntax, as parsed."""
        parts = [" or ".join(term.websearch() for term in group) for group in self.groups]
        parts += [f"-{term.websearch()}" for term in self.excluded]
        return " ".join(parts)

    def fts5(self):
        """The search as an FTS5 query expression (every term quoted: no operator injection)."""
        parts = []
        for group in self.groups:
            alternatives = " OR ".join(term.fts5() for term in group)
            parts.append(f"({alternatives})" if len(group) > 1 else alternatives)
        expression = " AND ".join(parts)
        if self.excluded:
            left_out = " OR ".join(term.fts5() for term in self.excluded)
            expression = f"({expression}) NOT ({left_out})"
        return expression

    def _pattern(self):
        if not self.words:
            return None
        # Both databases match stems ("hepatotoxicity" finds "hepatotoxic"): mark the words
        # that start like a searched word, where the database marked none.
        words = sorted(self.words, key=len, reverse=True)
        return re.compile("|".join(rf"\b{re.escape(_stem(word))}\w*" for word in words), re.I)

    @property
    def search_query(self):
        return SearchQuery(self.websearch(), search_type="websearch", config=CONFIG)

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

    def highlight(self, text, also=()) -> SafeString:
        """``text`` escaped, with each searched word (and each of ``also``) in <mark>."""
        pattern = self.pattern
        if also:
            alternatives = [rf"\b{re.escape(word)}\b" for word in sorted(also, key=len)[::-1]]
            if pattern is not None:
                alternatives.append(pattern.pattern)
            pattern = re.compile("|".join(alternatives), re.I)
        if not pattern:
            return format_html("{}", text)
        parts = pattern.split(text)
        matches = pattern.findall(text)
        pieces = [(parts[0],)]
        for match, part in zip(matches, parts[1:], strict=True):
            pieces.append((format_html("<mark>{}</mark>", match),))
            pieces.append((part,))
        return format_html_join("", "{}", pieces)


def _stem(word):
    """A rough English stem: enough to find again what the stemmer matched."""
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
# Text the database marked


_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


def _clean(text):
    return " ".join((text or "").split())


def marked_words(text):
    """The words the database marked in ``text``."""
    return {word.strip() for word in _MARKED.findall(text or "") if word.strip()}


def unmarked(text):
    return _clean(text).replace(MARK_START, "").replace(MARK_END, "")


def marked_html(text) -> SafeString:
    """``text`` escaped, with the words the database marked in <mark>."""
    text = _clean(text)
    if text.count(MARK_START) != text.count(MARK_END):
        text = unmarked(text)
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # escaped above: only the marks are markup


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


@dataclass(frozen=True)
class Hit:
    """A match found by the database: the row's key and its marked passages."""

    pk: int
    head: str = ""  # the row's weight "A" text with the matched words marked
    body: str = ""  # a passage of its weight "B" text, matched words marked


def _one_more(limit):
    """The rows to fetch to learn whether there are more than ``limit``."""
    return limit + 1


def _match(queryset, model, terms, *, exclude=False):
    """``queryset`` narrowed to the rows of ``model`` matching ``terms`` (or not matching)."""
    if terms.full_text:
        condition = Q(**{VECTOR: terms.search_query})
    else:
        table = search_index.fts_table(model)
        condition = Q(
            pk__in=RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [terms.fts5()])
        )
    return queryset.exclude(condition) if exclude else queryset.filter(condition)


def _text_of(model, weight, separator):
    """The text of the fields of one weight of ``model``'s vector, joined (PostgreSQL)."""
    fields = vector_field(model).weights.get(weight, ())
    if not fields:
        return None
    text = models.TextField()
    parts = []
    for field in fields:
        parts += [Coalesce(F(field), Value(""), output_field=text), Value(separator)]
    return Concat(*parts[:-1], output_field=text) if len(parts) > 2 else parts[0]


class Source:
    """One model searched under a kind of result, through its stored vector or FTS5 table."""

    model = None
    kind = ""
    deferred = ()  # vectors of related rows loaded with select_related, not needed

    def published(self):
        raise NotImplementedError

    def published_rows(self, pks):
        """The published rows among ``pks`` (a list or a subquery): what ``published()``
        holds, checked row by row, reading only those rows."""
        return self.published().filter(pk__in=pks)

    def count(self, terms, most):
        """How many published rows match, up to ``most`` + 1."""
        if not terms:
            return 0
        if terms.full_text:
            matches = _match(self.published(), self.model, terms)
            return matches.order_by().values("pk")[: _one_more(most)].count()
        table = search_index.fts_table(self.model)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE "{table}" MATCH %s LIMIT %s)',
                [terms.fts5(), _one_more(most)],
            )
            return cursor.fetchone()[0]

    def results(self, terms, offset, size, most):
        """(the results ``offset`` to ``offset + size`` of the first ``most`` + 1 matches
        found, best first; how many matches there are, up to ``most`` + 1).

        Two queries, whatever was found: the page of matches with the bounded count (and on
        SQLite their snippets), then their rows (and on PostgreSQL their snippets).
        """
        if not terms or size <= 0:
            return [], 0
        size = min(size, most - offset)
        if size <= 0:
            return [], self.count(terms, most)
        hits, found = (self._pg_hits if terms.full_text else self._fts_hits)(
            terms, offset, size, most
        )
        rows = {obj.pk: obj for obj in self._rows(terms, [hit.pk for hit in hits])}
        if found is None:
            found = self.count(terms, most) if offset else 0
        results = []
        for hit in hits:
            obj = rows.get(hit.pk)
            if obj is None:
                continue  # no longer published since the first query
            if terms.full_text:
                hit = Hit(hit.pk, obj.search_head or "", obj.search_body or "")
            results.append(self.result(obj, hit, terms))
        return results, found

    def _fts_hits(self, terms, offset, size, most):
        """SQLite: the FTS5 table's first matches ranked by bm25, the page of them with the
        matched words marked (for those rows only), and how many there are."""
        table = f'"{search_index.fts_table(self.model)}"'
        score = f"bm25({table}, {search_index.HEAD_WEIGHT}, {search_index.BODY_WEIGHT})"
        marks = f"'{MARK_START}', '{MARK_END}'"
        query = terms.fts5()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH found AS MATERIALIZED (SELECT rowid AS id, {score} AS score "
                f"FROM {table} WHERE {table} MATCH %s LIMIT %s), "
                "shown AS (SELECT id, score FROM found ORDER BY score, id LIMIT %s OFFSET %s) "
                f"SELECT shown.id, (SELECT count(*) FROM found), highlight({table}, 0, {marks}), "
                f"snippet({table}, 1, {marks}, '…', {SNIPPET_TOKENS}) "
                f"FROM shown JOIN {table} ON {table}.rowid = shown.id "
                f"WHERE {table} MATCH %s ORDER BY shown.score, shown.id",
                [query, _one_more(most), size, offset, query],
            )
            rows = cursor.fetchall()
        found = rows[0][1] if rows else None
        return [Hit(pk, head or "", body or "") for pk, _, head, body in rows], found

    def _pg_hits(self, terms, offset, size, most):
        """PostgreSQL: the first matches found (in table order: ordering them would read every
        match), ranked by ts_rank, the page of them, and how many there are."""
        first = _match(self.published(), self.model, terms).order_by().values("pk")
        # "pk = ANY(ARRAY(…))", not "pk IN (…)": PostgreSQL then finds the first rows once and
        # ranks just them, where with IN it may rank the whole table to join it with them.
        ranked = (
            self.model.objects.filter(IsAnyOf(F("pk"), ArraySubquery(first[: _one_more(most)])))
            .annotate(
                search_rank=SearchRank(F(VECTOR), terms.search_query),
                search_total=Window(Count("pk")),
            )
            .order_by("-search_rank", "pk")
            .values_list("pk", "search_total")[offset : offset + size]
        )
        rows = list(ranked)
        return [Hit(pk) for pk, _ in rows], (rows[0][1] if rows else None)

    def _rows(self, terms, pks):
        """The published rows of ``pks``, one query whatever their number (none included);
        on PostgreSQL with their text marked by ts_headline (for these rows only)."""
        if terms.full_text:
            listed = RawSQL("SELECT unnest(%s::bigint[])", [pks])
        else:
            listed = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(pks)])
        queryset = self.published_rows(listed).defer(VECTOR, *self.deferred).order_by()
        if not terms.full_text:
            return queryset
        query = terms.search_query
        head = _text_of(self.model, "A", " ")
        body = _text_of(self.model, "B", "\n\n")
        marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": CONFIG}
        return queryset.annotate(
            search_head=(
                SearchHeadline(head, query, highlight_all=True, **marks)
                if head is not None
                else Value("")
            ),
            search_body=(
                SearchHeadline(body, query, max_words=35, min_words=15, **marks)
                if body is not None
                else Value("")
            ),
        )

    def result(self, obj, hit, terms) -> Result:
        raise NotImplementedError

    def _result(self, terms, hit, *, label, product, title, texts, url):
        found = marked_words(hit.head) | marked_words(hit.body)
        if MARK_START in (hit.body or ""):
            snippet, snippet_html = unmarked(hit.body), marked_html(hit.body)
        else:
            snippet = terms.excerpt(*texts)
            snippet_html = terms.highlight(snippet, found)
        return Result(
            kind=self.kind,
            label=label,
            product=product,
            title=title,
            title_html=terms.highlight(title, found),
            snippet=snippet,
            snippet_html=snippet_html,
            url=url,
        )


def _is_public(product):
    """Whether the product ``product`` (an outer reference) is public, row by row: what
    ``public_products()`` says, without first listing every public product."""
    plans = RiskManagementPlan.objects.filter(product=OuterRef(product))
    return Exists(plans.published()) | ~Exists(plans)


class ProductSource(Source):
    model = Product
    kind = "product"

    def published(self):
        return public_products()

    def published_rows(self, pks):
        return Product.objects.filter(pk__in=pks).filter(_is_public("pk"))

    def result(self, product, hit, terms):
        return self._result(
            terms,
            hit,
            label=f"Product · {product.get_authorisation_status_display()}",
            product=product.name,
            title=product.name,
            texts=[product.indication],
            url=product.get_absolute_url(),
        )


class ProductBySubstanceSource(ProductSource):
    """Products whose active substance matches (and whose name and indication do not).

    Few products share a substance: this source reads its results in one query, by name.
    """

    def _matches(self, terms):
        """Public products with a matching substance, the products' own matches left out:
        found from the substances (few) to their products."""
        substances = _match(Substance.objects.all(), Substance, terms)
        having = Product.substances.through.objects.filter(substance__in=substances)
        products = Product.objects.filter(pk__in=having.values("product_id"))
        return _match(products, Product, terms, exclude=True).filter(_is_public("pk"))

    def _substances(self, terms):
        """The product's active substances matching ``terms``."""
        return _match(Substance.objects.filter(products=OuterRef("pk")), Substance, terms)

    def count(self, terms, most):
        if not terms:
            return 0
        return self._matches(terms).order_by().values("pk")[: _one_more(most)].count()

    def results(self, terms, offset, size, most):
        if not terms or size <= 0:
            return [], 0
        size = min(size, most - offset)
        if size <= 0:
            return [], self.count(terms, most)
        first = self._matches(terms).order_by("pk").values("pk")[: _one_more(most)]
        substances = self._substances(terms).order_by("name").values("name")[:1]
        rows = list(
            Product.objects.filter(pk__in=first)
            .defer(VECTOR)
            .annotate(matched_substance=Subquery(substances), search_total=Window(Count("pk")))
            .order_by("name", "pk")[offset : offset + size]
        )
        found = rows[0].search_total if rows else (self.count(terms, most) if offset else 0)
        return [self.result(product, Hit(product.pk), terms) for product in rows], found

    def result(self, product, hit, terms):
        return self._result(
            terms,
            hit,
            label=f"Product · {product.get_authorisation_status_display()}",
            product=product.name,
            title=product.name,
            texts=[f"Active substance: {product.matched_substance}"],
            url=product.get_absolute_url(),
        )


class ConcernSource(Source):
    model = SafetyConcern
    kind = "safety concern"
    deferred = ("plan__product__search_vector",)

    def published(self):
        return SafetyConcern.objects.current().select_related("plan__product")

    def result(self, concern, hit, terms):
        return self._result(
            terms,
            hit,
            label=ConcernCategory(concern.category).label,
            product=concern.plan.product.name,
            title=concern.name,
            texts=[concern.evidence, concern.risk_factors],
            url=concern.get_absolute_url(),
        )


class AdditionalMeasureSource(Source):
    model = AdditionalMeasure
    kind = "additional measure"
    deferred = ("plan__product__search_vector",)

    def published(self):
        return AdditionalMeasure.objects.current().select_related("plan__product")

    def result(self, measure, hit, terms):
        return self._result(
            terms,
            hit,
            label=f"Additional measure · {measure.get_kind_display()}",
            product=measure.plan.product.name,
            title=measure.name,
            texts=[measure.description],
            url=measure.plan.product.get_absolute_url(),
        )


class RoutineMeasureSource(Source):
    model = RoutineMeasure
    kind = "routine measure"
    deferred = (
        "safety_concern__search_vector",
        "safety_concern__plan__product__search_vector",
    )

    def published(self):
        # The measures of current concerns (SafetyConcern.objects.current()), as a join: a
        # subquery of every current concern would be listed first.
        return RoutineMeasure.objects.filter(
            safety_concern__plan__status=PlanStatus.PUBLISHED
        ).select_related("safety_concern__plan__product")

    def result(self, measure, hit, terms):
        concern = measure.safety_concern
        return self._result(
            terms,
            hit,
            label=f"Routine measure · {measure.get_kind_display()}",
            product=concern.plan.product.name,
            title=concern.name,
            texts=[measure.text],
            url=concern.get_absolute_url(),
        )


class StudySource(Source):
    model = Study
    kind = "study"
    deferred = ("plan__product__search_vector",)

    def published(self):
        return Study.objects.current().select_related("plan__product")

    def result(self, study, hit, terms):
        texts = [study.purpose] if study.name == study.title else [study.title, study.purpose]
        return self._result(
            terms,
            hit,
            label=f"Study · {StudyCategory(study.category).short_label}",
            product=study.plan.product.name,
            title=study.name,
            texts=texts,
            url=study.get_absolute_url(),
        )


class SectionSource(Source):
    model = ProductInformationSection
    kind = "product information section"
    deferred = ("product__search_vector",)

    def published(self):
        return ProductInformationSection.objects.filter(
            product__in=public_products()
        ).select_related("product")

    def published_rows(self, pks):
        sections = ProductInformationSection.objects.filter(pk__in=pks)
        return sections.filter(_is_public("product_id")).select_related("product")

    def result(self, section, hit, terms):
        url = reverse("browse:product_information", kwargs={"slug": section.product.slug})
        return self._result(
            terms,
            hit,
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


def _within(found, limit):
    return min(found, limit)


class ResultList:
    """The results of one kind, source after source; sliceable, so Django's Paginator pages it.

    Costs one bounded count per source, then two queries per source the requested slice
    touches. Each source counts and pages at most ``MAX_RESULTS`` results, and ``more`` says
    whether some source has further matches.
    """

    def __init__(self, kind, terms):
        self.kind = Kind(kind)
        self.terms = terms
        self.limit = MAX_RESULTS
        self.sources = SOURCES[self.kind]
        self._found = None

    def found(self):
        """How many results each source has, up to one more than the limit."""
        if self._found is None:
            self._found = [source.count(self.terms, self.limit) for source in self.sources]
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
        for source, size in zip(self.sources, self.counts(), strict=True):
            low = max(start - offset, 0)
            high = size if stop is None else min(stop - offset, size)
            if low < high:
                found, _ = source.results(self.terms, low, high - low, self.limit)
                results.extend(found)
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


def grouped_results(terms, limit=20):
    """The first ``limit`` results of every kind with the count of each (up to the result
    limit). Two queries per source whatever the data (one for products by substance)."""
    most = MAX_RESULTS
    groups = []
    for kind, sources in SOURCES.items():
        results, count, more = [], 0, False
        for source in sources:
            if not terms:
                continue
            shown, found = source.results(terms, 0, limit, most)
            count += _within(found, most)
            more = more or found > most
            results.extend(shown)
        groups.append(Group(kind=kind, count=count, results=results[:limit], more=more))
    return groups


def kind_results(terms, kind):
    """All results of one kind, for the Paginator."""
    return ResultList(kind, terms)


def all_results(terms, kind=None) -> Iterator[Result]:
    """The results of one kind, or of all kinds in order, as the pages count them (at most
    ``MAX_RESULTS`` per source, best first), read in batches: for the streamed exports."""
    if not terms:
        return
    for each in [Kind(kind)] if kind else Kind:
        for source in SOURCES[each]:
            offset = 0
            while offset < MAX_RESULTS:
                size = min(EXPORT_BATCH, MAX_RESULTS - offset)
                batch, _ = source.results(terms, offset, size, MAX_RESULTS)
                yield from batch
                if len(batch) < size:
                    break
                offset += size
