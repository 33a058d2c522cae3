"""YooChoose 100k next-click benchmark: every model and baseline, tuned on train_tr/train_valid,
reported on train_full/test, in one run, with training time and peak memory.

    nice -n 10 .venv/bin/python bench/recommender_yoochoose.py   # ~5 min CPU, 21 min on a busy box
    .venv/bin/python bench/recommender_yoochoose.py --quick              # smoke run, ~1 min

Data: $SHOP_SHARED_DATA/yoochoose_rsc15_100k_sessionrec (default ../shared/data/...).
Each configuration in GRID is fitted on train_tr and scored on train_valid's next clicks; the
best by Recall@20 (MRR@20 breaks ties) is refitted on train_full and scored on test. The test
split is read only for that final report. Memory: the peak resident set size during the
model's training (Linux VmHWM, reset before each model), minus the RSS before it started.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.base import Step  # noqa: E402
from recommender.baselines import ItemCooccurrence  # noqa: E402
from recommender.data import Event, load_yoochoose  # noqa: E402
from recommender.evaluate import evaluate_next_click, next_click_queries  # noqa: E402
from recommender.explicit import ExplicitMF, ExplicitMFConfig  # noqa: E402
from recommender.knn import SessionKNN, SessionKNNConfig  # noqa: E402
from recommender.mf import MFConfig  # noqa: E402
from recommender.service import SessionRecommender  # noqa: E402
from recommender.two_tower import TwoTower, TwoTowerConfig  # noqa: E402

logger = logging.getLogger("recommender_yoochoose")
K = 20
Scorer = Callable[[list[Step]], np.ndarray]


# --------------------------------------------------------------------------- memory
def _status(field: str) -> float | None:
    """A field of /proc/self/status in MiB (None where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak() -> float | None:
    """Reset the kernel's peak-RSS mark (clear_refs 5) and return the current RSS in MiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS")


# --------------------------------------------------------------------------- models
def popularity(train: list[Event], _config: dict) -> tuple[list[str], Scorer]:
    items = sorted({e.item_id for e in train})
    index = {i: n for n, i in enumerate(items)}
    counts = np.zeros(len(items))
    for e in train:
        counts[index[e.item_id]] += 1
    return items, lambda prefix: counts


def cooccurrence(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    model = ItemCooccurrence(**config).fit(train)
    items = sorted(model.popular.counts)
    index = {i: n for n, i in enumerate(items)}

    def scores(prefix: list[Step]) -> np.ndarray:
        # The model only ranks: the top K get descending scores, everything else 0.
        out = np.zeros(len(items))
        recs = model.recommend([s.item_id for s in prefix], K, exclude_seen=False)
        for pos, rec in enumerate(recs):
            out[index[rec.item_id]] = K - pos
        return out

    return items, scores


def session_knn(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    model = SessionKNN(SessionKNNConfig(**config)).fit(train)
    return model.item_ids, model.scores


def bpr_fold_in(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    rec = SessionRecommender.train(train, {}, MFConfig(**config))
    return rec.item_ids, lambda prefix: rec.scores_all([s.item_id for s in prefix])


def explicit_mf(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    model = ExplicitMF(ExplicitMFConfig(**config)).fit_events(train)
    return model.item_ids, model.scores


def two_tower(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    valid = config.pop("_valid", [])
    model = TwoTower.fit(train, TwoTowerConfig(**config), valid_events=valid)
    two_tower.last_metrics = model.metrics  # the tuned epoch count is read from here
    return model.item_ids, model.scores


def _session_matrix(train: list[Event]):
    from scipy import sparse

    items = sorted({e.item_id for e in train})
    index = {i: n for n, i in enumerate(items)}
    sessions = sorted({e.session_id for e in train})
    srow = {s: n for n, s in enumerate(sessions)}
    pairs = sorted({(srow[e.session_id], index[e.item_id]) for e in train})
    rows, cols = zip(*pairs, strict=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(sessions), len(items))
    )
    return items, index, matrix


def implicit_bpr(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    items, index, matrix = _session_matrix(train)
    model = BayesianPersonalizedRanking(**config, num_threads=1, random_state=0)
    model.fit(matrix, show_progress=False)
    factors = model.item_factors  # (n, f + 1): the last column is the item bias

    def scores(prefix: list[Step]) -> np.ndarray:
        # implicit cannot re-fit a BPR user; fold a session in as the mean of its items' factors.
        rows = [index[s.item_id] for s in prefix if s.item_id in index]
        if not rows:
            return factors[:, -1]
        user = factors[rows, :-1].mean(0)
        return factors[:, :-1] @ user + factors[:, -1]

    return items, scores


def implicit_als(train: list[Event], config: dict) -> tuple[list[str], Scorer]:
    from implicit.cpu.als import AlternatingLeastSquares
    from scipy import sparse

    items, index, matrix = _session_matrix(train)
    model = AlternatingLeastSquares(**config, num_threads=1, random_state=0)
    model.fit(matrix, show_progress=False)
    popular = np.asarray(matrix.sum(0)).ravel()

    def scores(prefix: list[Step]) -> np.ndarray:
        rows = sorted({index[s.item_id] for s in prefix if s.item_id in index})
        if not rows:
            return popular
        user_items = sparse.csr_matrix(
            (np.ones(len(rows), np.float32), ([0] * len(rows), rows)), shape=(1, len(items))
        )
        user = np.asarray(model.recalculate_user(0, user_items)).ravel()  # exact ALS fold-in
        return model.item_factors @ user

    return items, scores


# name -> (builder, grid of configurations tried on train_tr / train_valid)
MODELS: dict[str, tuple[Callable, list[dict]]] = {
    "MostPopular": (popularity, [{}]),
    "ItemCooccurrence": (cooccurrence, [{"recency_decay": d} for d in (0.5, 0.8)]),
    "SessionKNN": (
        session_knn,
        [
            {"neighbours": n, "sample_size": s, "decay": "linear"}
            for n in (50, 100, 200)
            for s in (500, 2000)
        ],
    ),
    "MF-BPR fold-in (ours)": (bpr_fold_in, [{"factors": f, "epochs": 15} for f in (32, 64)]),
    "ExplicitMF (MSE+L2)": (explicit_mf, [{"factors": 64, "epochs": 8, "reg": 0.02}]),
    # One configuration (each costs minutes here); validation picks its epoch count.
    "TwoTower (ours)": (
        two_tower,
        [{"epochs": 14, "patience": 2, "batch_size": 512, "lr": 0.006, "progress": False}],
    ),
    "implicit BPR": (
        implicit_bpr,
        [{"factors": f, "iterations": 100, "learning_rate": 0.05} for f in (64, 128)],
    ),
    "implicit ALS": (
        implicit_als,
        [{"factors": 64, "iterations": 15, "regularization": r} for r in (0.01, 1.0)],
    ),
}


def fit_and_score(builder, config, train, queries) -> dict:
    config = dict(config)
    rss = reset_peak()
    started = time.perf_counter()
    items, scorer = builder(train, config)
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    started = time.perf_counter()
    result = evaluate_next_click(scorer, items, queries, K)
    return {
        "recall": result.recall,
        "mrr": result.mrr,
        "ndcg": result.ndcg,
        "coverage": result.coverage,
        "queries": result.queries,
        "train_s": seconds,
        "eval_s": time.perf_counter() - started,
        "peak_mib": None if peak is None or rss is None else peak,
        "extra_mib": None if peak is None or rss is None else peak - rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("SHOP_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser.add_argument("--data", type=Path, default=default / "yoochoose_rsc15_100k_sessionrec")
    parser.add_argument("--quick", action="store_true", help="first grid entry, few epochs")
    parser.add_argument("--only", nargs="*", help="model names to run (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("recommender.mf").setLevel(logging.WARNING)
    if not args.data.is_dir():
        sys.exit(f"{args.data} not found (set SHOP_SHARED_DATA)")

    def read(split: str) -> list[Event]:
        return load_yoochoose(args.data / f"yoochoose-clicks-100k_{split}.txt")

    train_tr, valid, train_full, test = (read(s) for s in ("train_tr", "train_valid",
                                                           "train_full", "test"))  # fmt: skip
    valid_queries = next_click_queries(valid, {e.item_id for e in train_tr})
    test_queries = next_click_queries(test, {e.item_id for e in train_full})
    logger.info("%d valid queries, %d test queries", len(valid_queries), len(test_queries))
    try:
        import implicit  # noqa: F401
    except ImportError:
        logger.warning("implicit is not installed (pip install -e '.[bench]'): skipping its models")
        skip = {"implicit BPR", "implicit ALS"}
    else:
        skip = set()
    started = time.perf_counter()
    report = []
    for name, (builder, grid) in MODELS.items():
        if (args.only and name not in args.only) or name in skip:
            continue
        grid = grid[:1] if args.quick else grid
        tried = []
        for config in grid:
            config = dict(config)
            if args.quick and "epochs" in config:
                config["epochs"] = 2
            if builder is two_tower:
                config["_valid"] = valid
            scored = fit_and_score(builder, config, train_tr, valid_queries)
            config.pop("_valid", None)
            logger.info("%s %s: valid Recall@%d %.4f MRR@%d %.4f", name, config, K,
                        scored["recall"], K, scored["mrr"])  # fmt: skip
            tried.append((scored["recall"], scored["mrr"], config))
        best_recall, _, best = max(tried, key=lambda t: (t[0], t[1]))
        best = dict(best)
        if builder is two_tower:  # refit for the epoch count that validation chose
            history = two_tower.last_metrics["history"]
            best_epoch = max(history, key=lambda h: h.get(f"recall@{K}", -1))["epoch"]
            best["epochs"] = best_epoch
        final = fit_and_score(builder, best, train_full, test_queries)
        final.update(model=name, config=best, valid_recall=best_recall)
        logger.info("%s test: %s", name, final)
        report.append(final)
    total = time.perf_counter() - started
    print(f"\nYooChoose 100k, next click, train_full -> test ({len(test_queries)} queries), "
          f"total {total / 60:.1f} min\n")  # fmt: skip
    print(f"| model | valid R@{K} | test Recall@{K} | test MRR@{K} | NDCG@{K} | Cov@{K} | "
          "train s | peak RSS MiB (+during training) | tuned config |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in report:
        memory = "n/a" if r["peak_mib"] is None else f"{r['peak_mib']:.0f} (+{r['extra_mib']:.0f})"
        print(f"| {r['model']} | {r['valid_recall']:.4f} | {r['recall']:.4f} | {r['mrr']:.4f} "
              f"| {r['ndcg']:.4f} | {r['coverage']:.3f} | {r['train_s']:.1f} | {memory} "
              f"| `{json.dumps(r['config'])}` |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
