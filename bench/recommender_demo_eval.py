"""Leave-last-out sanity check of the session recommender against two baselines.

For every session with at least two events the last event is held out; models train on all
other events and predict the held-out item from the session prefix. Targets already present in
the prefix (e.g. buying a carted item) are skipped, since every model here excludes items the
shopper has already seen.

    .venv/bin/python bench/recommender_demo_eval.py        # demo shop data
    .venv/bin/python bench/recommender_demo_eval.py \
        --yoochoose /work/shared/data/yoochoose_rsc15_100k_sessionrec
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender import MFConfig, SessionRecommender  # noqa: E402
from recommender.baselines import ItemCooccurrence, MostPopular  # noqa: E402
from recommender.data import Event, load_interactions, load_yoochoose  # noqa: E402
from recommender.explicit import ExplicitMF  # noqa: E402
from recommender.knn import SessionKNN  # noqa: E402
from recommender.metrics import catalogue_coverage, mrr_at_k, ndcg_at_k, recall_at_k  # noqa: E402
from recommender.splits import leave_last_out  # noqa: E402
from recommender.two_tower import TwoTower, TwoTowerConfig  # noqa: E402

logger = logging.getLogger("recommender_demo_eval")


def load_catalogue(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    items = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items[row["item_id"]] = row
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--interactions", type=Path, default=ROOT / "demo_shop/data/interactions.csv"
    )
    parser.add_argument("--catalogue", type=Path, default=ROOT / "demo_shop/data/catalogue.jsonl")
    parser.add_argument("--yoochoose", type=Path, help="folder with yoochoose-clicks-100k_*.txt")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=MFConfig.epochs)
    parser.add_argument("--factors", type=int, default=MFConfig.factors)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tt-epochs", type=int, default=15, help="two-tower epochs (max)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.yoochoose:
        train = load_yoochoose(args.yoochoose / "yoochoose-clicks-100k_train_full.txt")
        _, queries = leave_last_out(
            load_yoochoose(args.yoochoose / "yoochoose-clicks-100k_test.txt")
        )
        items: dict[str, dict] = {}
        source = str(args.yoochoose)
    else:
        if not args.interactions.exists():
            sys.exit(f"{args.interactions} not found; generate the demo data first")
        train, queries = leave_last_out(load_interactions(args.interactions))
        items = load_catalogue(args.catalogue)
        source = str(args.interactions)
    if not queries:
        sys.exit("no sessions with a new last item to evaluate")

    config = MFConfig(epochs=args.epochs, factors=args.factors, seed=args.seed)
    started = time.perf_counter()
    mf = SessionRecommender.train(train, items, config)
    mf_seconds = time.perf_counter() - started
    popular = MostPopular().fit(train)
    cooc = ItemCooccurrence(recency_decay=config.recency_decay).fit(train)
    catalogue = set(items) | {e.item_id for e in train}

    def mf_rank(prefix: list[Event], k: int) -> list[str]:
        viewed = [e.item_id for e in prefix if e.event == "view"]
        carted = [e.item_id for e in prefix if e.event != "view"]
        return [r.item_id for r in mf.recommend(viewed, carted, k=k)]

    def events_rank(model):
        return lambda prefix, k: [r.item_id for r in model.recommend(prefix, k)]

    timings = {"MF-BPR (fold-in)": mf_seconds}

    def timed(name, build):
        started = time.perf_counter()
        model = build()
        timings[name] = time.perf_counter() - started
        return events_rank(model)

    models = {
        "MostPopular": lambda prefix, k: [
            r.item_id for r in popular.recommend([e.item_id for e in prefix], k)
        ],
        "ItemCooccurrence": lambda prefix, k: [
            r.item_id for r in cooc.recommend([e.item_id for e in prefix], k)
        ],
        "SessionKNN": timed("SessionKNN", lambda: SessionKNN().fit(train)),
        "ExplicitMF": timed("ExplicitMF", lambda: ExplicitMF().fit_events(train)),
        "MF-BPR (fold-in)": mf_rank,
    }
    tt_config = TwoTowerConfig(epochs=args.tt_epochs, seed=args.seed, progress=False)
    models["TwoTower (id)"] = timed("TwoTower (id)", lambda: TwoTower.fit(train, tt_config))
    if items:
        from retrieval.embeddings import Embedder

        encode = Embedder().encode
        models["TwoTower (id+content)"] = timed(
            "TwoTower (id+content)",
            lambda: TwoTower.fit(train, tt_config, items=items, encode=encode),
        )
    targets = [target for _, target in queries]
    k = args.k
    print(
        f"\nLeave-last-out on {source}: {len(train)} training events, {len(queries)} queries, "
        f"{len(catalogue)} items\n"
    )
    print(
        f"{'model':<22} {'Recall@' + str(k):>10} {'MRR@' + str(k):>10} {'NDCG@' + str(k):>10} "
        f"{'Cov@' + str(k):>10} {'train s':>8}"
    )
    for name, rank in models.items():
        ranked = [rank(prefix, k) for prefix, _ in queries]
        values = (
            recall_at_k(ranked, targets, k),
            mrr_at_k(ranked, targets, k),
            ndcg_at_k(ranked, targets, k),
            catalogue_coverage(ranked, catalogue, k),
        )
        seconds = timings.get(name)
        took = f"{seconds:>8.1f}" if seconds is not None else f"{'-':>8}"
        print(f"{name:<22} " + " ".join(f"{v:>10.4f}" for v in values) + f" {took}")


if __name__ == "__main__":
    main()
