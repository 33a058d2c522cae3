"""Intent detection: accuracy and time per turn for each way of serving the LM's share.

Side by side in one run, on the same labelled turns (validation split by default):
- `transformers`: the LM through transformers' forward (float32; the path before this work);
- `float32` / `int8`: the LM through the lean decoder (assistant/decoding.py);
- `knn`: the nearest labelled phrasings alone (no LM);
- `gated`: the int8 LM only when the examples' vote is below `--gate` (IntentDetector's
  `lm_gate`), else the vote alone.
The LM's share is the serving default (0.3); the adapter is the serving default ("auto").

    .venv/bin/python bench/speed_intent.py --split validation
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intent_eval import labelled_turns, macro_f1  # noqa: E402


def evaluate(detector, turns) -> dict:
    """Accuracy, macro-F1 and per-turn time (p50, p95) of `detector` on `turns`."""
    pred, times = [], []
    for history, message, _ in turns:
        t0 = time.perf_counter()
        pred.append(detector.detect(history, message).intent)
        times.append(1000 * (time.perf_counter() - t0))
    gold = [g for _, _, g in turns]
    return {
        "accuracy": round(float(np.mean([p == g for p, g in zip(pred, gold, strict=True)])), 4),
        "macro_f1": round(macro_f1(gold, pred), 4),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(float(np.percentile(times, 95)), 1),
        "pred": pred,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop-dir", type=Path, default=ROOT / "demo_shop" / "data")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--ways", nargs="+", default=["transformers", "int8", "knn", "gated"])
    parser.add_argument("--gate", type=float, default=0.6)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="append results as JSON lines")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from assistant.assistant import load_intent_examples
    from assistant.config import AssistantConfig
    from assistant.intent_detection import ExampleIndex, IntentDetector
    from assistant.models import load_language_model
    from retrieval import Embedder

    config = AssistantConfig()
    turns = labelled_turns(args.shop_dir / "dialogues" / f"{args.split}.jsonl")
    if args.limit:
        turns = turns[: args.limit]
    embedder = Embedder()
    texts, labels = load_intent_examples(args.shop_dir / "dialogues" / "train.jsonl")
    examples = ExampleIndex(embedder.encode(texts), labels)
    adapter = config.resolved_adapter_dir()
    results, preds = [], {}
    for way in args.ways:
        precision = {"knn": None, "gated": "int8"}.get(way, way)
        lm = None
        if precision is not None:
            lm = load_language_model(None, adapter, ROOT / "var" / "models", precision=precision)
        detector = IntentDetector(
            lm=lm, embed=embedder.encode, examples=examples,
            lm_weight=config.resolved_lm_weight() if lm is not None else 0.0,
            history_turns=config.history_turns,
            lm_gate=args.gate if way == "gated" else None,
        )  # fmt: skip
        evaluate(detector, turns[:3])  # warm-up
        row = evaluate(detector, turns)
        preds[way] = row.pop("pred")
        row.update(
            way=way,
            split=args.split,
            turns=len(turns),
            load=os.getloadavg()[0],
            lm_weight=detector.lm_weight,
            gate=args.gate if way == "gated" else None,
        )
        results.append(row)
        print(json.dumps(row), flush=True)
        del lm, detector
    if "transformers" in preds:
        for way, pred in preds.items():
            same = np.mean([a == b for a, b in zip(pred, preds["transformers"], strict=True)])
            print(f"{way}: same intent as transformers on {same:.1%} of turns")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            for row in results:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
