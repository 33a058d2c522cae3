from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.data import Event
from recommender.mf import MFConfig, MFModel, train_bpr

FAST = dict(factors=8, epochs=15, batch_size=16, lr=0.05, seed=3)


def cluster_events(n_sessions=120, seed=0):
    """Two item clusters; every session views 3-4 items of a single cluster."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = []
    for s in range(n_sessions):
        cluster = "A" if s % 2 == 0 else "B"
        picks = rng.choice(6, size=int(rng.integers(3, 5)), replace=False)
        for j, k in enumerate(picks):
            when = start + timedelta(minutes=s, seconds=j)
            events.append(Event(f"s{s}", None, f"{cluster}{k}", "view", when))
    return events


def session_scores(model, items):
    rows = [model.index[i] for i in items]
    return model.scores(model.fold_in(rows, [1.0] * len(rows)))


def test_cluster_session_gets_cluster_items():
    model = train_bpr(cluster_events(), MFConfig(**FAST))
    for cluster, other in (("A", "B"), ("B", "A")):
        scores = session_scores(model, [f"{cluster}0", f"{cluster}1"])
        ranked = [model.item_ids[i] for i in np.argsort(-scores)]
        assert all(item.startswith(cluster) for item in ranked[:6]), ranked
        assert all(item.startswith(other) for item in ranked[6:]), ranked


def test_training_is_deterministic_for_a_seed():
    events = cluster_events()
    first = train_bpr(events, MFConfig(**FAST))
    second = train_bpr(events, MFConfig(**FAST))
    np.testing.assert_array_equal(first.item_factors, second.item_factors)
    np.testing.assert_array_equal(first.context_factors, second.context_factors)
    np.testing.assert_array_equal(first.item_bias, second.item_bias)
    third = train_bpr(events, MFConfig(**{**FAST, "seed": 4}))
    assert not np.array_equal(first.item_factors, third.item_factors)


def test_model_shapes_and_ids():
    model = train_bpr(cluster_events(20), MFConfig(**{**FAST, "epochs": 2}))
    assert model.item_ids == sorted(model.item_ids)
    assert model.item_factors.shape == (12, 8) and model.item_factors.dtype == np.float32
    assert model.context_factors.shape == (12, 8)
    assert model.item_bias.shape == (12,)


def test_purchases_weigh_more_than_views():
    """An item bought in a session beats one only viewed there, as the next suggestion."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = []
    for s in range(60):
        events += [
            Event(f"s{s}", None, "X", "view", start),
            Event(f"s{s}", None, "Y" if s % 2 else "Z", "view", start),
        ]
        if s % 2:
            events.append(Event(f"s{s}", None, "Y", "purchase", start))
    model = train_bpr(events, MFConfig(**FAST))
    scores = session_scores(model, ["X"])
    assert scores[model.index["Y"]] > scores[model.index["Z"]]


def test_zero_events_rejected():
    with pytest.raises(ValueError, match="zero events"):
        train_bpr([], MFConfig(**FAST))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("factors", 0),
        ("epochs", 1.5),
        ("lr", 0),
        ("reg", -1.0),
        ("batch_size", True),
        ("seed", "7"),
        ("cart_weight", float("nan")),
        ("recency_decay", 1.5),
        ("negatives", 0),
    ],
)
def test_config_validation_names_field_and_value(field, value):
    with pytest.raises(ValueError, match=rf"MFConfig\.{field} .*{value!r}".replace("(", r"\(")):
        MFConfig(**{field: value})


def test_config_defaults_and_weights():
    config = MFConfig()
    assert config.factors == 32
    assert [config.event_weight(e) for e in ("view", "cart", "purchase")] == [1.0, 3.0, 5.0]
    assert "log_every" not in config.key_dict()


def test_model_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="item_bias"):
        MFModel(["a", "b"], np.zeros((2, 3)), np.zeros((2, 3)), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="context_factors"):
        MFModel(["a", "b"], np.zeros((2, 3)), np.zeros((2, 4)), np.zeros(2, np.float32))


def test_file_order_does_not_matter():
    """Events are put in time order before training, so shuffled rows give the same model."""
    events = cluster_events(40)
    shuffled = list(reversed(events))
    config = MFConfig(**{**FAST, "epochs": 3})
    np.testing.assert_array_equal(
        train_bpr(events, config).item_factors, train_bpr(shuffled, config).item_factors
    )
