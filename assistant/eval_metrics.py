"""Metrics of a replayed evaluation: plain functions on small inputs, with known answers.

Pure Python (no numpy, no scikit-learn) so each can be checked by hand; the ranking metric
NDCG@K is the recommender's own (`recommender.metrics.ndcg_at_k`).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from recommender.metrics import ndcg_at_k

T = TypeVar("T")

# ---------------------------------------------------------------------- intents


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float | None:
    """Share of positions where `pred` equals `gold`; None for no items."""
    if len(gold) != len(pred):
        raise ValueError(f"got {len(gold)} gold labels but {len(pred)} predictions")
    if not gold:
        return None
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float | None:
    """Unweighted mean F1 over every label seen in `gold` or `pred` (0 F1 when undefined)."""
    if len(gold) != len(pred):
        raise ValueError(f"got {len(gold)} gold labels but {len(pred)} predictions")
    labels = sorted(set(gold) | set(pred))
    if not labels:
        return None
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def confusion_matrix(gold: Sequence[str], pred: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """(labels, counts) with counts[i][j] = turns of gold label i predicted as label j."""
    labels = sorted(set(gold) | set(pred))
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        counts[index[g]][index[p]] += 1
    return labels, counts


def recall_of(gold: Sequence[str], pred: Sequence[str], label: str) -> float | None:
    """Share of the `label` turns predicted as `label` (out-of-scope recall); None if none."""
    hits = [p == label for g, p in zip(gold, pred, strict=True) if g == label]
    return sum(hits) / len(hits) if hits else None


# ---------------------------------------------------------------------- retrieval, ranking


def hit_rate(
    gold_sets: Sequence[Sequence[str]], pred_sets: Sequence[Sequence[str]]
) -> float | None:
    """Share of queries with a labelled answer whose prediction shares at least one id."""
    pairs = [(set(g), set(p)) for g, p in zip(gold_sets, pred_sets, strict=True) if g]
    return sum(bool(g & p) for g, p in pairs) / len(pairs) if pairs else None


def hit_rate_at_k(
    ranked: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]], k: int
) -> float | None:
    """Share of queries with a relevant item in the top k (queries with none skipped)."""
    pairs = [(r[:k], set(g)) for r, g in zip(ranked, relevant, strict=True) if g]
    return sum(bool(g.intersection(r)) for r, g in pairs) / len(pairs) if pairs else None


def ndcg(
    ranked: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]], k: int
) -> float | None:
    """Binary NDCG@k over queries that have relevant items (None when no query has any)."""
    pairs = [(list(r), list(g)) for r, g in zip(ranked, relevant, strict=True) if g]
    if not pairs:
        return None
    return ndcg_at_k([r for r, _ in pairs], [g for _, g in pairs], k)


# ---------------------------------------------------------------------- text similarity

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\W_]+", re.UNICODE)


class _WordTokenizer:
    """Lower-case words, and each CJK character as a word.

    rouge-score's default tokenizer keeps only a-z and 0-9, so Spanish accents would split
    words and Chinese replies would have no tokens at all.
    """

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(text.lower())


_SCORER = None


def rouge_l(reference: str, candidate: str) -> float:
    """ROUGE-L F-measure (rouge-score) of `candidate` against `reference`."""
    global _SCORER
    if _SCORER is None:
        from rouge_score import rouge_scorer

        _SCORER = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_WordTokenizer())
    return float(_SCORER.score(reference, candidate)["rougeL"].fmeasure)


# ---------------------------------------------------------------------- summaries


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between order statistics."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ---------------------------------------------------------------------- off-policy


def position_propensity(position: int) -> float:
    """Chance that a shopper looks at recommendation `position` (1-based): 1 / position.

    The assumption behind the IPS estimate when the log holds no propensities: a click
    needs the item to be examined, examination depends on the position only (a position-based
    model), and relevance does not depend on the position.
    """
    return 1.0 / position


def ips_click_rate(impressions: Sequence[dict[str, Any]], k: int) -> dict[str, float] | None:
    """Inverse-propensity estimate of a new recommender's clicks per recommendation list.

    Each impression is {"logged": [item ids shown, in order], "clicks": [{"item_id",
    "position", "propensity"?}], "new": [the new recommender's list]}. A click on an item
    shown at logged position p, with examination propensity e_p (logged, else 1/p), is worth
    e_q / e_p under the new recommender when it puts that item at position q <= k, and 0 when
    it does not show it: items the logged list never showed earn nothing, so the estimate is
    a lower bound when `overlap` (share of new top-k items the log showed) is small.
    """
    if not impressions:
        return None
    estimate = logged = 0.0
    shared = total_new = 0
    for imp in impressions:
        new = list(imp["new"])[:k]
        shown = set(imp["logged"])
        shared += sum(item in shown for item in new)
        total_new += len(new)
        for click in imp["clicks"]:
            position = click.get("position")
            if not position:
                continue  # not a click on a recommendation
            logged += 1
            e_logged = click.get("propensity") or position_propensity(position)
            if click["item_id"] in new:
                q = new.index(click["item_id"]) + 1
                estimate += position_propensity(q) / e_logged
    n = len(impressions)
    return {
        "ips_clicks_per_list": estimate / n,
        "logged_clicks_per_list": logged / n,
        "overlap": shared / total_new if total_new else 0.0,
        "lists": n,
    }


# ---------------------------------------------------------------------- bootstrap

Statistic = Callable[[list[T]], Any]  # -> a number, None, or a dict of those


def bootstrap_ci(
    units: Sequence[T],
    statistic: Statistic,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
):
    """Percentile bootstrap interval of `statistic` over `units` resampled with replacement.

    When `statistic` returns a dict of numbers, the answer is a dict of intervals (one set
    of resamples serves every metric). An interval is (low, high), or None when the
    statistic was undefined (None) in every resample.
    """
    rng = random.Random(seed)
    draws = []
    for _ in range(n_resamples):
        draws.append(statistic([units[rng.randrange(len(units))] for _ in units]))
    return _intervals(draws, level)


def paired_bootstrap_ci(
    units_a: Sequence[T],
    units_b: Sequence[T],
    statistic: Statistic,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
):
    """Interval of statistic(B) - statistic(A), resampling the same unit indices for both.

    Unit i of A and unit i of B are the same dialogue run by the two systems, so pairing
    removes the variance that comes from which dialogues happen to be drawn.
    """
    if len(units_a) != len(units_b):
        raise ValueError(f"paired samples differ in size: {len(units_a)} and {len(units_b)}")
    rng = random.Random(seed)
    draws = []
    for _ in range(n_resamples):
        picks = [rng.randrange(len(units_a)) for _ in units_a]
        a = statistic([units_a[i] for i in picks])
        b = statistic([units_b[i] for i in picks])
        draws.append(_difference(a, b))
    return _intervals(draws, level)


def _difference(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        return {key: _difference(a[key], b.get(key)) for key in a}
    return None if a is None or b is None else b - a


def _intervals(draws: list[Any], level: float):
    if draws and isinstance(draws[0], dict):
        return {key: _interval([d[key] for d in draws], level) for key in draws[0]}
    return _interval(draws, level)


def _interval(values: list[float | None], level: float) -> tuple[float, float] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    tail = 100 * (1 - level) / 2
    return percentile(values, tail), percentile(values, 100 - tail)
