"""Hybrid search: rank fusion, filters on both the dense and the keyword side, thresholds."""

from __future__ import annotations

import pytest

from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridSearch, product_keyword_text
from retrieval.keyword import KeywordIndex, fused_scores, reciprocal_rank_fusion
from retrieval.records import FaqEntry, Product
from retrieval.store import VectorStore

FAQ = [
    FaqEntry("ship.en", "How long does shipping take?", "Parcels arrive in 3-5 business days.",
             "en", "shipping", "ship"),
    FaqEntry("ship.es", "¿Cuánto tarda el envío?", "Los paquetes llegan en 3 a 5 días hábiles.",
             "es", "shipping", "ship"),
    FaqEntry("return.en", "How do I return an item?", "Start a return within 30 days.",
             "en", "returns", "return"),
    FaqEntry("giftwrap.en", "Do you offer Zorblax wrapping?", "Zorblax gift wrap costs 3 USD.",
             "en", "orders", "giftwrap"),
]  # fmt: skip

PRODUCTS = [
    Product("P1", "Trail Runner", "Grippy trail running shoe.", "running-shoes", "Stride", 89.0,
            stock=5),
    Product("P2", "Road Racer", "Light road running shoe.", "running-shoes", "Stride", 140.0,
            stock=0),
    Product("P3", "Quokka Flask", "Insulated steel bottle, 750 ml.", "outdoor-gear", "Quokka",
            25.0, stock=3),
    Product("P4", "Quokka Mug", "Enamel camping mug.", "outdoor-gear", "Quokka", 12.0, stock=0),
    Product("P5", "Zapatilla Ruta", "Zapatilla ligera para correr.", "running-shoes", "Stride",
            70.0, stock=4, language="es"),
]  # fmt: skip


def test_fused_scores_weights_and_k():
    scores = fused_scores([["a", "b"], ["b", "c"]], k=0)
    assert scores == {"a": 1.0, "b": 0.5 + 1.0, "c": 0.5}
    assert reciprocal_rank_fusion([["a", "b"], ["b", "a"]], k=1, weights=[3, 1]) == ["a", "b"]
    assert reciprocal_rank_fusion([["a", "b"], ["b", "a"]], k=1, weights=[1, 3]) == ["b", "a"]
    with pytest.raises(ValueError, match="expected 2 weights"):
        fused_scores([["a"], ["b"]], weights=[1.0])
    with pytest.raises(ValueError, match="k must be"):
        fused_scores([["a"]], k=-1)


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    store = VectorStore(tmp_path_factory.mktemp("hybrid") / "index", Embedder())
    store.sync_faq(FAQ)
    store.sync_products(PRODUCTS)
    yield HybridSearch(store)
    store.close()


def test_reads_records_from_store(search):
    assert set(search.faq) == {e.faq_id for e in FAQ}
    assert search.products["P5"] == PRODUCTS[4]


def test_order_is_the_fusion_of_both_rankings(search):
    query = "quokka steel bottle"
    dense = [hit.product.item_id for hit in search.store.search_products(query, top_k=40)]
    index = KeywordIndex([(i, product_keyword_text(p)) for i, p in search.products.items()])
    keyword = [hit.doc_id for hit in index.search(query, top_k=40)]
    hits = search.search_products(query, top_k=5)
    assert [hit.product.item_id for hit in hits] == reciprocal_rank_fusion([dense, keyword])
    assert hits[0].product.item_id == "P3" and hits[0].keyword == 1.0
    assert [hit.fused for hit in hits] == sorted((hit.fused for hit in hits), reverse=True)
    # Weighting the keyword side fully makes the order BM25's (then the dense-only items).
    keyword_only = HybridSearch(search.store, dense_weight=0.0)
    ranked = [hit.product.item_id for hit in keyword_only.search_products(query, top_k=5)]
    assert ranked[: len(keyword)] == keyword


def test_product_filters_apply_to_both_sides(search):
    def ids(query="quokka running shoe", **filters):
        return {hit.product.item_id for hit in search.search_products(query, **filters)}

    assert ids() == {"P1", "P2", "P3", "P4", "P5"}
    assert ids(category="outdoor-gear") == {"P3", "P4"}
    assert ids(in_stock=True) == {"P1", "P3", "P5"}
    assert ids(in_stock=False) == {"P2", "P4"}
    assert ids(min_price=20, max_price=89) == {"P1", "P3", "P5"}  # inclusive bounds
    assert ids(language="es") == {"P5"}
    assert ids(category=["outdoor-gear", "running-shoes"], max_price=30, in_stock=True) == {"P3"}
    assert ids(min_price=1000) == set()


def test_faq_filters_and_ranking(search):
    hits = search.search_faq("how many days until my parcel arrives", top_k=2, language="en")
    assert hits[0].entry.faq_id == "ship.en" and hits[0].score > 0.3
    assert {h.entry.faq_id for h in search.search_faq("envío", language="es")} == {"ship.es"}
    assert [h.entry.faq_id for h in search.search_faq("shipping", category="returns")] == [
        "return.en"
    ]


def test_threshold_gives_not_found(search):
    nonsense = "what is the capital of mongolia"
    assert search.search_faq(nonsense, min_score=0.5, min_coverage=0.5) == []
    assert search.search_faq(nonsense)  # without bars every entry is a candidate
    # A rare word the embedder does not know is still found by its keyword coverage.
    hits = search.search_faq("zorblax", min_score=0.9, min_coverage=1.0)
    assert [h.entry.faq_id for h in hits] == ["giftwrap.en"]
    assert search.search_products("quantum physics lecture", min_score=0.6, min_coverage=0.5) == []
    with pytest.raises(ValueError, match="min_score"):
        search.search_faq("x", min_score=1.5)
    with pytest.raises(ValueError, match="top_k"):
        search.search_products("x", top_k=0)
