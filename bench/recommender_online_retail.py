"""UCI Online Retail sample: next-basket Recall@10, matrix factorisation vs popularity.

    nice -n 10 .venv/bin/python bench/recommender_online_retail.py

Each invoice is a basket (a session of purchases). For every customer with at least two
invoices, the latest invoice is held out; models train on every other invoice and rank items
for that customer from everything the customer bought before. Recall@10 is the share of the
held-out basket's distinct items found in the top 10. Re-buying is common in this wholesale
data, so items bought before are not excluded (for any model).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.baselines import MostPopular  # noqa: E402
from recommender.data import Event, load_online_retail  # noqa: E402
from recommender.knn import SessionKNN  # noqa: E402
from recommender.metrics import catalogue_coverage, ndcg_at_k, recall_at_k  # noqa: E402
from recommender.mf import MFConfig  # noqa: E402
from recommender.service import SessionRecommender  # noqa: E402

logger = logging.getLogger("recommender_online_retail")


def last_basket_split(events: list[Event]) -> tuple[list[Event], list[tuple[list[str], set[str]]]]:
    """Training events, and per returning customer (history items, next basket's items)."""
    invoices: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        invoices[event.session_id].append(event)
    by_customer: dict[str, list[str]] = defaultdict(list)
    for invoice, lines in invoices.items():
        if lines[0].user_id is not None:
            by_customer[lines[0].user_id].append(invoice)
    held_out = set()
    queries = []
    for invoices_of in by_customer.values():
        if len(invoices_of) < 2:
            continue
        invoices_of.sort(key=lambda i: (invoices[i][0].timestamp, i))
        last = invoices_of[-1]
        held_out.add(last)
        history = [e.item_id for i in invoices_of[:-1] for e in invoices[i]]
        queries.append((list(dict.fromkeys(history)), {e.item_id for e in invoices[last]}))
    train = [e for e in events if e.session_id not in held_out]
    return train, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("SHOP_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument(
        "--data",
        type=Path,
        default=default / "online_retail_uci_sample" / "online_retail_first8000.csv",
    )
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("recommender.mf").setLevel(logging.WARNING)
    if not args.data.exists():
        sys.exit(f"{args.data} not found (set SHOP_SHARED_DATA)")
    events, items = load_online_retail(args.data)
    train, queries = last_basket_split(events)
    if not queries:
        sys.exit("no customer with two invoices")
    k = args.k
    targets = [basket for _, basket in queries]
    results = []

    started = time.perf_counter()
    popular = MostPopular().fit(train)
    results.append(("MostPopular", time.perf_counter() - started, [
        [r.item_id for r in popular.recommend(h, k, exclude_seen=False)] for h, _ in queries
    ]))  # fmt: skip
    started = time.perf_counter()
    knn = SessionKNN().fit(train)
    results.append(("SessionKNN", time.perf_counter() - started, [
        [r.item_id for r in knn.recommend(h, k, exclude_seen=False)] for h, _ in queries
    ]))  # fmt: skip
    for factors, epochs in ((32, 25), (64, 40)):
        started = time.perf_counter()
        config = MFConfig(factors=factors, epochs=epochs, recency_decay=1.0)
        mf = SessionRecommender.train(train, items, config)
        results.append((f"MF-BPR fold-in f={factors} e={epochs}", time.perf_counter() - started, [
            [r.item_id for r in mf.recommend(h, k=k, exclude_viewed=False)] for h, _ in queries
        ]))  # fmt: skip

    catalogue = {e.item_id for e in train}
    print(f"\nOnline Retail sample ({args.data.name}): {len(train)} training lines, "
          f"{len(queries)} customers' next baskets, {len(catalogue)} items\n")  # fmt: skip
    print(f"| model | Recall@{k} | NDCG@{k} | Cov@{k} | train s |")
    print("|---|---|---|---|---|")
    for name, seconds, ranked in results:
        print(f"| {name} | {recall_at_k(ranked, targets, k):.4f} | "
              f"{ndcg_at_k(ranked, targets, k):.4f} | "
              f"{catalogue_coverage(ranked, catalogue, k):.3f} | {seconds:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
