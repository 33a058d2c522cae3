"""Can a similarity threshold tell products the shop has from products it does not have?

Top hybrid hit of the demo catalogue for the English product_search turns of the demo
dialogues (train + validation; the shop has something for each) and for 20 requests for
things it does not sell, written here. Prints, per bar, the share of each kept by the bar:
a useful threshold keeps the first near 1 and the second near 0.

    nice -n 10 .venv/bin/python bench/retrieval_product_threshold.py
"""

from __future__ import annotations

import json

import numpy as np
from retrieval_common import REPO

from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridSearch
from retrieval.records import load_catalogue
from retrieval.store import VectorStore

NOT_SOLD = [
    "do you sell kayaks", "I need a washing machine", "car tyres for my suv",
    "a sofa for the living room", "dog food", "red lipstick", "an acoustic guitar",
    "printer ink cartridges", "school textbooks", "garden hose 20m", "baby stroller",
    "wedding dress", "fishing rod", "golf clubs", "a queen size mattress", "a new smartphone",
    "lego sets for kids", "vitamin supplements", "a bicycle helmet", "ski goggles",
]  # fmt: skip


def shop_queries() -> list[str]:
    queries = []
    for split in ("train", "validation"):
        path = REPO / "demo_shop" / "data" / "dialogues" / f"{split}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            dialogue = json.loads(line)
            if dialogue["language"] == "en":
                queries += [t["content"] for t in dialogue["turns"]
                            if t["role"] == "user" and t["intent"] == "product_search"]  # fmt: skip
    return queries


def main() -> int:
    embedder = Embedder()
    with VectorStore(REPO / "var" / "bench-cache" / "latency-demo", embedder) as store:
        store.sync_products(load_catalogue(REPO / "demo_shop" / "data" / "catalogue.jsonl"))
        search = HybridSearch(store, faq=[])

        def best(query: str) -> tuple[float, float]:
            hits = search.search_products(query, top_k=5)
            return max(h.score for h in hits), max(h.keyword for h in hits)

        sold = np.array([best(q) for q in shop_queries()])
        not_sold = np.array([best(q) for q in NOT_SOLD])
    print(f"{len(sold)} product_search turns, {len(not_sold)} requests for what is not sold\n")
    print("| dense bar | keyword bar | product_search turns kept | not-sold kept |")
    print("|---|---|---|---|")
    for bar in (0.25, 0.3, 0.35, 0.4, 0.45):
        for coverage in (0.5, 1.0):
            keep = ((sold[:, 0] >= bar) | (sold[:, 1] >= coverage)).mean()
            wrong = ((not_sold[:, 0] >= bar) | (not_sold[:, 1] >= coverage)).mean()
            print(f"| {bar} | {coverage} | {keep:.2f} | {wrong:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
