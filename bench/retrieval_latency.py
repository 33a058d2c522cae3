"""Retrieval latency per query (embedding + Chroma + BM25 + fusion), p50 and p95.

Two stores, both embedded Chroma on disk, searched through ``retrieval.hybrid.HybridSearch``
with the query-embedding cache off (every query is embedded):
  demo     the demo shop's FAQ (95 entries) and catalogue (349 products)
  10k      10,000 synthetic FAQ entries: Bitext rows (utterance as the question, that row's
           written reply as the answer; past the first --full-answers rows only the reply's
           first sentence, which cuts embedding time on a loaded machine: the search itself
           depends on the number of entries, not on their length)
Queries are distinct texts: the demo dialogues' user turns for the demo store, the Bitext
rows left out of the 10,000 for the other. Stores are kept under var/bench-cache/ (a rerun
embeds nothing).

    nice -n 10 .venv/bin/python bench/retrieval_latency.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

import numpy as np
from retrieval_common import REPO, shared_data

from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridSearch
from retrieval.records import FaqEntry, load_catalogue, load_faq
from retrieval.store import VectorStore

BITEXT_FILES = (
    "Bitext_Sample_Customer_Support_Training_Dataset_va6d3265.csv",
    "Bitext_Sample_Customer_Support_Training_Dataset_v8b6ca3d.csv",
)


def timed(fn, queries) -> np.ndarray:
    """Milliseconds per call of fn(query)."""
    times = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        times.append(1000 * (time.perf_counter() - started))
    return np.array(times)


def row(name: str, times: np.ndarray) -> str:
    p50, p95 = np.percentile(times, [50, 95])
    return f"| {name} | {p50:.1f} | {p95:.1f} | {len(times)} |"


def demo_queries(limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for line in (REPO / "demo_shop/data/dialogues/validation.jsonl").read_text().splitlines():
        for turn in json.loads(line)["turns"]:
            if turn["role"] == "user":
                seen.setdefault(turn["content"])
    return list(seen)[:limit]


def bitext_entries(folder: Path, full_answers: int) -> list[FaqEntry]:
    entries: list[FaqEntry] = []
    for name in BITEXT_FILES:
        with open(folder / name, encoding="utf-8", newline="") as fh:
            for number, r in enumerate(csv.DictReader(fh), start=2):
                answer = r["response"].strip()
                if len(entries) >= full_answers:
                    answer = answer.split(". ")[0].rstrip(".") + "."
                entries.append(FaqEntry(f"{name[-12:-4]}-{number}", r["instruction"].strip(),
                                        answer, "en", r["category"].lower(),
                                        r["intent"]))  # fmt: skip
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cache", default=str(REPO / "var" / "bench-cache"))
    parser.add_argument("--full-answers", type=int, default=6656)
    args = parser.parse_args()
    cache = Path(args.cache)
    embedder = Embedder(cache_size=0)
    embedder.encode(["warm up"])
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    print("| store, search | p50 ms | p95 ms | queries |\n|---|---|---|---|")

    queries = demo_queries(args.queries)
    print(row("embedding one query (MiniLM, CPU)", timed(lambda q: embedder.encode([q]), queries)))
    with VectorStore(cache / "latency-demo", embedder) as store:
        store.sync_faq(load_faq(REPO / "demo_shop/data/faq.jsonl"))
        store.sync_products(load_catalogue(REPO / "demo_shop/data/catalogue.jsonl"))
        search = HybridSearch(store)
        print(row("demo FAQ (95), hybrid top 5", timed(lambda q: search.search_faq(q), queries)))
        print(row("demo FAQ (95), dense only top 5",
                  timed(lambda q: store.search_faq(q, top_k=5), queries)))  # fmt: skip
        print(row("demo catalogue (349), hybrid top 20",
                  timed(lambda q: search.search_products(q), queries)))  # fmt: skip
        print(row("demo catalogue (349), hybrid, category + price + stock filters",
                  timed(lambda q: search.search_products(q, category="running-shoes",
                                                         max_price=150, in_stock=True),
                        queries)))  # fmt: skip

    entries = bitext_entries(shared_data() / "bitext_customer_support", args.full_answers)
    kept, rest = entries[:10_000], entries[10_000:]
    started = time.perf_counter()
    with VectorStore(cache / "latency-10k", embedder, batch_size=256) as store:
        summary = store.sync_faq(kept)
        built = time.perf_counter() - started
        search = HybridSearch(store)
        others = list(dict.fromkeys(e.question for e in rest))[: args.queries]
        print(row(f"10,000 FAQ entries, hybrid top 5 ({store.faq_count()} stored)",
                  timed(lambda q: search.search_faq(q), others)))  # fmt: skip
        print(row("10,000 FAQ entries, dense only top 5",
                  timed(lambda q: store.search_faq(q, top_k=5), others)))  # fmt: skip
        print(row("10,000 FAQ entries, hybrid, category filter",
                  timed(lambda q: search.search_faq(q, category="order"), others)))  # fmt: skip
    print(f"\n10k store: {summary} in {built:.0f} s (0 added when cached)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
