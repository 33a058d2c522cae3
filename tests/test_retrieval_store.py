"""VectorStore on a throwaway Chroma store with the real bundled MiniLM model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from retrieval.embeddings import Embedder
from retrieval.records import FaqEntry, Product
from retrieval.store import FaqHit, ProductHit, SyncSummary, VectorStore

FAQ = [
    FaqEntry(
        "shipping-times.en",
        "How long does shipping take?",
        "Standard orders arrive within 3 to 5 business days after dispatch.",
        "en",
        "shipping",
        "shipping-times",
    ),
    FaqEntry(
        "shipping-times.es",
        "¿Cuánto tarda el envío?",
        "Los pedidos estándar llegan en 3 a 5 días hábiles.",
        "es",
        "shipping",
        "shipping-times",
    ),
    FaqEntry(
        "returns.en",
        "How do I return an item?",
        "Start a return from your account within 30 days; the label is free.",
        "en",
        "returns",
        "returns",
    ),
    FaqEntry(
        "payment-methods.en",
        "Which payment methods do you accept?",
        "We accept Visa, Mastercard, PayPal and gift cards.",
        "en",
        "payment",
        "payment-methods",
    ),
    FaqEntry(
        "password-reset.en",
        "I forgot my password",
        "Use the 'Forgot password' link on the sign-in page to get a reset email.",
        "en",
        "account",
        "password-reset",
    ),
]

PRODUCTS = [
    Product("P1", "Trail Runner", "Grippy trail running shoe.", "running-shoes", "Stride", 89.0,
            stock=5, attributes={"colour": "red", "size": "42"}),
    Product("P2", "Road Racer", "Light road running shoe.", "running-shoes", "Stride", 140.0,
            stock=2),
    Product("P3", "City Sneaker", "Canvas everyday sneaker.", "casual-shoes", "Urbo", 55.0,
            stock=0),
    Product("P4", "Storm Shell", "Waterproof rain jacket with hood.", "jackets", "Peak", 120.0,
            stock=7, attributes={"colour": "blue"}),
    Product("P5", "Day Pack 20", "20 litre hiking backpack.", "backpacks", "Peak", 60.0, stock=1),
]  # fmt: skip


class CountingEmbedder:
    """Delegates to the real model and records every text it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.model_id = inner.model_id
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


class HashEmbedder:
    """A different 'model' (8 dims), to check that an index is rebuilt when the model changes."""

    dim = 8
    model_id = "hash-8"

    def encode(self, texts):
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in texts]
        vectors = np.array(rng, dtype=np.float32).reshape(len(texts), 8)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def counting(embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def store(tmp_path, counting):
    with VectorStore(tmp_path / "index", counting) as opened:
        opened.sync_faq(FAQ)
        opened.sync_products(PRODUCTS)
        counting.texts.clear()
        yield opened


def test_first_sync_then_idempotent(tmp_path, counting):
    with VectorStore(tmp_path / "index", counting) as store:
        assert store.sync_faq(FAQ) == SyncSummary(added=5)
        assert len(counting.texts) == 5
        counting.texts.clear()
        again = store.sync_faq(FAQ)
        assert again == SyncSummary(unchanged=5) and not again.changed
        assert counting.texts == []  # nothing re-embedded
        assert store.faq_count() == 5


def test_update_one_entry(store, counting):
    changed = dataclasses.replace(FAQ[2], answer="Returns are free within 60 days.")
    summary = store.sync_faq([*FAQ[:2], changed, *FAQ[3:]])
    assert summary == SyncSummary(updated=1, unchanged=4)
    assert len(counting.texts) == 1 and "60 days" in counting.texts[0]
    top = store.search_faq("how do I send something back", top_k=1)[0]
    assert top.entry == changed


def test_removal(store):
    summary = store.sync_faq(FAQ[:3])
    assert summary == SyncSummary(removed=2, unchanged=3)
    assert store.faq_count() == 3
    ids = {hit.entry.faq_id for hit in store.search_faq("payment card password", top_k=10)}
    assert ids == {"shipping-times.en", "shipping-times.es", "returns.en"}


def test_semantic_faq_query(store):
    hits = store.search_faq("how long does delivery take", top_k=3, language="en")
    assert hits[0].entry.faq_id == "shipping-times.en"
    assert all(isinstance(hit, FaqHit) and 0.0 <= hit.score <= 1.0 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert hits[0].entry == FAQ[0]  # the full record comes back


def test_language_filter(store):
    hits = store.search_faq("shipping", top_k=5, language="es")
    assert [hit.entry.faq_id for hit in hits] == ["shipping-times.es"]
    assert store.search_faq("shipping", language="fr") == []


def test_product_filters(store):
    def ids(**filters):
        return {hit.product.item_id for hit in store.search_products("shoes", **filters)}

    assert ids() == {"P1", "P2", "P3", "P4", "P5"}
    assert ids(category="running-shoes") == {"P1", "P2"}
    assert ids(category=["running-shoes", "casual-shoes"]) == {"P1", "P2", "P3"}
    assert ids(max_price=89.0) == {"P1", "P3", "P5"}  # bounds are inclusive
    assert ids(min_price=60, max_price=120) == {"P1", "P4", "P5"}
    assert ids(in_stock=True) == {"P1", "P2", "P4", "P5"}
    assert ids(in_stock=False) == {"P3"}
    assert ids(category="running-shoes", max_price=100, in_stock=True) == {"P1"}
    assert ids(min_price=500) == set()


def test_product_search_ranks_and_returns_records(store):
    hits = store.search_products("waterproof coat for rain", top_k=2)
    assert len(hits) == 2 and isinstance(hits[0], ProductHit)
    assert hits[0].product == PRODUCTS[3]
    assert hits[0].product.attributes == {"colour": "blue"}


def test_product_update_and_removal(store, counting):
    cheaper = dataclasses.replace(PRODUCTS[1], price=99.0)
    summary = store.sync_products([PRODUCTS[0], cheaper, *PRODUCTS[2:4]])
    assert summary == SyncSummary(updated=1, removed=1, unchanged=3)
    assert len(counting.texts) == 1
    hits = store.search_products("road shoe", max_price=100, category="running-shoes")
    assert {hit.product.item_id: hit.product.price for hit in hits} == {"P1": 89.0, "P2": 99.0}
    assert store.product_count() == 4


def test_reopen_reuses_index(tmp_path, embedder):
    first = CountingEmbedder(embedder)
    with VectorStore(tmp_path / "index", first) as store:
        store.sync_faq(FAQ)
        store.sync_products(PRODUCTS)
    second = CountingEmbedder(embedder)
    with VectorStore(tmp_path / "index", second) as store:
        assert (store.faq_count(), store.product_count()) == (5, 5)
        assert store.sync_faq(FAQ) == SyncSummary(unchanged=5)
        assert store.sync_products(PRODUCTS) == SyncSummary(unchanged=5)
        assert store.search_faq("forgot my password", top_k=1)[0].entry.faq_id == (
            "password-reset.en"
        )
    assert second.texts == ["forgot my password"]  # only the query was embedded


def test_other_model_rebuilds_index(tmp_path, counting):
    with VectorStore(tmp_path / "index", counting) as store:
        store.sync_faq(FAQ)
    with VectorStore(tmp_path / "index", HashEmbedder()) as store:
        assert store.faq_count() == 0
        assert store.sync_faq(FAQ) == SyncSummary(added=5)


def test_query_arguments(store, counting):
    assert store.search_faq("   ") == []
    assert counting.texts == []
    with pytest.raises(ValueError, match="top_k"):
        store.search_faq("shipping", top_k=0)
    with pytest.raises(ValueError, match="max_price"):
        store.search_products("shoe", max_price="cheap")
    assert len(store.search_faq("shipping", top_k=50)) == 5  # more than stored is fine


def test_sync_rejects_duplicates(store):
    with pytest.raises(ValueError, match="duplicate faq_id"):
        store.sync_faq([FAQ[0], FAQ[0]])
    with pytest.raises(TypeError):
        store.sync_products([FAQ[0]])


def test_in_memory_store(counting):
    store = VectorStore(None, counting, prefix="memtest")
    assert store.sync_faq(FAQ[:2]) == SyncSummary(added=2)
    assert store.location == ":memory:"


# ------------------------------------------------------------------ Chroma server mode


def test_http_server_mode(chroma_port, counting):
    """The same store API through HttpClient against a real `chroma run` (tests/conftest.py)."""
    port = chroma_port
    store = VectorStore(None, counting, host="127.0.0.1", port=port)
    assert store.sync_faq(FAQ) == SyncSummary(added=5)
    assert store.sync_products(PRODUCTS) == SyncSummary(added=5)
    assert store.sync_faq(FAQ) == SyncSummary(unchanged=5)
    hits = store.search_faq("how long does delivery take", top_k=1, language="en")
    assert hits[0].entry.faq_id == "shipping-times.en"
    hits = store.search_products("shoe", category="running-shoes", in_stock=True)
    assert {hit.product.item_id for hit in hits} == {"P1", "P2"}
    # A second client (a restarted app) finds the same index on the server.
    again = VectorStore(None, counting, host="127.0.0.1", port=port)
    assert again.faq_count() == 5
