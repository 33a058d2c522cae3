import hashlib
import json

import numpy as np
import pytest

from recommender.base import Step
from recommender.two_tower import TwoTower, TwoTowerConfig, item_features
from tests.test_recommender_contract import cluster_events

pytestmark = pytest.mark.slow  # trains several tiny models: ~20-40 s on a busy 2-core box

CONFIG = dict(dim=16, epochs=25, batch_size=32, lr=0.01, patience=25, progress=False)


def catalogue():
    items = {}
    for cluster, category in (("A", "tents"), ("B", "kettles")):
        for k in [*range(6), 9]:  # item 9 of each cluster has no interactions at all
            items[f"{cluster}{k}"] = {
                "title": f"{category} model {k}",
                "description": f"a {category[:-1]}",
                "category": category,
                "brand": "acme" if k % 2 else "zen",
                "price": 10.0 * (k + 1),
            }
    return items


def fake_encode(texts):
    """A tiny deterministic stand-in for the sentence embedder: a hash-seeded vector per word."""
    out = np.zeros((len(texts), 12), dtype=np.float32)
    for n, text in enumerate(texts):
        for word in text.lower().replace(".", " ").split():
            seed = int(hashlib.sha256(word.encode()).hexdigest()[:8], 16)
            out[n] += np.random.default_rng(seed).normal(size=12)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


@pytest.fixture(scope="module")
def content_model():
    config = TwoTowerConfig(**{**CONFIG, "id_dropout": 0.3})
    return TwoTower.fit(
        cluster_events(), config, valid_events=[], items=catalogue(), encode=fake_encode
    )


def test_cold_start_items_get_content_scores(content_model):
    model = content_model
    assert set(model.item_ids) >= {"A9", "B9"} and not model.trained[model.index["A9"]]
    scores = model.scores(["A0", "A1"])
    assert np.isfinite(scores).all()
    assert scores[model.index["A9"]] > scores[model.index["B9"]]
    scores_b = model.scores(["B2", "B3"])
    assert scores_b[model.index["B9"]] > scores_b[model.index["A9"]]
    # A new item in the session itself is read through its content too.
    assert model.scores(["A9"]).argmax() != model.scores(["B9"]).argmax()


def test_event_type_and_hour_reach_the_session_tower(content_model):
    from datetime import UTC, datetime

    view = content_model.scores([Step("A0", "view", datetime(2026, 1, 1, 9, tzinfo=UTC))])
    cart = content_model.scores([Step("A0", "cart", datetime(2026, 1, 1, 9, tzinfo=UTC))])
    night = content_model.scores([Step("A0", "view", datetime(2026, 1, 1, 23, tzinfo=UTC))])
    assert not np.allclose(view, cart) and not np.allclose(view, night)


def test_save_load_round_trip(content_model, tmp_path):
    folder = content_model.save(tmp_path / "tt")
    meta = json.loads((folder / "config.json").read_text())
    assert meta["format"] == 1 and meta["config"]["dim"] == 16 and "metrics" in meta
    loaded = TwoTower.load(folder)
    session = ["A0", "B1", "A2"]
    np.testing.assert_allclose(loaded.scores(session), content_model.scores(session), atol=1e-6)
    meta["format"] = 7
    (folder / "config.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unsupported two-tower format 7"):
        TwoTower.load(folder)


def test_early_stopping_and_seed(tmp_path):
    events = cluster_events(90)
    config = TwoTowerConfig(**{**CONFIG, "epochs": 6, "patience": 1, "lr": 1e-6})
    model = TwoTower.fit(events, config)  # the latest 10 % of sessions validate
    history = model.metrics["history"]
    assert 2 <= len(history) <= 6 and "recall@20" in history[0]
    again = TwoTower.fit(events, config)
    np.testing.assert_array_equal(model.item_matrix, again.item_matrix)


def test_id_only_without_content():
    model = TwoTower.fit(cluster_events(60), TwoTowerConfig(**{**CONFIG, "epochs": 2}),
                         valid_events=[])  # fmt: skip
    assert model.net.text is None and model.trained.all()


@pytest.mark.parametrize(
    ("field", "value"), [("dim", 0), ("temperature", 0.0), ("id_dropout", 1.0), ("seed", "1")]
)
def test_config_validation(field, value):
    with pytest.raises(ValueError, match=f"TwoTowerConfig.{field}"):
        TwoTowerConfig(**{field: value})


def test_price_buckets_and_vocabularies():
    features = item_features(["a", "b", "c", "d"], {"a": {"price": 1, "category": "x"},
                             "b": {"price": 5}, "c": {"price": "n/a"}}, buckets=2)  # fmt: skip
    assert features.price.tolist() == [1, 2, 0, 0]
    assert features.category.tolist() == [1, 0, 0, 0] and features.n_categories == 2
    assert features.text is None
