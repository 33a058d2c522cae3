"""`shop-assistant evaluate`: replay labelled dialogues or a turn log through a real assistant.

Each dialogue is replayed turn by turn in a fresh session (clicks from a log are replayed
too, after the reply they followed), and the replies are scored against the labels:
intent accuracy and macro-F1, out-of-scope recall, FAQ hit rate, reply similarity
(MiniLM cosine and ROUGE-L), groundedness, recommendation HitRate@K / NDCG@K against the
items clicked next (or the reference reply's items), handoff rate, latency per stage, and,
for logs with clicks, an inverse-propensity estimate of the new recommender's click rate.
Intervals come from a seeded bootstrap over dialogues. `--compare A.yaml B.yaml` runs two
configurations on the same dialogues and reports B - A with paired bootstrap intervals.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import eval_metrics as em
from assistant.config import AssistantConfig, ConfigError
from assistant.guardrails import off_context_share, unsupported_facts

logger = logging.getLogger(__name__)

HELP = "replay labelled dialogues or a turn log and write a metrics report"
OUT_OF_SCOPE = "out_of_scope"


@dataclass
class TurnResult:
    """One replayed user turn: the labels, what the assistant did, and per-turn scores."""

    dialogue_id: str
    turn: int
    language: str
    gold_intent: str | None
    pred_intent: str
    confidence: float
    gold_faq_ids: list[str]
    pred_faq_ids: list[str]
    reference: str
    reply: str
    handoff: bool
    clarify: bool
    guarded: bool
    item_ids: list[str]  # products the replayed reply showed, in screen order
    relevant: list[str]  # items clicked after this turn (log), else the reference's items
    logged_item_ids: list[str] | None  # from a log: what the logged reply showed
    clicks: list[dict] | None  # from a log: the clicks that followed the logged reply
    latency_ms: dict[str, float]
    unsupported: list[str]
    off_context: float | None  # FAQ replies only
    similarity: float | None = None
    rouge_l: float | None = None
    error: str | None = None
    over_budget: bool = False  # generation skipped or cut by the reply-time budget


@dataclass
class Evaluation:
    """Everything one configuration's run produced, ready for the report."""

    name: str
    turns: list[TurnResult]
    metrics: dict[str, float | None]
    intervals: dict[str, tuple[float, float] | None]
    meta: dict[str, Any] = field(default_factory=dict)

    def by_dialogue(self) -> list[list[TurnResult]]:
        return _group(self.turns)


# ---------------------------------------------------------------------- input


def _is_turn_log(path: Path) -> bool:
    """True when the first record has an "event": a turn log rather than labelled dialogues."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = next((line for line in fh if line.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return False  # the dialogue reader reports the line
    return isinstance(record, dict) and "event" in record


def load_dialogues(path: str | Path) -> list[dict[str, Any]]:
    """Labelled dialogues from a dialogue JSONL file, or from a turn log (detected)."""
    from assistant.turn_log import read_dialogues

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if _is_turn_log(path):
        return read_dialogues(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not UTF-8 text ({exc.reason})") from None
    dialogues = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            dialogue = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"{path}:{number}: invalid JSON: {getattr(exc, 'msg', exc)}") from None
        problem = _dialogue_problem(dialogue)
        if problem:
            raise ValueError(f"{path}:{number}: {problem}")
        dialogue.setdefault("dialogue_id", f"line-{number}")
        dialogues.append(dialogue)
    return dialogues


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _clicks_problem(name: str, clicks: Any) -> str | None:
    if not isinstance(clicks, list) or not all(
        isinstance(c, dict) and isinstance(c.get("item_id"), str) for c in clicks
    ):
        return f"field '{name}': expected a list of objects with a text 'item_id'"
    return None


def _turn_problem(i: int, turn: Any) -> str | None:
    """What is wrong with one turn, as replay_dialogue reads it; None when it is fine."""
    from assistant.intents import INTENT_NAMES

    where = f"field 'turns[{i}]"
    if not isinstance(turn, dict):
        return f"{where}': expected an object, got {type(turn).__name__}"
    if turn.get("role") not in ("user", "assistant"):
        return f"{where}.role': expected 'user' or 'assistant', got {turn.get('role')!r:.40}"
    content = turn.get("content", "" if turn["role"] == "assistant" else None)
    if not isinstance(content, str):
        return f"{where}.content': expected text, got {type(content).__name__}"
    intent = turn.get("intent")
    if intent is not None and intent not in INTENT_NAMES:
        return f"{where}.intent': unknown intent {intent!r:.60} (see assistant/intents.py)"
    for name in ("faq_ids", "item_ids"):
        if name in turn and not _strings(turn[name]):
            return f"{where}.{name}': expected a list of strings, got {turn[name]!r:.60}"
    if turn.get("clicks") is not None:
        return _clicks_problem(f"turns[{i}].clicks", turn["clicks"])
    return None


def _dialogue_problem(dialogue: Any) -> str | None:
    """Checked before any replay, so a bad file fails fast instead of as replay errors."""
    if not isinstance(dialogue, dict):
        return f"expected a JSON object, got {type(dialogue).__name__}"
    turns = dialogue.get("turns")
    if not isinstance(turns, list):
        return "field 'turns': expected a list of objects"
    for i, turn in enumerate(turns):
        problem = _turn_problem(i, turn)
        if problem:
            return problem
    if not any(t["role"] == "user" for t in turns):
        return "field 'turns': the dialogue has no user turn to replay"
    language = dialogue.get("language")
    if language is not None and not isinstance(language, str):
        return f"field 'language': expected text, got {type(language).__name__}"
    if "clicks_before" in dialogue:
        return _clicks_problem("clicks_before", dialogue["clicks_before"])
    return None


# ---------------------------------------------------------------------- replay


def build_assistant(config: AssistantConfig, lm=None):
    """A real assistant for `config`, with the turn log off (a replay is not traffic)."""
    from assistant.assistant import Assistant

    return Assistant.from_config(dataclasses.replace(config, log_path=""), lm=lm)


def _context(assistant, reply, user_messages: list[str]) -> str:
    """What a reply may state: its FAQ entries, products and order, the shopper's words."""
    parts = [assistant.faq[f].answer for f in reply.faq_ids if f in assistant.faq]
    for card in reply.products:
        p = assistant.products.get(card.item_id)
        parts.append(f"{card.title} {card.price:.2f} {card.currency} {card.stock}")
        if p is not None:
            parts.append(f"{p.description} {' '.join(map(str, p.attributes.values()))}")
    if reply.order:
        parts.append(" ".join(str(v) for v in reply.order.values() if v is not None))
    return "\n".join(parts + user_messages)


def _replay_clicks(session, clicks: list[dict]) -> None:
    for click in clicks:
        kind = "cart" if click.get("kind") in ("cart", "purchase") else "view"
        session.note_event(click["item_id"], kind)


def replay_dialogue(assistant, dialogue: dict[str, Any]) -> list[TurnResult]:
    """Replay one dialogue in a fresh session; one TurnResult per user turn."""
    session = assistant.new_session()
    _replay_clicks(session, dialogue.get("clicks_before", []))
    turns = dialogue["turns"]
    results, said = [], []
    for i, turn in enumerate(turns):
        if turn.get("role") != "user":
            continue
        reference = (
            turns[i + 1] if i + 1 < len(turns) and turns[i + 1].get("role") == "assistant" else {}
        )
        said.append(turn["content"])
        reply = assistant.respond(session, turn["content"])
        context = _context(assistant, reply, said)
        clicks = reference.get("clicks")
        relevant = [c["item_id"] for c in clicks] if clicks else list(reference.get("item_ids", []))
        results.append(
            TurnResult(
                dialogue_id=str(dialogue.get("dialogue_id")),
                turn=len(said),
                language=dialogue.get("language") or reply.language,
                gold_intent=turn.get("intent"),
                pred_intent=reply.intent,
                confidence=reply.confidence,
                gold_faq_ids=list(reference.get("faq_ids", [])),
                pred_faq_ids=list(reply.faq_ids),
                reference=reference.get("content", ""),
                reply=reply.text,
                handoff=reply.handoff,
                clarify=reply.clarify,
                guarded=reply.guarded,
                item_ids=[c.item_id for c in reply.products],
                relevant=relevant,
                logged_item_ids=list(reference.get("item_ids", [])) if clicks is not None else None,
                clicks=clicks,
                latency_ms=dict(reply.latency_ms),
                unsupported=unsupported_facts(reply.text, context),
                off_context=off_context_share(reply.text, context) if reply.faq_ids else None,
                over_budget=reply.over_budget,
            )
        )
        if clicks:
            _replay_clicks(session, [c for c in clicks if c["item_id"] in assistant.products])
    return results


def _safe_replay(assistant, dialogue: dict[str, Any]) -> list[TurnResult]:
    """Replay, turning a crash into one failed turn so one bad dialogue cannot stop a run."""
    try:
        return replay_dialogue(assistant, dialogue)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported per dialogue
        logger.exception("dialogue %s failed", dialogue.get("dialogue_id"))
        user = next((t for t in dialogue.get("turns", []) if t.get("role") == "user"), {})
        return [
            TurnResult(
                str(dialogue.get("dialogue_id")),
                1,
                dialogue.get("language") or "en",
                user.get("intent"),
                "error",
                0.0,
                [],
                [],
                "",
                "",
                False,
                False,
                False,
                [],
                [],
                None,
                None,
                {},
                [],
                None,
                error=repr(exc),
            )
        ]


def replay(
    assistant, dialogues: list[dict], workers: int = 1, desc: str = "replay"
) -> list[TurnResult]:
    """Replay every dialogue (in `workers` threads), keeping the dialogues' order."""
    from tqdm import tqdm

    with tqdm(total=len(dialogues), desc=desc, unit="dialogue", mininterval=2.0) as bar:

        def one(dialogue):
            out = _safe_replay(assistant, dialogue)
            bar.update(1)
            return out

        if workers <= 1:
            done = [one(d) for d in dialogues]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = list(pool.map(one, dialogues))
    return [r for results in done for r in results]


def score_replies(embedder, turns: list[TurnResult]) -> None:
    """Fill each turn's similarity (MiniLM cosine) and ROUGE-L against its reference reply."""
    scored = [t for t in turns if t.reference and t.error is None]
    if not scored:
        return
    replies = embedder.encode([t.reply for t in scored])
    references = embedder.encode([t.reference for t in scored])
    cosines = (replies * references).sum(axis=1)  # the vectors are unit length
    for t, cosine in zip(scored, cosines, strict=True):
        t.similarity = float(cosine)
        t.rouge_l = em.rouge_l(t.reference, t.reply)


# ---------------------------------------------------------------------- metrics


def _group(turns: list[TurnResult]) -> list[list[TurnResult]]:
    groups: dict[str, list[TurnResult]] = {}
    for t in turns:
        groups.setdefault(t.dialogue_id, []).append(t)
    return list(groups.values())


def compute_metrics(turns: list[TurnResult], k: int = 5) -> dict[str, float | None]:
    """Every headline metric over `turns` (None where a metric has nothing to measure)."""
    labelled = [t for t in turns if t.gold_intent]
    gold, pred = [t.gold_intent for t in labelled], [t.pred_intent for t in labelled]
    replied = [t for t in turns if t.similarity is not None]
    dialogues = _group(turns)
    impressions = [
        {"logged": t.logged_item_ids, "clicks": t.clicks, "new": t.item_ids}
        for t in turns
        if t.logged_item_ids
    ]
    metrics = {
        "intent_accuracy": em.accuracy(gold, pred),
        "intent_macro_f1": em.macro_f1(gold, pred),
        "oos_recall": em.recall_of(gold, pred, OUT_OF_SCOPE),
        "faq_hit_rate": em.hit_rate(
            [t.gold_faq_ids for t in turns], [t.pred_faq_ids for t in turns]
        ),
        "reply_similarity": em.mean([t.similarity for t in replied]),
        "reply_rouge_l": em.mean([t.rouge_l for t in replied]),
        "grounded_rate": em.mean([float(not t.unsupported) for t in turns if t.error is None]),
        "faq_off_context": em.mean([t.off_context for t in turns if t.off_context is not None]),
        f"rec_hit_rate@{k}": em.hit_rate_at_k(
            [t.item_ids for t in turns], [t.relevant for t in turns], k
        ),
        f"rec_ndcg@{k}": em.ndcg([t.item_ids for t in turns], [t.relevant for t in turns], k),
        "handoff_rate": em.mean([float(any(t.handoff for t in d)) for d in dialogues]),
        "clarify_rate": em.mean([float(t.clarify) for t in turns]),
        # Generated drafts replaced by the fact check, and generations skipped for time.
        "guarded_rate": em.mean([float(t.guarded) for t in turns]),
        "over_budget_rate": em.mean([float(t.over_budget) for t in turns]),
        "error_rate": em.mean([float(t.error is not None) for t in turns]),
    }
    ips = em.ips_click_rate(impressions, k)
    if ips is not None:
        metrics["ips_clicks_per_list"] = ips["ips_clicks_per_list"]
        metrics["logged_clicks_per_list"] = ips["logged_clicks_per_list"]
        metrics["ips_overlap"] = ips["overlap"]
    return metrics


def latency_summary(turns: list[TurnResult]) -> dict[str, dict[str, float]]:
    """p50 / p95 / n of each stage's latency in milliseconds."""
    stages: dict[str, list[float]] = {}
    for t in turns:
        for stage, ms in t.latency_ms.items():
            stages.setdefault(stage, []).append(ms)
    return {
        s: {"p50": em.percentile(v, 50), "p95": em.percentile(v, 95), "n": len(v)}
        for s, v in sorted(stages.items())
    }


def evaluate(
    config: AssistantConfig,
    dialogues: list[dict],
    *,
    name: str = "run",
    k: int = 5,
    workers: int = 1,
    n_resamples: int = 1000,
    seed: int = 0,
    lm=None,
) -> Evaluation:
    """Start an assistant for `config`, replay `dialogues`, score them; timings in meta."""
    timing = {}
    started = time.perf_counter()
    assistant = build_assistant(config, lm=lm)
    timing["start_up_s"] = time.perf_counter() - started
    t0 = time.perf_counter()
    turns = replay(assistant, dialogues, workers=workers, desc=name)
    timing["replay_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    score_replies(assistant.embedder, turns)
    timing["score_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    metrics = compute_metrics(turns, k)
    intervals = em.bootstrap_ci(
        _group(turns), lambda ds: compute_metrics(_flat(ds), k), n_resamples=n_resamples, seed=seed
    )
    timing["bootstrap_s"] = time.perf_counter() - t0
    meta = {
        "name": name,
        "dialogues": len(dialogues),
        "user_turns": len(turns),
        "k": k,
        "reply_mode": config.reply_mode,
        "adapter_dir": str(config.resolved_adapter_dir()),
        "base_model": config.base_model or "bundled SmolLM2-135M-Instruct",
        "errors": sum(t.error is not None for t in turns),
        "timing_s": timing,
        "latency": latency_summary(turns),
        "bootstrap_resamples": n_resamples,
        "seed": seed,
    }
    del assistant
    return Evaluation(name, turns, metrics, intervals, meta)


def _flat(dialogues: list[list[TurnResult]]) -> list[TurnResult]:
    return [t for d in dialogues for t in d]


def compare(
    a: Evaluation, b: Evaluation, k: int = 5, n_resamples: int = 1000, seed: int = 0
) -> dict[str, dict[str, Any]]:
    """B - A for every metric, with a paired bootstrap interval over the shared dialogues."""
    da, db = a.by_dialogue(), b.by_dialogue()
    ids_a, ids_b = [d[0].dialogue_id for d in da], [d[0].dialogue_id for d in db]
    if ids_a != ids_b:
        raise ValueError("the two runs replayed different dialogues; cannot pair them")
    intervals = em.paired_bootstrap_ci(
        da, db, lambda ds: compute_metrics(_flat(ds), k), n_resamples=n_resamples, seed=seed
    )
    out = {}
    for metric, value_a in a.metrics.items():
        value_b = b.metrics.get(metric)
        diff = None if value_a is None or value_b is None else value_b - value_a
        out[metric] = {"a": value_a, "b": value_b, "diff": diff, "ci": intervals.get(metric)}
    return out


# ---------------------------------------------------------------------- command line


def spread(items: list, limit: int | None) -> list:
    """`limit` items taken evenly over `items`, in order: dialogue files are often grouped by
    intent, so the first N would measure a few intents only."""
    if limit is None or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def add_arguments(parser) -> None:
    parser.add_argument("dataset", help="labelled dialogues (JSONL) or a turn log to replay")
    parser.add_argument("--report", default="eval-report", help="folder for the report")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("CONFIG_A", "CONFIG_B"),
        help="two YAML config files to run on the same dialogues",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="only N dialogues, spread evenly over the file"
    )
    parser.add_argument("--workers", type=int, default=1, help="dialogues replayed at once")
    parser.add_argument("--k", type=int, default=5, help="cut-off of HitRate@K and NDCG@K")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")


def config_from_yaml(base: AssistantConfig, path: str) -> AssistantConfig:
    """`base` with the settings of the YAML file at `path` on top."""
    import yaml

    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)} | loaded
    return AssistantConfig.from_mapping(values, source=path)


def _check_args(args) -> None:
    for name in ("limit", "workers", "k", "bootstrap"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name} must be at least 1, got {value}")


def run(config: AssistantConfig, args, lm=None) -> int:
    """Entry point of `shop-assistant evaluate`."""
    from assistant import report

    _check_args(args)
    started = time.perf_counter()
    dialogues = spread(load_dialogues(args.dataset), args.limit)
    if not dialogues:
        raise ValueError(f"{args.dataset}: no dialogues to replay")
    out = Path(args.report)
    options = dict(
        k=args.k, workers=args.workers, n_resamples=args.bootstrap, seed=args.seed, lm=lm
    )
    if not args.compare:
        result = evaluate(config, dialogues, name=Path(args.dataset).name, **options)
        result.meta["dataset"] = str(args.dataset)
        result.meta["wall_s"] = time.perf_counter() - started
        paths = report.write_report(out, result)
    else:
        runs = []
        for label, path in zip(("a", "b"), args.compare, strict=True):
            run_config = config_from_yaml(config, path)
            runs.append(
                evaluate(run_config, dialogues, name=f"{label}: {Path(path).name}", **options)
            )
            runs[-1].meta["dataset"] = str(args.dataset)
            runs[-1].meta["config_file"] = path
            report.write_report(out / label, runs[-1])
        diffs = compare(runs[0], runs[1], k=args.k, n_resamples=args.bootstrap, seed=args.seed)
        wall = time.perf_counter() - started
        paths = report.write_compare_report(out, runs[0], runs[1], diffs, wall_s=wall)
    logger.info("report written: %s", ", ".join(str(p) for p in paths))
    print(f"report: {paths[0]}")
    results = [result] if not args.compare else runs
    failed = [r.name for r in results if r.turns and all(t.error for t in r.turns)]
    if failed:
        print(
            f"shop-assistant: error: every turn of {', '.join(failed)} failed during replay "
            "(the assistant raised an error on each); see the log above and the report",
            file=sys.stderr,
        )
        return 1
    return 0
