"""Each evaluation metric on a tiny case whose answer is worked out by hand."""

import math
import random

import pytest

from assistant import eval_metrics as em


def test_accuracy_and_macro_f1():
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "b"]
    assert em.accuracy(gold, pred) == 0.5
    # F1: a = 2*1/(2+0+1) = 2/3; b = 2*1/(2+2+0) = 1/2; c = 0 -> mean 7/18
    assert em.macro_f1(gold, pred) == pytest.approx(7 / 18)
    assert em.accuracy([], []) is None
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        em.accuracy(["a", "b"], ["a"])


def test_confusion_matrix_counts():
    labels, counts = em.confusion_matrix(["a", "a", "b"], ["a", "b", "b"])
    assert labels == ["a", "b"]
    assert counts == [[1, 1], [0, 1]]


def test_out_of_scope_recall():
    gold = ["out_of_scope", "out_of_scope", "greeting", "out_of_scope"]
    pred = ["out_of_scope", "greeting", "out_of_scope", "out_of_scope"]
    assert em.recall_of(gold, pred, "out_of_scope") == pytest.approx(2 / 3)
    assert em.recall_of(["greeting"], ["greeting"], "out_of_scope") is None


def test_faq_hit_rate_skips_unlabelled_turns():
    gold = [["f1"], [], ["f2", "f3"], ["f4"]]
    pred = [["f1"], ["f9"], ["f3"], []]
    assert em.hit_rate(gold, pred) == pytest.approx(2 / 3)


@pytest.mark.slow  # rouge-score imports all of nltk (and scipy.stats): ~7 s on 2 cores
def test_rouge_l_known_values():
    # LCS of "the cat sat" / "the cat ran" is 2 of 3 tokens: P = R = F = 2/3.
    assert em.rouge_l("the cat sat", "the cat ran") == pytest.approx(2 / 3)
    assert em.rouge_l("same words here", "same words here") == pytest.approx(1.0)
    # Chinese: one token per character, so a shared prefix scores (2 of 4 characters).
    assert em.rouge_l("退货政策", "退货时间") == pytest.approx(0.5)


def test_hit_rate_and_ndcg_at_k():
    ranked = [["x", "a", "y"], ["b", "z"], ["q"]]
    relevant = [["a"], ["z", "b"], []]  # the third query has nothing to find: skipped
    assert em.hit_rate_at_k(ranked, relevant, k=1) == pytest.approx(0.5)
    assert em.hit_rate_at_k(ranked, relevant, k=2) == pytest.approx(1.0)
    # Query 1: a at rank 2 -> 1/log2(3); query 2: both found at 1 and 2 -> 1.
    assert em.ndcg(ranked, relevant, k=3) == pytest.approx((1 / math.log2(3) + 1) / 2)
    assert em.ndcg([["a"]], [[]], k=3) is None


def test_percentile_interpolates():
    assert em.percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert em.percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert em.percentile([], 50) is None


def test_ips_on_a_hand_computed_case():
    impressions = [
        # B clicked at logged position 2 (propensity 1/2); the new list puts B first
        # (propensity 1): worth 1 / (1/2) = 2.
        {"logged": ["A", "B", "C"], "clicks": [{"item_id": "B", "position": 2}], "new": ["B", "A"]},
        # No click: worth 0 whatever the new list.
        {"logged": ["C", "D"], "clicks": [], "new": ["D", "E"]},
        # A logged propensity 0.8 at position 1; the new list shows D second: 0.5 / 0.8.
        {"logged": ["D"], "clicks": [{"item_id": "D", "position": 1, "propensity": 0.8}],
         "new": ["E", "D"]},
        # A click that was not on a recommendation (no position) is not an outcome of the list.
        {"logged": ["F"], "clicks": [{"item_id": "G", "position": None}], "new": ["G"]},
    ]  # fmt: skip
    out = em.ips_click_rate(impressions, k=5)
    assert out["ips_clicks_per_list"] == pytest.approx((2 + 0 + 0.5 / 0.8 + 0) / 4)
    assert out["logged_clicks_per_list"] == pytest.approx(2 / 4)
    # New items that the log showed: A, B; D; D; none of G -> 4 of 7.
    assert out["overlap"] == pytest.approx(4 / 7)
    # The cut-off k drops D (position 2) from the third list.
    assert em.ips_click_rate(impressions, k=1)["ips_clicks_per_list"] == pytest.approx(2 / 4)
    assert em.ips_click_rate([], k=5) is None


def _width(interval):
    return interval[1] - interval[0]


def test_bootstrap_interval_shrinks_with_more_data():
    rng = random.Random(1)
    small = [float(rng.random() < 0.5) for _ in range(20)]
    large = [float(rng.random() < 0.5) for _ in range(2000)]
    wide = em.bootstrap_ci(small, em.mean, n_resamples=300, seed=0)
    narrow = em.bootstrap_ci(large, em.mean, n_resamples=300, seed=0)
    assert wide[0] <= em.mean(small) <= wide[1]
    assert _width(narrow) < _width(wide) / 4  # about sqrt(100) = 10 times narrower
    # Seeded: the same call gives the same interval.
    assert em.bootstrap_ci(small, em.mean, n_resamples=300, seed=0) == wide


def test_bootstrap_of_a_dict_statistic_and_undefined_values():
    units = [1.0, 2.0, 3.0, 4.0]
    out = em.bootstrap_ci(units, lambda xs: {"mean": em.mean(xs), "none": None}, 200, seed=0)
    assert out["none"] is None
    assert 1.0 <= out["mean"][0] <= out["mean"][1] <= 4.0


def test_paired_bootstrap_sees_a_consistent_gain():
    rng = random.Random(2)
    a = [rng.random() for _ in range(200)]
    b = [x + 0.1 for x in a]  # B is A plus 0.1 on every unit: the paired interval is tight
    low, high = em.paired_bootstrap_ci(a, b, em.mean, n_resamples=300, seed=0)
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)
    unpaired = em.bootstrap_ci(b, em.mean, n_resamples=300, seed=0)
    assert _width(unpaired) > 0.05
    with pytest.raises(ValueError, match="differ in size"):
        em.paired_bootstrap_ci(a, b[:10], em.mean)
