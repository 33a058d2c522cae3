"""The intent-classification benchmark (bench/finetune_intents.py): the out-of-scope
threshold, the CLINC150 hold-out, and a tiny end-to-end run through peft's SEQ_CLS head."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from finetune.testing import tiny_llama

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load("finetune_intents")
OOS = bench.OOS


def test_oos_metrics_and_threshold():
    gold = ["a", "b", OOS, OOS]
    top = ["a", "a", "b", "a"]
    conf = [0.9, 0.8, 0.3, 0.6]
    m = bench.oos_metrics(gold, top, conf, 0.5)
    assert m["in_scope_accuracy"] == 0.5  # "b" was predicted "a"
    assert m["oos_recall"] == 0.5  # only the 0.3 one fell under the threshold
    assert m["accuracy_all"] == 0.5
    # 0.61..0.80 keeps both in-scope "a" answers and catches both OOS rows; the first wins.
    assert bench.tune_threshold(gold, top, conf) == pytest.approx(0.61)


def _clinc(folder: Path) -> Path:
    rows = {
        "train": [[f"{label} {i}", label] for label in ("x", "y", "z") for i in range(6)],
        "oos_train": [[f"oos {i}", "oos"] for i in range(10)],
        "val": [["x 9", "x"], ["y 9", "y"]],
        "oos_val": [["oos 99", "oos"]],
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data_train_val.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


def test_clinc_hold_out_is_disjoint_and_per_class(tmp_path):
    folder = _clinc(tmp_path / "clinc")
    args = bench.build_parser().parse_args(
        ["--dataset", "clinc150", "--data-dir", str(folder), "--train-per-class", "3"]
    )
    train, dev, test = bench.load_splits(args, random.Random(0))
    assert sorted(y for _, y in dev) == [OOS, OOS, "x", "x", "y", "y", "z", "z"]
    assert not {t for t, _ in train} & {t for t, _ in dev}
    counts = {y: sum(1 for _, lab in train if lab == y) for y in ("x", "y", "z", OOS)}
    assert counts == {"x": 3, "y": 3, "z": 3, OOS: 8}  # what is left of oos_train is kept
    assert [y for _, y in test] == ["x", "y", OOS]


@pytest.mark.slow
def test_tiny_end_to_end(tmp_path):
    folder = _clinc(tmp_path / "clinc")
    model = tiny_llama(tmp_path / "tiny")
    out = tmp_path / "result.json"
    argv = ["--dataset", "clinc150", "--data-dir", str(folder), "--base-model", str(model)]
    argv += ["--batch-size", "4", "--epochs", "2", "--lora-layers", "1", "--out", str(out)]
    assert bench.main(argv) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    # 4 rows left of each intent after the hold-out + 8 OOS rows = 20: 5 batches of 4 an epoch.
    assert result["steps"] == result["planned_steps"] == 10
    assert result["train_examples"] == 20 and result["epochs_seen"] == 2.0
    assert result["test_examples"] == 3 and result["dev_examples"] == 8
    assert 0.0 <= result["in_scope_accuracy"] <= 1.0 and 0.0 <= result["threshold"] < 1.0
