"""The turn log: every turn, click and thumbs up/down appended to a JSONL file, crash-safe.

One JSON object per line, each with "event" ("turn", "click" or "feedback"), "session_id"
and "time" (ISO-8601 UTC). A record is written with a single `os.write` on a file opened
for appending, then flushed to disk with `os.fsync`, under a lock (the Gradio server runs
handlers in threads): a crash loses at most the record being written. A torn last line
(the process died mid-write, or the disk filled) is skipped with a warning by the reader,
and the next writer starts on a fresh line so later records stay readable.

`read_dialogues` turns a log into the labelled-dialogue format of
`demo_shop/data/dialogues/*.jsonl` (see docs/data-format.md), so a log can be labelled and
replayed by `shop-assistant evaluate`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.guardrails import redact, redact_value

logger = logging.getLogger(__name__)

EVENTS = ("turn", "click", "feedback")
FEEDBACK_VALUES = ("up", "down")
CLICK_KINDS = ("view", "cart", "purchase")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class TurnLog:
    """Appends records to one JSONL file; safe across threads and against crashes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        """Open for appending; end a torn last line first so the next record starts clean."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if created:  # the new file's directory entry must survive a power cut too
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        size = os.fstat(fd).st_size
        if size:
            with open(self.path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    logger.warning("%s: last line is torn; starting a new line", self.path)
                    os.write(fd, b"\n")
        return fd

    def append(self, record: dict[str, Any]) -> None:
        """Write one record (adds "time" when absent) as one line, durably."""
        if record.get("event") not in EVENTS:
            raise ValueError(f"event must be one of {EVENTS}, got {record.get('event')!r}")
        if not isinstance(record.get("session_id"), str):
            raise ValueError(f"session_id must be a string, got {record.get('session_id')!r}")
        record = {
            "event": record["event"],
            "session_id": record["session_id"],
            "time": record.get("time") or _now(),
        } | record
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            if self._fd is None:
                self._fd = self._open()
            written = os.write(self._fd, line)
            if written != len(line):  # a full disk: the reader skips the torn line
                raise OSError(f"{self.path}: wrote {written} of {len(line)} bytes")
            os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    # ------------------------------------------------------------ the three events
    def log_turn(self, session_id: str, turn: int, user: str, reply: dict[str, Any]) -> None:
        """A user turn and the reply to it (`reply` is `Reply.to_dict()`); text is redacted."""
        record = {"event": "turn", "session_id": session_id, "turn": turn, "user": redact(user)}
        record |= reply
        record["text"] = redact(reply.get("text", ""))
        for key in ("tools", "query"):  # tool arguments and results, the rewritten query
            if key in record:
                record[key] = redact_value(record[key])
        record["item_ids"] = [card["item_id"] for card in reply.get("products", [])]
        self.append(record)

    def log_click(self, session_id: str, item_id: str, kind: str, shown: list[str]) -> None:
        """A view, add-to-cart or purchase; `shown` is the recommendations on screen."""
        if kind not in CLICK_KINDS:
            raise ValueError(f"click kind must be one of {CLICK_KINDS}, got {kind!r}")
        record = {
            "event": "click",
            "session_id": session_id,
            "item_id": item_id,
            "kind": kind,
            "shown": item_id in shown,
        }
        if item_id in shown:
            record["position"] = shown.index(item_id) + 1
        self.append(record)

    def log_feedback(self, session_id: str, turn: int, value: str) -> None:
        """The shopper's thumbs up or down on the reply of user turn `turn` (1-based)."""
        if value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback must be one of {FEEDBACK_VALUES}, got {value!r}")
        if isinstance(turn, bool) or not isinstance(turn, int) or turn < 1:
            raise ValueError(f"turn must be a positive integer, got {turn!r}")
        self.append({"event": "feedback", "session_id": session_id, "turn": turn, "value": value})


def open_turn_log(path: Path | None) -> TurnLog | None:
    """A TurnLog at `path`, or None when logging is off; ValueError naming the `log_path`
    setting when its folder cannot be made (checked at start, not at the first turn)."""
    if path is None:
        return None
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"log_path {str(path)!r}: cannot create its folder ({exc.strerror or exc}); "
            'set log_path to a writable file, or "" to turn the turn log off'
        ) from None
    return TurnLog(path)


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The log's records in file order; torn lines are skipped with a warning.

    A line that is not JSON is what a crash mid-write leaves; a JSON line that is not a
    log record is bad data and raises ValueError with the file and line.
    """
    path = Path(path)
    records = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                logger.warning("%s:%d: skipped a torn or unreadable line", path, number)
                continue
            if not isinstance(record, dict) or record.get("event") not in EVENTS:
                raise ValueError(
                    f"{path}:{number}: expected a log record with an event, "
                    f"got {str(record)[:80]!r}"
                )
            problem = _record_problem(record)
            if problem:
                raise ValueError(f"{path}:{number}: {problem}")
            record["_line"] = number
            records.append(record)
    return records


def _record_problem(record: dict[str, Any]) -> str | None:
    """The first field that read_dialogues and a replay could not use; None when all fit."""
    if not isinstance(record.get("session_id"), str):
        return "session_id: expected a string"
    if not isinstance(record.get("time", ""), str):
        return "field 'time': expected an ISO-8601 string"
    turn = record.get("turn", 1)
    if record["event"] in ("turn", "feedback") and (
        isinstance(turn, bool) or not isinstance(turn, int) or turn < 0
    ):
        return f"field 'turn': expected a whole number, got {turn!r:.40}"
    if record["event"] == "turn":
        for name in ("user", "text"):
            if not isinstance(record.get(name, ""), str):
                return f"field '{name}': expected text"
        if not isinstance(record.get("intent", ""), str):  # what was detected, not a label
            return "field 'intent': expected a string"
        for name in ("faq_ids", "item_ids"):
            value = record.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"field '{name}': expected a list of strings"
    elif record["event"] == "click" and not isinstance(record.get("item_id"), str):
        return "field 'item_id': expected a string"
    return None


def _user_turn(record: dict[str, Any]) -> dict[str, Any]:
    turn = {
        "role": "user",
        "content": record.get("user", ""),
        "intent": record.get("intent", "out_of_scope"),
        "slots": record.get("slots", {}),
    }
    for key in ("confidence", "time"):
        if key in record:
            turn[key] = record[key]
    return turn


def _assistant_turn(record: dict[str, Any]) -> dict[str, Any]:
    turn = {
        "role": "assistant",
        "content": record.get("text", ""),
        "faq_ids": record.get("faq_ids", []),
        "item_ids": record.get("item_ids", []),
        "clicks": [],
    }
    for key in ("latency_ms", "handoff", "faq_scores"):
        if key in record:
            turn[key] = record[key]
    return turn


def read_dialogues(path: str | Path) -> list[dict[str, Any]]:
    """Group a turn log into labelled dialogues, one per session, in order of first turn.

    User turns carry the detected intent (a labeller corrects it), assistant turns the reply
    given, its `faq_ids` and `item_ids` (products shown), `feedback` ("up"/"down") when the
    shopper gave some, and `clicks`: the clicks that followed that reply, each
    `{"item_id", "kind", "shown", "position"?}`. A session whose clicks come before any
    turn keeps them under the dialogue's `clicks_before`.
    """
    dialogues: dict[str, dict[str, Any]] = {}
    by_turn: dict[tuple[str, int], dict[str, Any]] = {}
    last_reply: dict[str, dict[str, Any]] = {}
    for record in read_records(path):
        session_id = record["session_id"]
        dialogue = dialogues.setdefault(
            session_id,
            {
                "dialogue_id": session_id,
                "session_id": session_id,
                "time": record.get("time", ""),
                "language": None,
                "turns": [],
                "clicks_before": [],
            },
        )
        if record["event"] == "turn":
            assistant = _assistant_turn(record)
            dialogue["turns"] += [_user_turn(record), assistant]
            dialogue["language"] = dialogue["language"] or record.get("language")
            by_turn[(session_id, record.get("turn", 0))] = assistant
            last_reply[session_id] = assistant
        elif record["event"] == "click":
            click = {
                k: record[k]
                for k in ("item_id", "kind", "shown", "position", "propensity")
                if k in record
            }
            target = last_reply.get(session_id)
            (target["clicks"] if target else dialogue["clicks_before"]).append(click)
        else:
            target = by_turn.get((session_id, record.get("turn")))
            if target is None:
                logger.warning("%s:%d: feedback for an unknown turn", path, record["_line"])
            else:
                target["feedback"] = record.get("value")
    for dialogue in dialogues.values():
        dialogue["language"] = dialogue["language"] or "en"
    return [d for d in dialogues.values() if d["turns"]]
