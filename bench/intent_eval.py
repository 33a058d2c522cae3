"""Intent accuracy and macro-F1 of the assistant's intent detection on a labelled split.

Scores the first user turn of every dialogue (and later user turns with their history) in a
dialogue JSONL file, for one or more settings of the LM's share (`--lm-weights`), with the
base model or an adapter. Example phrasings for the nearest-neighbour vote come from the
train split only.

    .venv/bin/python bench/intent_eval.py --split validation --lm-weights 0 0.5 1
    .venv/bin/python bench/intent_eval.py --split test --adapter-dir finetune/adapters/demo-shop
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def macro_f1(gold: list[str], pred: list[str]) -> float:
    labels = sorted(set(gold) | set(pred))
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def labelled_turns(path: Path) -> list[tuple[list[dict], str, str]]:
    """(history, user message, gold intent) for every labelled user turn."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        history: list[dict] = []
        for turn in json.loads(line)["turns"]:
            if turn["role"] == "user" and turn.get("intent"):
                out.append((list(history), turn["content"], turn["intent"]))
            history.append({"role": turn["role"], "content": turn["content"]})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop-dir", type=Path, default=ROOT / "demo_shop" / "data")
    parser.add_argument("--split", default="validation")
    parser.add_argument("--lm-weights", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--base-model", default=None)
    parser.add_argument("--adapter-dir", default=None)
    parser.add_argument(
        "--precision",
        default="transformers",
        choices=["transformers", "float32", "int8"],
        help="how the LM runs (serving uses int8)",
    )
    parser.add_argument(
        "--gate",
        type=float,
        default=None,
        help="as `intent_lm_gate` serves: skip the LM when the examples' vote "
        "reaches this (their share of the mix then counts as uniform)",
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N turns")
    parser.add_argument("--out", type=Path, default=None, help="append results as JSON lines")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from assistant.assistant import load_intent_examples
    from assistant.intent_detection import ExampleIndex, IntentDetector
    from assistant.models import load_language_model
    from retrieval import Embedder

    turns = labelled_turns(args.shop_dir / "dialogues" / f"{args.split}.jsonl")
    if args.limit:
        turns = turns[: args.limit]
    adapter = Path(args.adapter_dir) if args.adapter_dir else None
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    lm = load_language_model(args.base_model, adapter, ROOT / "var" / "models", args.precision)
    embedder = Embedder()
    texts, labels = load_intent_examples(args.shop_dir / "dialogues" / "train.jsonl")
    examples = ExampleIndex(embedder.encode(texts), labels)
    vectors = embedder.encode([m for _, m, _ in turns])
    gold = [g for _, _, g in turns]
    # The LM's distribution is computed once and mixed for every weight.
    detector = IntentDetector(lm=lm, embed=embedder.encode, examples=examples, lm_weight=1.0,
                              temperature=args.temperature)  # fmt: skip
    t0 = time.perf_counter()
    lm_probs = np.stack([detector.lm_probabilities(h, m) for h, m, _ in turns])
    lm_ms = 1000 * (time.perf_counter() - t0) / max(len(turns), 1)
    knn_probs = np.stack([examples.probabilities(v) for v in vectors])
    from assistant.intents import INTENT_NAMES

    for weight in args.lm_weights:
        probs = weight * lm_probs + (1 - weight) * knn_probs
        if args.gate is not None:
            sure = knn_probs.max(axis=1) >= args.gate
            uniform = np.full(knn_probs.shape[1], 1.0 / knn_probs.shape[1])
            probs[sure] = weight * uniform + (1 - weight) * knn_probs[sure]
        pred = [INTENT_NAMES[i] for i in probs.argmax(axis=1)]
        acc = float(np.mean([p == g for p, g in zip(pred, gold, strict=True)]))
        result = {
            "model": lm.name, "split": args.split, "turns": len(turns), "lm_weight": weight,
            "precision": lm.precision, "gate": args.gate,
            "temperature": args.temperature, "accuracy": round(acc, 4),
            "macro_f1": round(macro_f1(gold, pred), 4), "lm_ms_per_turn": round(lm_ms, 1),
        }  # fmt: skip
        print(json.dumps(result))
        if args.out:
            with open(args.out, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
