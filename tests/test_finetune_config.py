"""FinetuneConfig: defaults, validation naming the field, YAML with unknown keys rejected."""

from __future__ import annotations

import pytest

from finetune.config import DataSource, FinetuneConfig, FinetuneConfigError


def test_defaults_and_data_sources():
    config = FinetuneConfig(train=["a/train.jsonl"], validation="a/validation.jsonl")
    assert config.method == "lora"
    assert (config.lora_r, config.lora_alpha, config.lora_dropout) == (8, 16, 0.05)
    assert config.base_model is None
    assert config.train == [DataSource(path="a/train.jsonl")]
    assert config.validation[0].path == "a/validation.jsonl"
    assert str(config.checkpoint_path).endswith("checkpoints")


def test_target_modules_default_by_model_type():
    config = FinetuneConfig(train=["t.jsonl"])
    assert config.resolved_target_modules("llama") == ["q_proj", "k_proj", "v_proj", "o_proj"]
    assert config.resolved_target_modules("gpt2") == ["c_attn", "c_proj"]
    with pytest.raises(FinetuneConfigError, match="target_modules"):
        config.resolved_target_modules("mystery")
    custom = FinetuneConfig(train=["t.jsonl"], target_modules=["q_proj"])
    assert custom.resolved_target_modules("gpt2") == ["q_proj"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("method", "qlora"),
        ("learning_rate", -1.0),
        ("batch_size", 0),
        ("lora_dropout", 1.5),
        ("bf16", "yes"),
        ("max_steps", 0),
        ("metric_for_best", "bleu"),
        ("tasks", ["intent", "summary"]),
        ("warmup_ratio", 1.0),
    ],
)
def test_bad_values_name_the_field(field, value):
    with pytest.raises(FinetuneConfigError, match=field):
        FinetuneConfig(train=["t.jsonl"], **{field: value})


def test_train_data_is_required():
    with pytest.raises(FinetuneConfigError, match="train"):
        FinetuneConfig()


def test_yaml_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("train: [t.jsonl]\nlearning_rat: 0.1\n", encoding="utf-8")
    with pytest.raises(FinetuneConfigError, match="'learning_rat'"):
        FinetuneConfig.from_yaml(path)
    path.write_text("train:\n  - path: t.jsonl\n    fromat: bitext\n", encoding="utf-8")
    with pytest.raises(FinetuneConfigError, match="'fromat'"):
        FinetuneConfig.from_yaml(path)


def test_yaml_round_trip(tmp_path):
    config = FinetuneConfig(
        train=[{"path": "b.csv", "label_map": "bitext", "tasks": ["intent"]}],
        validation=["v.jsonl"],
        max_steps=7,
        bf16=False,
        target_modules=["q_proj", "v_proj"],
    )
    path = tmp_path / "resolved.yaml"
    path.write_text(config.to_yaml(), encoding="utf-8")
    assert FinetuneConfig.from_yaml(path) == config


def test_demo_config_loads():
    config = FinetuneConfig.from_yaml("finetune/configs/demo-shop.yaml")
    assert config.base_model is None
    assert config.method == "lora" and config.lora_r == 16 and config.lora_layers == 10
    assert config.output_dir == "finetune/adapters/demo-shop"
    assert set(config.tasks) == {"intent", "reply"}
    # The committed adapter was trained with this config (its resolved copy lies beside it).
    saved = FinetuneConfig.from_yaml("finetune/adapters/demo-shop/finetune_config.yaml")
    for name in ("lora_r", "lora_alpha", "lora_layers", "target_modules", "learning_rate",
                 "epochs", "batch_size", "seed", "tasks"):  # fmt: skip
        assert getattr(saved, name) == getattr(config, name), name
