"""One contract for every recommender model, on a tiny interaction matrix with a known answer.

Sessions stay inside one of two item clusters (A0-A5, B0-B5), and A is viewed twice as often as
B. A session-aware model given a session of A items must fill its top 4 with unseen A items,
and with B items for a B session; the popularity baseline must return the most viewed items.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.base import Recommendation
from recommender.baselines import ItemCooccurrence, MostPopular
from recommender.data import Event
from recommender.explicit import ExplicitMF, ExplicitMFConfig
from recommender.knn import SessionKNN
from recommender.mf import MFConfig
from recommender.service import SessionRecommender
from recommender.two_tower import TwoTower, TwoTowerConfig

pytestmark = pytest.mark.slow  # trains several tiny models: ~20-40 s on a busy 2-core box


def cluster_events(n_sessions=150, seed=0):
    rng = np.random.default_rng(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = []
    for s in range(n_sessions):
        cluster = "A" if s % 3 else "B"
        picks = rng.choice(6, size=int(rng.integers(3, 5)), replace=False)
        for j, k in enumerate(picks):
            when = start + timedelta(minutes=s, seconds=j)
            events.append(Event(f"s{s}", None, f"{cluster}{k}", "view", when))
    return events


class _ServiceAdapter:
    """The assistant's SessionRecommender seen through the common recommend() call."""

    def __init__(self, events):
        config = MFConfig(factors=8, epochs=15, batch_size=16, lr=0.05)
        self.rec = SessionRecommender.train(events, {}, config)

    def recommend(self, session, k=10, exclude=(), *, exclude_seen=True):
        return self.rec.recommend(list(session), k=k, exclude=exclude, exclude_viewed=exclude_seen)


MODELS = {
    "popular": lambda ev: MostPopular().fit(ev),
    "cooccurrence": lambda ev: ItemCooccurrence().fit(ev),
    "session_knn": lambda ev: SessionKNN().fit(ev),
    "explicit_mf": lambda ev: ExplicitMF(
        ExplicitMFConfig(factors=8, epochs=40, batch_size=64, lr=0.05)
    ).fit_events(ev),
    "bpr_service": _ServiceAdapter,
    "two_tower": lambda ev: TwoTower.fit(
        ev,
        TwoTowerConfig(dim=16, epochs=25, batch_size=32, lr=0.01, patience=25, progress=False),
        valid_events=[],
    ),
}
SESSION_AWARE = [name for name in MODELS if name != "popular"]


@pytest.fixture(scope="module")
def fitted():
    events = cluster_events()
    return {name: build(events) for name, build in MODELS.items()}


@pytest.mark.parametrize("name", MODELS)
def test_contract_shape_order_and_exclusions(fitted, name):
    model = fitted[name]
    recs = model.recommend(["A0", "A1"], k=5, exclude={"A2"})
    assert len(recs) == 5 and all(isinstance(r, Recommendation) for r in recs)
    ids = [r.item_id for r in recs]
    assert len(set(ids)) == 5
    assert not {"A0", "A1", "A2"} & set(ids)  # seen and excluded items never come back
    assert all(r.reason for r in recs)
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True) and np.isfinite(scores).all()
    assert model.recommend(["A0"], k=0) == []
    assert model.recommend(["A0", "A1"], k=5, exclude={"A2"}) == recs  # repeatable


@pytest.mark.parametrize("name", SESSION_AWARE)
def test_contract_known_answer_session_aware(fitted, name):
    model = fitted[name]
    top_a = [r.item_id for r in model.recommend(["A0", "A1"], k=4)]
    assert sorted(top_a) == ["A2", "A3", "A4", "A5"], top_a
    top_b = [r.item_id for r in model.recommend(["B3", "B4"], k=4)]
    assert sorted(top_b) == ["B0", "B1", "B2", "B5"], top_b


@pytest.mark.parametrize("name", SESSION_AWARE)
def test_contract_a_session_event_changes_the_ranking(fitted, name):
    model = fitted[name]
    before = [r.item_id for r in model.recommend(["A0"], k=3)]
    after = [r.item_id for r in model.recommend(["A0", "B1", "B2"], k=3)]
    assert before != after
    assert after[0].startswith("B")  # the newest events lead


def test_contract_known_answer_popularity(fitted):
    counts = {}
    for event in cluster_events():
        counts[event.item_id] = counts.get(event.item_id, 0) + 1
    expected = sorted(counts, key=lambda i: (-counts[i], i))[:3]
    assert [r.item_id for r in fitted["popular"].recommend([], k=3)] == expected
