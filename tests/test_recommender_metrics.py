import math

import pytest

from recommender.metrics import catalogue_coverage, mrr_at_k, ndcg_at_k, recall_at_k

RANKED = [["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]]
TARGETS = ["a", "a", "x"]


def test_recall_at_k():
    assert recall_at_k(RANKED, TARGETS, 1) == pytest.approx(1 / 3)
    assert recall_at_k(RANKED, TARGETS, 2) == pytest.approx(2 / 3)
    assert recall_at_k([["a", "b", "c"]], [{"a", "c"}], 2) == pytest.approx(0.5)


def test_mrr_at_k():
    assert mrr_at_k(RANKED, TARGETS, 3) == pytest.approx((1 + 0.5 + 0) / 3)
    assert mrr_at_k(RANKED, TARGETS, 1) == pytest.approx(1 / 3)
    assert mrr_at_k([["b", "a", "c"]], [{"a", "c"}], 3) == pytest.approx(0.5)


def test_ndcg_at_k():
    assert ndcg_at_k(RANKED, TARGETS, 3) == pytest.approx((1 + 1 / math.log2(3)) / 3)
    # Two relevant at ranks 2 and 3 of 3: (1/log2 3 + 1/2) / (1 + 1/log2 3).
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at_k([["x", "a", "c"]], [["a", "c"]], 3) == pytest.approx(expected)
    assert ndcg_at_k([["a", "a"]], ["a"], 2) == pytest.approx(1.0)


def test_catalogue_coverage():
    assert catalogue_coverage(RANKED, ["a", "b", "c", "d"], 1) == pytest.approx(0.75)
    assert catalogue_coverage([["a", "z"]], ["a", "b"], 2) == pytest.approx(0.5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(RANKED, TARGETS, 0)
    with pytest.raises(ValueError, match="3 ranked lists but 2"):
        mrr_at_k(RANKED, TARGETS[:2], 3)
    with pytest.raises(ValueError, match="no queries"):
        ndcg_at_k([], [], 3)
    with pytest.raises(ValueError, match="catalogue is empty"):
        catalogue_coverage(RANKED, [], 3)
