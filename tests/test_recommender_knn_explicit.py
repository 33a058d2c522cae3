from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.base import as_steps, top_k
from recommender.data import Event
from recommender.explicit import ExplicitMF, ExplicitMFConfig, Rating
from recommender.knn import SessionKNN, SessionKNNConfig

T = datetime(2026, 10, 1, tzinfo=UTC)


def events(sessions):
    return [
        Event(f"s{n}", None, item, "view", T + timedelta(minutes=n, seconds=j))
        for n, items in enumerate(sessions)
        for j, item in enumerate(items)
    ]


def test_session_knn_votes_with_cosine_similarity():
    model = SessionKNN().fit(events([["a", "b"], ["a", "b"], ["a", "c"], ["d", "e"], ["a"]]))
    scores = model.scores(["a"])
    # Each {a, b} session has similarity 1/sqrt(2): b gets 2/sqrt(2), c 1/sqrt(2).
    assert scores[model.index["b"]] == pytest.approx(2 / np.sqrt(2), rel=1e-4)
    assert scores[model.index["c"]] == pytest.approx(1 / np.sqrt(2), rel=1e-4)
    recs = model.recommend(["a"], k=2)
    assert [r.item_id for r in recs] == ["b", "c"] and recs[0].reason == "viewed together with a"


def test_session_knn_recent_items_weigh_more_and_sample_is_recent():
    model = SessionKNN().fit(events([["a", "x"], ["b", "y"]]))
    assert model.recommend(["a", "b"], k=1)[0].item_id == "y"  # b is newer than a
    flat = SessionKNN(SessionKNNConfig(decay="none")).fit(events([["a", "x"], ["b", "y"]]))
    assert flat.scores(["a", "b"])[flat.index["x"]] == pytest.approx(
        flat.scores(["a", "b"])[flat.index["y"]]
    )
    # With sample_size 1 only the most recent session containing "a" can vote.
    recent = SessionKNN(SessionKNNConfig(sample_size=1)).fit(events([["a", "old"], ["a", "new"]]))
    assert recent.recommend(["a"], k=1)[0].item_id == "new"
    assert recent.scores(["a"])[recent.index["old"]] < 1e-3


def test_session_knn_config_and_empty():
    with pytest.raises(ValueError, match="SessionKNNConfig.neighbours"):
        SessionKNNConfig(neighbours=0)
    with pytest.raises(ValueError, match="SessionKNNConfig.decay"):
        SessionKNNConfig(decay="log")
    with pytest.raises(ValueError, match="zero events"):
        SessionKNN().fit([])


def two_taste_ratings():
    ratings = []
    for u in range(20):
        liked, other = ("A", "B") if u % 2 else ("B", "A")
        for k in range(5):
            if (u + k) % 5:  # every user leaves one item of each kind unrated
                ratings += [
                    Rating(f"u{u}", f"{liked}{k}", 5.0),
                    Rating(f"u{u}", f"{other}{k}", 1.0),
                ]
    return ratings


def test_explicit_mf_recovers_ratings_and_folds_in_sessions():
    model = ExplicitMF(ExplicitMFConfig(factors=4, epochs=80, batch_size=32)).fit(
        two_taste_ratings()
    )
    # u1 likes A and never rated A4 or B4 ((1 + 4) % 5 == 0): held-out pairs.
    assert model.predict("u1", "A4") > 4.0 and model.predict("u1", "B4") < 2.0
    assert model.predict("stranger", "A0") == pytest.approx(model.mean + model.item_bias[0])
    recs = model.recommend(["A0", "A1"], k=3)
    assert {r.item_id for r in recs} <= {"A2", "A3", "A4"}
    assert recs[0].reason.startswith("similar to A")


def test_explicit_mf_validation():
    with pytest.raises(ValueError, match="ExplicitMFConfig.factors"):
        ExplicitMFConfig(factors=0)
    with pytest.raises(ValueError, match="ExplicitMFConfig.lr"):
        ExplicitMFConfig(lr=0)
    with pytest.raises(ValueError, match="not a finite number"):
        ExplicitMF().fit([Rating("u", "i", float("nan"))])
    with pytest.raises(ValueError, match="zero ratings"):
        ExplicitMF().fit([])


def test_top_k_is_exact_and_keeps_ties_in_order():
    scores = np.array([1.0, 3.0, 3.0, 0.5] + [0.0] * 40)
    assert top_k(scores, 3).tolist() == [1, 2, 0]
    banned = np.zeros(scores.size, dtype=bool)
    banned[1] = True
    assert top_k(scores, 2, banned).tolist() == [2, 0]
    with pytest.raises(ValueError, match="k must be"):
        top_k(scores, -1)
    with pytest.raises(TypeError, match="item ids or Events"):
        as_steps([3])
