"""The training loop on a tiny random Llama: what a step changes, the shared-prefix loss,
serving-identical label scoring, batching, and resuming from a checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

from assistant.intents import INTENT_NAMES
from assistant.models import LanguageModel
from finetune.config import DataSource, FinetuneConfig
from finetune.data import encode_examples, load_source
from finetune.evaluate import intent_metrics, score_prompts
from finetune.testing import tiny_llama, tiny_tokenizer, write_demo_shop
from finetune.train import TargetLoss, collate, make_batches, prepare_model, train


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    return write_demo_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def encoded(shop):
    examples = load_source(DataSource(str(shop / "dialogues" / "train.jsonl")), ["intent", "reply"])
    return encode_examples(tiny_tokenizer(), examples, 4096)


def _config(shop: Path, model_dir: Path, out: Path, **kw) -> FinetuneConfig:
    values = dict(
        train=[str(shop / "dialogues" / "train.jsonl")],
        base_model=str(model_dir),
        output_dir=str(out),
        batch_size=2,
        max_length=4096,
        eval_every=2,
        epochs=5,
        learning_rate=1e-2,
        eval_at_start=False,
        log_every=1,
        num_threads=1,
    )
    values.update(kw)
    return FinetuneConfig(**values)


def test_one_step_changes_only_lora_weights(model_dir, encoded, shop, tmp_path):
    tok = tiny_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    peft_model = prepare_model(model, _config(shop, model_dir, tmp_path))
    loss_model = TargetLoss(peft_model)
    optimizer = torch.optim.AdamW([p for p in loss_model.parameters() if p.requires_grad], lr=1e-2)
    loss, n = loss_model(**collate(encoded[:2], tok.pad_token_id))
    (loss / n).backward()
    optimizer.step()
    changed_lora = 0
    for name, param in peft_model.named_parameters():
        if "lora_" in name:
            changed_lora += name.endswith("lora_B.default.weight") and bool(param.abs().sum() > 0)
            assert param.requires_grad
        else:
            assert not param.requires_grad, name
    assert changed_lora == 2 * 4  # B of q, k, v, o in both layers moved off zero
    merged_names = peft_model.get_base_model().state_dict()
    for key, value in before.items():
        base_key = key.replace(".weight", ".base_layer.weight")
        current = merged_names.get(base_key, merged_names.get(key))
        assert torch.equal(current, value), key


def test_shared_prefix_gives_the_same_loss(model_dir, encoded):
    tok = tiny_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    loss_model = TargetLoss(model)
    intents = [e for e in encoded if e.kind == "intent"][:3]
    with torch.no_grad():
        shared = collate(intents, tok.pad_token_id, share_prefix=True)
        assert shared["prefix_ids"].shape[1] > 1000  # the intent system prompt
        plain = collate(intents, tok.pad_token_id, share_prefix=False)
        assert plain["prefix_ids"].shape[1] == 0
        s_loss, s_n = loss_model(**shared)
        p_loss, p_n = loss_model(**plain)
        one = [loss_model(**collate([e], tok.pad_token_id)) for e in intents]
    assert int(s_n) == int(p_n) == sum(e.target_len for e in intents)
    assert float(s_loss) == pytest.approx(float(p_loss), rel=1e-4)
    assert float(s_loss) == pytest.approx(sum(float(x) for x, _ in one), rel=1e-4)


def test_scoring_matches_serving(model_dir, encoded):
    tok = tiny_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    lm = LanguageModel(model, tok)
    prompts = [e.input_ids[: e.prompt_len] for e in encoded if e.kind == "intent"][:3]
    options = [tok.encode(x, add_special_tokens=False) for x in INTENT_NAMES]
    for exact in (False, True):
        ours = score_prompts(model, prompts, options, tok.pad_token_id, exact=exact)
        for row, prompt in enumerate(prompts):
            serving = lm.score_options(prompt, INTENT_NAMES, exact=exact)
            torch.testing.assert_close(ours[row], serving, atol=1e-4, rtol=0)


def test_batches_are_one_kind_and_cover_everything(encoded):
    batches = make_batches(encoded, 2, seed=0, epoch=0)
    assert sorted(i for b in batches for i in b) == list(range(len(encoded)))
    assert all(len({encoded[i].kind for i in b}) == 1 for b in batches)
    assert len(make_batches(encoded, 2, seed=0, epoch=3)) == len(batches)
    assert make_batches(encoded, 2, seed=0, epoch=0) == batches
    sizes = make_batches(encoded, {"intent": 5, "reply": 1}, seed=0, epoch=0, shuffle=False)
    assert sorted(len(b) for b in sizes) == [1, 1, 1, 5]


def test_intent_metrics_known_answer():
    m = intent_metrics(["a", "a", "b", "c"], ["a", "b", "b", "b"])
    assert m["intent_accuracy"] == 0.5
    # F1: a = 2/3, b = 2/4, c = 0 -> mean 7/18
    assert m["intent_macro_f1"] == pytest.approx(7 / 18)


class Interrupt(Exception):
    pass


def test_resumed_run_continues_from_its_step(shop, model_dir, tmp_path):
    straight = train(_config(shop, model_dir, tmp_path / "straight", max_steps=4))
    assert straight.steps == 4

    def crash_after_3(step, logs):
        if step == 3:
            raise Interrupt

    config = _config(shop, model_dir, tmp_path / "resumed", max_steps=4)
    with pytest.raises(Interrupt):
        train(config, on_step=crash_after_3)
    assert (tmp_path / "resumed" / "checkpoints" / "step-0000002" / "COMPLETE").exists()
    # Checkpoints keep only the trainable (LoRA) weights.
    saved = load_file(tmp_path / "resumed" / "checkpoints" / "step-0000002" / "model.safetensors")
    assert saved and all("lora_" in k for k in saved)

    seen = []
    resumed = train(config, resume=True, on_step=lambda step, logs: seen.append(step))
    assert seen == [3, 4]
    assert resumed.steps == 4
    a = load_file(tmp_path / "straight" / "adapter_model.safetensors")
    b = load_file(tmp_path / "resumed" / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=1e-6, rtol=1e-5)


def test_training_with_validation_writes_the_outputs(shop, model_dir, tmp_path):
    config = _config(
        shop,
        model_dir,
        tmp_path / "out",
        max_steps=2,
        eval_at_start=True,
        validation=[str(shop / "dialogues" / "validation.jsonl")],
        metric_for_best="intent_macro_f1",
    )
    result = train(config)
    out = tmp_path / "out"
    for name in (
        "adapter_config.json",
        "adapter_model.safetensors",
        "README.md",
        "finetune_config.yaml",
        "metrics.json",
    ):
        assert (out / name).exists(), name
    assert result.base_metrics["intent_n"] == 5
    assert result.best_step == 2 and "intent_accuracy" in result.best_metrics
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "intent_macro_f1" in card and str(model_dir) in card
    assert FinetuneConfig.from_yaml(out / "finetune_config.yaml") == config


def test_time_budget_stops_after_a_step_and_saves(shop, model_dir, tmp_path):
    config = _config(shop, model_dir, tmp_path / "out", max_steps=4, max_minutes=1e-6)
    result = train(config)
    assert result.steps == 1
    assert (tmp_path / "out" / "adapter_model.safetensors").exists()
    assert (tmp_path / "out" / "checkpoints" / "step-0000001" / "COMPLETE").exists()


def test_cli_train_then_eval(shop, model_dir, tmp_path, capsys):
    import json

    import yaml

    from finetune.__main__ import main

    values = _config(shop, model_dir, tmp_path / "cli", max_steps=1).to_dict()
    values["validation"] = [str(shop / "dialogues" / "validation.jsonl")]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    assert main(["--config", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 1 and summary["best_step"] == 1
    assert summary["peak_memory_mib"] > 0  # peak RSS here (no GPU)
    assert main(["eval", "--config", str(path), "--limit", "2"]) == 0
    adapted = json.loads(capsys.readouterr().out)
    assert adapted["intent_n"] == 2 and adapted["model"].endswith("+cli")
    assert main(["eval", "--config", str(path), "--no-adapter"]) == 0
    assert json.loads(capsys.readouterr().out)["intent_n"] == 5


def test_lora_layers_adapts_only_the_top_layers(model_dir, encoded, shop, tmp_path):
    tok = tiny_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    peft_model = prepare_model(model, _config(shop, model_dir, tmp_path, lora_layers=1))
    names = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert names and all(".layers.1." in n for n in names), names
    loss, n = TargetLoss(peft_model)(**collate(encoded[:2], tok.pad_token_id))
    (loss / n).backward()
    assert all(p.grad is not None for p in peft_model.parameters() if p.requires_grad)
    with pytest.raises(ValueError, match="lora_layers"):
        _config(shop, model_dir, tmp_path, lora_layers=0)
