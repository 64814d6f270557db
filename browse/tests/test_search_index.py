"""Full-text search on both databases: the syntax, stemming and phrases, marked snippets, the
limits of a query, and the index of published data only (SQLite's FTS5 tables)."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from audit.context import recorded_change
from browse import search as site_search
from products.models import Product, ProductInformationSection, Substance
from products.tests.factories import ProductFactory, ProductInformationSectionFactory
from risks import search_index, workflow
from risks.models import (
    AdditionalMeasure,
    PlanStatus,
    RoutineMeasure,
    SafetyConcern,
    Study,
)
from risks.tests.factories import (
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    StudyFactory,
)

from .test_search import SearchPage

pytestmark = pytest.mark.django_db

URL = reverse("browse:search")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")


def get(client, status=200, **params):
    response = client.get(URL, params)
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert response.status_code == status, content[:2000]
    return content


def titles(client, query, kind="concerns"):
    page = SearchPage(get(client, q=query, kind=kind))
    return sorted(result["title"] for results in page.groups.values() for result in results)


@pytest.fixture
def concerns():
    plan = PlanFactory(product__name="Testa")
    for name, evidence in [
        ("Infusion reactions", "Seen within hours."),
        ("Reactions after the infusion", "Delayed reactions were seen after each infusion."),
        ("Hepatotoxic events", "Raised liver enzymes."),
        ("Serious infections", "Including pneumonia."),
    ]:
        SafetyConcernFactory(plan=plan, name=name, evidence=evidence)
    return plan


# Syntax, stemming, phrases ----------------------------------------------------------------------


def test_words_are_stemmed_alike_on_both_databases(client, concerns):
    # "reaction" finds "reactions"; "infections" finds "infections" and "infection".
    assert titles(client, "reaction") == [
        "Infusion reactions",
        "Reactions after the infusion",
    ]
    assert titles(client, "infection") == ["Serious infections"]
    assert titles(client, "hepatotoxic") == ["Hepatotoxic events"]
    assert titles(client, "INFUSED reacting") == []  # a different stem is not a match


def test_every_word_must_match_in_any_field(client, concerns):
    assert titles(client, "infusion hours") == ["Infusion reactions"]
    assert titles(client, "infusion pneumonia") == []


def test_a_quoted_phrase_matches_its_words_in_order(client, concerns):
    assert titles(client, '"infusion reactions"') == ["Infusion reactions"]
    assert titles(client, '"reactions infusion"') == []
    # Unquoted, both concerns have both words.
    assert titles(client, "infusion reactions") == [
        "Infusion reactions",
        "Reactions after the infusion",
    ]
    # A missing closing quote ends the phrase at the end of the search.
    assert titles(client, '"infusion reactions') == ["Infusion reactions"]


def test_or_and_minus(client, concerns):
    assert titles(client, "hepatotoxic or pneumonia") == [
        "Hepatotoxic events",
        "Serious infections",
    ]
    assert titles(client, "infusion -delayed") == ["Infusion reactions"]
    assert titles(client, 'infusion -"delayed reactions"') == ["Infusion reactions"]
    # Leaving out words from nothing finds nothing (rather than everything else).
    assert titles(client, "-infusion") == []


@pytest.mark.parametrize(
    "query",
    [
        "infusion*",
        "NEAR(infusion reactions)",
        "name:infusion",
        "^infusion",
        "infusion AND OR NOT",
        "(infusion",
        'ab"cd"ef',
        "infusion + reactions",
        "_ __ ___",
        "'; DROP TABLE xy; --",
    ],
)
def test_database_query_syntax_is_read_as_words(client, concerns, query):
    """Operators of FTS5 or tsquery typed into the box are words, never an error."""
    get(client, q=query)
    get(client, q=query, kind="concerns")
    data = json.loads(get(client, q=query, format="json"))
    assert data["query"] == query


def test_terms_are_written_for_each_database():
    terms = site_search.Terms('infusion-related "skin rash" or urticaria -"mild rash" -x1')
    assert terms.websearch() == 'infusion-related "skin rash" or urticaria -"mild rash" -x1'
    assert terms.fts5() == (
        '("infusion related" AND ("skin rash" OR "urticaria")) NOT ("mild rash" OR "x1")'
    )
    assert site_search.Terms('say "it""s" or').fts5() == '"say" AND "it" AND "s"'
    assert not site_search.Terms("or -pml")


# Snippets ---------------------------------------------------------------------------------------


def test_snippets_are_passages_of_long_texts_with_the_matched_words_marked(client):
    product = ProductFactory(name="Longa")
    words = " ".join(f"filler{n}" for n in range(400))
    ProductInformationSectionFactory(
        product=product,
        title="Undesirable effects",
        text=f"{words} Hypersensitivity reactions <b>were</b> reported. {words}",
    )
    content = get(client, q="hypersensitive reaction", kind="sections")
    page = SearchPage(content)
    [result] = page.groups["Product information sections (1)"]
    snippet = result["snippet"]
    # (PostgreSQL's ts_headline leaves out what its parser reads as tags.)
    assert "Hypersensitivity reactions <b>were</b> reported." in snippet or (
        connection.vendor == "postgresql" and "Hypersensitivity reactions were reported." in snippet
    )
    assert len(snippet) < 500  # a passage, not the 5,000 characters of the text
    assert "<mark>Hypersensitivity</mark> <mark>reactions</mark>" in content
    assert "&lt;b&gt;were&lt;/b&gt;" in content or "<mark>reactions</mark> were" in content
    assert "<b>" not in content
    # The exports have the same passage, without marks.
    row = json.loads(get(client, q="hypersensitive reaction", format="json"))["results"][0]
    assert "Hypersensitivity reactions" in row["snippet"]
    assert "<mark>" not in row["snippet"] and site_search.MARK_START not in row["snippet"]


def test_the_title_marks_the_words_found_in_it(client, concerns):
    content = get(client, q="reaction")
    assert "<mark>Infusion</mark>" not in content
    assert "Infusion <mark>reactions</mark>" in content
    assert "<mark>Reactions</mark> after the infusion" in content


# Limits -----------------------------------------------------------------------------------------


def test_forty_two_letter_words_are_refused_with_a_message(client, concerns):
    query = " ".join(["ab", "cd", "ef", "gh"] * 10)
    content = get(client, status=400, q=query)
    assert "Search for: type at most 12 words (this search has 40)" in content
    get(client, status=400, q=query, format="json")
    get(client, status=400, q=query, kind="concerns")


def test_twelve_words_are_searched(client, concerns):
    query = " ".join(["infusion"] * 6 + ['"delayed reactions were seen after each"'])
    assert titles(client, query) == ["Reactions after the infusion"]
    get(client, status=400, q=query + " more")


def test_words_of_one_letter_need_a_phrase(client):
    content = get(client, status=400, q="vitamin b")
    assert "Search for: &#x27;b&#x27; is too short: search words need at least 2" in content
    assert "&quot;vitamin b&quot;" in content
    SafetyConcernFactory(name="Vitamin B deficiency")
    assert titles(client, '"vitamin b"') == ["Vitamin B deficiency"]
    assert titles(client, "vitamin b12") == []


def test_the_first_results_of_each_source_are_counted_and_listed(client, monkeypatch):
    monkeypatch.setattr(site_search, "MAX_RESULTS", 4)
    plan = PlanFactory()
    for number in range(9):
        SafetyConcernFactory(plan=plan, name=f"Quokka risk {number}")
    page = SearchPage(get(client, q="quokka"))
    assert page.h1 == "More than 4 results for 'quokka'"
    assert len(page.groups["Safety concerns (more than 4)"]) == 4
    data = json.loads(get(client, q="quokka", format="json"))
    assert data["count"] == 4


# Published data only ----------------------------------------------------------------------------


def indexed(model):
    return search_index.indexed_ids(model)


@pytest.fixture
def published(curator, reviewer):
    plan = PlanFactory(product__name="Publica")
    SafetyConcernFactory(plan=plan, name="Known risk", evidence="Seen in trials.")
    return plan


def test_a_drafts_text_is_found_only_once_published(client, published, curator, reviewer):
    draft = workflow.start_new_version(published, user=curator, version="2", reason="New RMP")
    with recorded_change("New risk in the RMP", curator):
        concern = SafetyConcernFactory(plan=draft, name="Quokkaitis", evidence="Wombat data.")
        RoutineMeasureFactory(safety_concern=concern, text="Quokkaitis wording.")
        StudyFactory(plan=draft, code="QUOKKA1", title="Quokkaitis registry")
        old = draft.safety_concerns.get(name="Known risk")
        old.name = "Renamed risk"
        old.save()
    workflow.record_edit(draft, curator)
    draft.refresh_from_db()
    workflow.submit_for_review(draft, user=curator, reason="Ready")

    for query in ["quokkaitis", "quokka1", "wombat", "renamed"]:
        assert SearchPage(get(client, q=query)).h1 == f"No results for '{query}'"
    assert titles(client, "known risk") == ["Known risk"]
    if connection.vendor == "sqlite":
        assert concern.pk not in indexed(SafetyConcern)
        assert set(indexed(SafetyConcern)) == {published.safety_concerns.get().pk}

    workflow.publish(draft, user=reviewer, reason="Checked")

    assert titles(client, "quokkaitis") == ["Quokkaitis"]
    assert titles(client, "quokkaitis", kind="measures") == ["Quokkaitis"]
    assert titles(client, "quokka1", kind="studies") == ["QUOKKA1"]
    # The superseded version is no longer searched.
    assert titles(client, "known risk") == []
    assert titles(client, "renamed") == ["Renamed risk"]
    if connection.vendor == "sqlite":
        assert set(indexed(SafetyConcern)) == set(
            SafetyConcern.objects.current().values_list("pk", flat=True)
        )


def test_a_product_without_plans_is_hidden_by_its_first_draft(client, curator):
    product = ProductFactory(name="Solitaire", indication="Okapi fever.")
    ProductInformationSectionFactory(product=product, title="Okapi warnings", text="Okapi.")
    assert titles(client, "okapi", kind="products") == ["Solitaire"]
    assert titles(client, "okapi", kind="sections") != []

    PlanFactory(product=product, draft=True)
    assert titles(client, "okapi", kind="products") == []
    assert titles(client, "okapi", kind="sections") == []
    if connection.vendor == "sqlite":
        assert product.pk not in indexed(Product)


@on_sqlite
def test_the_index_holds_exactly_the_published_rows(seeded, client, curator):
    """The triggers (here after the seed's restore and a few edits) agree with a rebuild."""
    draft = PlanFactory(product__name="Drafta", draft=True)
    SafetyConcernFactory(plan=draft, name="Draft risk")
    ProductInformationSectionFactory(product=draft.product, text="Draft text.")
    models = [entry.model for entry in search_index.INDEXED]
    by_triggers = {model: indexed(model) for model in models}
    expected = {
        Product: Product.objects.filter(pk__in=search_public_products()),
        Substance: Substance.objects.all(),
        ProductInformationSection: ProductInformationSection.objects.filter(
            product__in=search_public_products()
        ),
        SafetyConcern: SafetyConcern.objects.current(),
        RoutineMeasure: RoutineMeasure.objects.filter(
            safety_concern__plan__status=PlanStatus.PUBLISHED
        ),
        AdditionalMeasure: AdditionalMeasure.objects.current(),
        Study: Study.objects.current(),
    }
    for model, rows in expected.items():
        assert by_triggers[model] == sorted(rows.values_list("pk", flat=True)), model
        assert by_triggers[model], model
    call_command("rebuild_search_index", verbosity=0)
    assert {model: indexed(model) for model in models} == by_triggers


def search_public_products():
    from risks.models import public_products

    return public_products().values("pk")


@on_sqlite
def test_the_index_uses_porter_stemming_and_ranks_with_bm25(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE name = %s",
            [search_index.fts_table(SafetyConcern)],
        )
        [sql] = cursor.fetchone()
    assert "USING fts5(head, body, tokenize = 'porter unicode61 remove_diacritics 2')" in sql
    plan = PlanFactory()
    # The title weighs more than the text.
    SafetyConcernFactory(plan=plan, name="Other risk", evidence="Narwhal narwhal narwhal.")
    SafetyConcernFactory(plan=plan, name="Narwhal risk", evidence="Trials.")
    page = SearchPage(get(client, q="narwhal", kind="concerns"))
    assert page.titles("Safety concerns (2)") == ["Narwhal risk", "Other risk"]


@on_sqlite
def test_rebuild_search_index_reports_what_it_indexed(seeded, capsys):
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "safety concerns: 68 indexed" in out
    assert "product information sections:" in out


def test_the_index_follows_edits_of_public_rows(client):
    product = ProductFactory(name="Editada", indication="Quagga fever.")
    section = ProductInformationSectionFactory(product=product, title="Warnings", text="Quagga.")
    assert titles(client, "quagga", kind="products") == ["Editada"]
    product.indication = "Okapi fever."
    product.save()
    section.text = "Okapi."
    section.save()
    assert titles(client, "quagga", kind="products") == []
    assert titles(client, "quagga", kind="sections") == []
    assert titles(client, "okapi", kind="products") == ["Editada"]
    assert titles(client, "okapi", kind="sections") != []
    product.delete()
    assert titles(client, "okapi", kind="products") == []
