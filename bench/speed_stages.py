"""Where a turn's time goes: stage latencies (p50/p95) over the demo test split, and memory.

Replays every dialogue of a split (one session each, user turns in order) through the real
Assistant (demo shop, default settings unless flags say otherwise) and times each stage by
wrapping the functions that do it:
- language: `detect_language`; intent: `IntentDetector.detect`;
- retrieval: FAQ search and product search; recommendation: the recommender's calls;
- tools: the order tools (status, return check, cancel, change address);
- first_token: message in, first piece of a generated reply out; generate: the whole
  generation; other: everything in `total` that is not generation.
Replies are compared with the split's own assistant turns (word-sequence similarity), so a
faster setting can be checked for the same quality. Memory: the process's RSS at the end.

    .venv/bin/python bench/speed_stages.py --precision int8
    .venv/bin/python bench/speed_stages.py --precision transformers --lm-gate none
"""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STAGES = ("language", "intent", "retrieval", "recommendation", "tools")


class StageClock:
    """Milliseconds spent in each stage during the current turn (outermost calls only)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.active: set[str] = set()

    def wrap(self, stage: str, func):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            if stage in self.active:  # nested call of the same stage: counted by the outer one
                return func(*args, **kwargs)
            self.active.add(stage)
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.active.discard(stage)
                self.spent[stage] = self.spent.get(stage, 0.0) + 1000 * (time.perf_counter() - t0)

        return timed

    def instrument(self, assistant) -> None:
        import assistant.assistant as module

        module.detect_language = self.wrap("language", module.detect_language)
        targets = [
            ("intent", assistant.intents, ["detect"]),
            ("retrieval", assistant, ["search_faq"]),
            ("retrieval", assistant.product_search, ["search_products"]),
            ("recommendation", assistant.recommender, ["recommend", "score"]),
            ("tools", assistant.tools, ["order_status", "return_eligibility", "cancel_order",
                                        "change_address"]),
        ]  # fmt: skip
        for stage, obj, names in targets:
            for name in names:
                setattr(obj, name, self.wrap(stage, getattr(obj, name)))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=0, help="first N dialogues only")
    parser.add_argument("--precision", default=None, help="lm_precision (default: config's)")
    parser.add_argument("--lm-gate", default=None, help="intent_lm_gate; 'none' to always ask")
    parser.add_argument("--budget", type=float, default=None, help="reply_budget_s")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--replies", type=Path, default=None, help="write replies as JSONL")
    parser.add_argument("--out", type=Path, default=None, help="append the summary as JSON")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from assistant import Assistant, AssistantConfig

    settings = {"log_path": ""}
    if args.precision:
        settings["lm_precision"] = args.precision
    if args.budget:
        settings["reply_budget_s"] = args.budget
    if args.lm_gate is not None:
        settings["intent_lm_gate"] = None if args.lm_gate == "none" else float(args.lm_gate)
    config = AssistantConfig(**settings)
    started = time.perf_counter()
    assistant = Assistant.from_config(config)
    start_s = time.perf_counter() - started
    clock = StageClock()
    clock.instrument(assistant)
    path = config.shop_dir / "dialogues" / f"{args.split}.jsonl"
    dialogues = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if args.limit:
        dialogues = dialogues[: args.limit]
    rows, load_before = [], os.getloadavg()[0]
    out = open(args.replies, "w", encoding="utf-8") if args.replies else None  # noqa: SIM115
    for dialogue in dialogues:
        session = assistant.new_session()
        turns = dialogue["turns"]
        for i, turn in enumerate(turns):
            if turn["role"] != "user":
                continue
            gold = turns[i + 1]["content"] if i + 1 < len(turns) else ""
            clock.spent = {}
            t0 = time.perf_counter()
            first = None
            for piece in assistant.respond_stream(session, turn["content"]):
                if first is None and isinstance(piece, str) and piece:
                    first = 1000 * (time.perf_counter() - t0)
                if not isinstance(piece, str):
                    reply = piece
            lat = reply.latency_ms
            row = {stage: clock.spent.get(stage, 0.0) for stage in STAGES}
            row.update(total=lat.get("total", 0.0), generate=lat.get("generate"),
                       first_piece=first, over_budget=reply.over_budget, guarded=reply.guarded,
                       similarity=similarity(reply.text, gold), reply_intent=reply.intent,
                       gold_intent=turn.get("intent"))  # fmt: skip
            row["other"] = row["total"] - (row["generate"] or 0.0)
            rows.append(row)
            if out:
                out.write(json.dumps({"dialogue_id": dialogue["dialogue_id"], "turn": i,
                                      "text": reply.text, "gold": gold, **row}) + "\n")  # fmt: skip
    if out:
        out.close()
    generated = [r for r in rows if r["generate"] is not None]
    summary = {
        "split": args.split, "turns": len(rows), "generated_turns": len(generated),
        "lm_precision": config.lm_precision, "intent_lm_gate": config.intent_lm_gate,
        "reply_budget_s": config.reply_budget_s, "threads": args.threads,
        "load1_before": load_before, "load1_after": os.getloadavg()[0],
        "start_s": round(start_s, 1),
        "intent_accuracy": round(float(np.mean(
            [r["reply_intent"] == r["gold_intent"] for r in rows if r["gold_intent"]])), 4),
        "over_budget": sum(r["over_budget"] for r in rows),
        "guarded": sum(r["guarded"] for r in generated),
        "similarity_generated": round(statistics.mean(
            r["similarity"] for r in generated), 4) if generated else None,
        "rss_mb": None, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                             / 1024),
    }  # fmt: skip
    try:
        import psutil

        summary["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    except ImportError:
        pass
    for stage in (*STAGES, "other", "total"):
        values = [r[stage] for r in rows]
        summary[f"{stage}_p50_ms"], summary[f"{stage}_p95_ms"] = pct(values, 50), pct(values, 95)
    for stage in ("first_piece", "generate"):
        values = [r[stage] for r in generated if r[stage] is not None]
        summary[f"{stage}_p50_ms"], summary[f"{stage}_p95_ms"] = pct(values, 50), pct(values, 95)
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
