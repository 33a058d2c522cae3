"""Chroma server mode: a real `chroma run` server started here, used through HttpClient by
`shop-assistant ingest`, the start-up sync and hybrid search, then stopped."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from assistant.config import AssistantConfig
from assistant.ingest import open_store
from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridSearch
from retrieval.ingest import sync_shop_file
from retrieval.store import SyncSummary


@pytest.mark.slow
def test_ingest_sync_and_search_through_server(chroma_port, tmp_path, capsys):
    faq = tmp_path / "faq.md"
    faq.write_text(
        "## How long does shipping take?\nid: ship.en\ncategory: shipping\n"
        "Parcels arrive in 3-5 business days.\n\n"
        "## ¿Cuánto tarda el envío?\nid: ship.es\nlanguage: es\n"
        "Los paquetes llegan en 3 a 5 días hábiles.\n",
        encoding="utf-8",
    )
    catalogue = tmp_path / "catalogue.jsonl"
    rows = [
        {"item_id": "P1", "title": "Trail Runner", "description": "Grippy trail shoe.",
         "category": "running-shoes", "brand": "Stride", "price": 89.0, "stock": 5},
        {"item_id": "P2", "title": "Storm Shell", "description": "Waterproof rain jacket.",
         "category": "jackets", "brand": "Peak", "price": 120.0, "stock": 0},
    ]  # fmt: skip
    catalogue.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    server = ["--chroma-host", "127.0.0.1", "--chroma-port", str(chroma_port),
              "--data-dir", str(tmp_path / "data")]  # fmt: skip
    assert main(["ingest", "faq", str(faq), *server]) == 0
    assert main(["ingest", "catalogue", str(catalogue), *server]) == 0
    out = capsys.readouterr().out
    assert f"in the store at http://127.0.0.1:{chroma_port}" in out and "added 2" in out
    assert main(["ingest", "faq", str(faq), *server]) == 0
    assert "added 0, updated 0, removed 0, unchanged 2" in capsys.readouterr().out
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the local disk store

    config = AssistantConfig(data_dir=tmp_path / "data", chroma_host="127.0.0.1",
                             chroma_port=chroma_port)  # fmt: skip
    with open_store(config, Embedder()) as store:
        state = store.source_state("faq")
        assert (state.kind, state.complete) == ("ingest", True)
        shop_faq = tmp_path / "shop-faq.jsonl"
        shop_faq.write_text('{"faq_id": "x", "question": "Q?", "answer": "A."}\n', "utf-8")
        assert sync_shop_file(store, "faq", shop_faq) is None  # ingested data is kept
        search = HybridSearch(store)
        hits = search.search_faq("when will my parcel arrive", top_k=1, language="en")
        assert hits[0].entry.faq_id == "ship.en"
        hits = search.search_products("shoe for trails", in_stock=True)
        assert [hit.product.item_id for hit in hits] == ["P1"]
        assert store.sync_products([]) == SyncSummary(removed=2)
