import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender import MFConfig, Recommendation, SessionRecommender
from recommender.data import Event

CONFIG = MFConfig(factors=8, epochs=15, batch_size=16, lr=0.05, seed=3)
CATEGORY = {"A": "running-shoes", "B": "home-kitchen"}


def cluster_events(n_sessions=120, seed=0):
    """Two clusters of six items; A0 and B0 are the most viewed in their cluster."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = []
    for s in range(n_sessions):
        cluster = "A" if s % 3 else "B"  # A is twice as popular as B
        picks = [0, *rng.choice(np.arange(1, 6), size=int(rng.integers(2, 4)), replace=False)]
        for j, k in enumerate(picks):
            when = start + timedelta(minutes=s, seconds=j)
            events.append(Event(f"s{s}", None, f"{cluster}{k}", "view", when))
    return events


def catalogue():
    items = {}
    for cluster in "AB":
        for k in range(6):
            items[f"{cluster}{k}"] = {
                "title": f"{cluster} product {k}",
                "category": CATEGORY[cluster],
                "price": 10.0 * (k + 1),
                "stock": 0 if k == 5 else 4,
            }
    return items


@pytest.fixture(scope="module")
def rec():
    return SessionRecommender.train(cluster_events(), catalogue(), CONFIG)


def ids(recs):
    return [r.item_id for r in recs]


def test_viewed_cluster_gets_cluster_items_with_reasons(rec):
    recs = rec.recommend(["A1", "A2"], k=3)
    assert len(recs) == 3 and all(isinstance(r, Recommendation) for r in recs)
    assert all(i.startswith("A") for i in ids(recs))
    assert not {"A1", "A2"} & set(ids(recs))  # viewed items are not suggested back
    assert all(r.reason in ("similar to A product 1", "similar to A product 2") for r in recs)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_carted_items_and_exclude_are_never_returned(rec):
    recs = rec.recommend(["A1"], carted=["A0", "A3"], k=12, exclude={"A4"})
    assert not {"A0", "A3", "A4", "A1"} & set(ids(recs))
    kept = rec.recommend(["A1"], k=12, exclude_viewed=False)
    assert "A1" in ids(kept)


def test_filters_are_respected(rec):
    recs = rec.recommend(["A1"], k=12, category="home-kitchen", max_price=35.0, in_stock=True)
    assert ids(recs) and set(ids(recs)) <= {"B0", "B1", "B2"}
    assert set(ids(rec.recommend(["A1"], k=12, min_price=55.0))) == {"A5", "B5"}
    assert set(ids(rec.recommend(["A1"], k=12, in_stock=False))) == {"A5", "B5"}
    assert ids(rec.recommend(["A1"], k=12, candidates=["B3", "A2", "nope"])) == ["A2", "B3"]
    assert rec.recommend(["A1"], k=12, min_price=50, max_price=20) == []


def test_a_new_event_changes_the_recommendations(rec):
    before = rec.recommend(["A1"], k=3)
    after = rec.recommend(["A1", "B2"], carted=["B1"], k=3)
    assert ids(before) != ids(after)
    assert after[0].item_id.startswith("B")  # the cart is recent and weighs more


def test_empty_session_falls_back_to_popularity(rec):
    recs = rec.recommend([], k=2)
    assert recs[0].item_id == "A0"
    assert recs[0].reason == "popular in running-shoes"
    unknown_only = rec.recommend(["no-such-item"], k=2)
    assert ids(unknown_only) == ids(recs)
    assert rec.recommend([], k=1, category="home-kitchen")[0].reason == "popular in home-kitchen"


def test_score_ranks_search_hits(rec):
    scores = rec.score(["A1"], [], ["B3", "A3", "zzz"])
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert scores[1] > scores[0]
    assert scores[2] <= scores.min()
    direct = {r.item_id: r.score for r in rec.recommend(["A1"], k=12)}
    assert scores[1] == pytest.approx(direct["A3"])


def test_new_catalogue_item_gets_a_category_prior(rec):
    items = catalogue() | {"A9": {"title": "new shoe", "category": "running-shoes", "price": 5}}
    items["Q1"] = {"title": "mystery", "category": "", "price": 1, "stock": 1}
    fresh = SessionRecommender(rec.model, items, rec._trained_popularity, rec.config)
    assert not fresh.has_history("A9") and fresh.has_history("A0")
    a9, b3, q1 = fresh.score(["A1"], [], ["A9", "B3", "Q1"])
    assert a9 > b3 and a9 > q1
    popular = fresh.score([], [], ["A9", "Q1"])
    assert popular[0] > 0 and popular[1] == 0


def test_save_load_round_trip(rec, tmp_path):
    rec.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["meta.json", "model.npz"]
    loaded = SessionRecommender.load(tmp_path / "model", catalogue())
    items = rec.item_ids
    for viewed, carted in ((["A1"], []), (["B2", "A3"], ["B1"]), ([], [])):
        np.testing.assert_array_equal(
            rec.score(viewed, carted, items), loaded.score(viewed, carted, items)
        )
    assert loaded.recommend(["B1"], k=4) == rec.recommend(["B1"], k=4)
    assert loaded.config == rec.config


def test_load_rejects_corrupt_directory(rec, tmp_path):
    rec.save(tmp_path / "model")
    (tmp_path / "model" / "model.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="cannot load"):
        SessionRecommender.load(tmp_path / "model", catalogue())


def write_events_csv(path, events):
    lines = ["session_id,user_id,item_id,event,timestamp"]
    for e in events:
        stamp = e.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{e.session_id},,{e.item_id},{e.event},{stamp}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_load_or_train_reuses_the_cache(tmp_path, monkeypatch):
    events_path = tmp_path / "interactions.csv"
    write_events_csv(events_path, cluster_events(40))
    cache = tmp_path / "cache"
    first = SessionRecommender.load_or_train(cache, events_path, catalogue(), CONFIG)
    folders = [p for p in cache.iterdir()]
    assert len(folders) == 1 and folders[0].name.startswith("recommender-")
    assert json.loads((folders[0] / "meta.json").read_text())["config"]["factors"] == 8

    def no_training(*args, **kwargs):
        raise AssertionError("should have used the cache")

    monkeypatch.setattr(SessionRecommender, "train", classmethod(no_training))
    second = SessionRecommender.load_or_train(cache, events_path, catalogue(), CONFIG)
    np.testing.assert_array_equal(
        first.score(["A1"], [], first.item_ids), second.score(["A1"], [], first.item_ids)
    )
    monkeypatch.undo()

    # Changed data or config means a different key, hence a new model.
    other = MFConfig(factors=8, epochs=15, batch_size=16, lr=0.05, seed=4)
    SessionRecommender.load_or_train(cache, events_path, catalogue(), other)
    with events_path.open("a", encoding="utf-8") as handle:
        handle.write("s999,,B1,view,2026-10-02T00:00:00Z\n")
    SessionRecommender.load_or_train(cache, events_path, catalogue(), CONFIG)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 3


def test_k_validation(rec):
    assert rec.recommend(["A1"], k=0) == []
    with pytest.raises(ValueError, match="k must be"):
        rec.recommend(["A1"], k=-1)


def test_unknown_session_items_are_ignored_with_a_debug_log(rec, caplog):
    with caplog.at_level("DEBUG", logger="recommender.service"):
        mixed = rec.recommend(["A1", "ghost"], k=3)
    assert ids(mixed) == ids(rec.recommend(["A1"], k=3))
    assert "ghost" in caplog.text


def test_cart_outweighs_a_view(rec):
    """Viewed A1 then B1, but carted A1: the cart pulls the session back to cluster A."""
    viewed_only = rec.recommend(["A1", "B1"], k=1)
    with_cart = rec.recommend(["A1", "B1"], carted=["A1"], k=1)
    assert viewed_only[0].item_id.startswith("B")
    assert with_cart[0].item_id.startswith("A")
    assert with_cart[0].reason == "similar to A product 1"


def test_load_rejects_other_format(rec, tmp_path):
    rec.save(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    meta["format"] = 99
    (tmp_path / "model" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unsupported recommender format 99"):
        SessionRecommender.load(tmp_path / "model", catalogue())


def test_approximate_top_k_path_matches_exact_and_keeps_filters(rec):
    """A tiny exact_limit sends recommend() through Chroma's HNSW index."""
    ann = SessionRecommender(rec.model, catalogue(), rec._trained_popularity, rec.config,
                             exact_limit=4)  # fmt: skip
    for viewed, carted in ((["A1"], []), (["B2", "A3"], ["B1"])):
        exact = rec.recommend(viewed, carted, k=4)
        approximate = ann.recommend(viewed, carted, k=4)
        assert ids(approximate) == ids(exact)
        assert [r.score for r in approximate] == pytest.approx([r.score for r in exact])
    assert ann._ann is not None and ann._ann.size == 12
    filtered = ann.recommend(["A1"], carted=["B0"], k=12, category="home-kitchen",
                             max_price=35.0, in_stock=True, exclude={"B2"})  # fmt: skip
    assert ids(filtered) == ids(
        rec.recommend(["A1"], carted=["B0"], k=12, category="home-kitchen", max_price=35.0,
                      in_stock=True, exclude={"B2"})
    ) and set(ids(filtered)) == {"B1"}  # fmt: skip
