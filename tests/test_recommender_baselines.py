from datetime import UTC, datetime

from recommender.baselines import ItemCooccurrence, MostPopular
from recommender.data import Event

T = datetime(2026, 10, 1, tzinfo=UTC)


def events(sessions):
    return [
        Event(f"s{n}", None, item, "view", T) for n, items in enumerate(sessions) for item in items
    ]


SESSIONS = [["a", "b"], ["a", "b"], ["a", "c"], ["d", "e"], ["d"], ["a"]]


def test_most_popular():
    model = MostPopular().fit(events(SESSIONS))
    assert [r.item_id for r in model.recommend([], k=3)] == ["a", "b", "d"]
    assert [r.item_id for r in model.recommend(["a"], k=2)] == ["b", "d"]
    assert [r.item_id for r in model.recommend(["a"], k=2, exclude_seen=False)] == ["a", "b"]
    assert [r.item_id for r in model.recommend([], k=2, exclude={"b"})] == ["a", "d"]
    assert model.recommend([], k=1)[0].score == 4.0


def test_item_cooccurrence():
    model = ItemCooccurrence().fit(events(SESSIONS))
    recs = model.recommend(["a"], k=3)
    # b shares 2 sessions with a, c one; then padding by popularity (d).
    assert [r.item_id for r in recs] == ["b", "c", "d"]
    assert recs[0].reason == "viewed together with a"
    assert recs[2].reason == "popular"
    # The most recent session item dominates.
    assert model.recommend(["a", "d"], k=1)[0].item_id == "e"
    assert model.recommend(["zzz"], k=1)[0].item_id == "a"
