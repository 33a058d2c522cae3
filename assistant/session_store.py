"""Sessions saved as JSON files, so `shop-assistant chat --session S` continues a conversation."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from pathlib import Path

from assistant.guardrails import redact, redact_value
from assistant.session import Session, Turn

logger = logging.getLogger(__name__)

# Starts with a letter or digit: no hidden files ('.x'), nothing read as an option ('-rf').
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
PENDING = (None, "order_status", "cancel_order", "change_address", "change_address_new",
           "change_address_confirm", "cancel_order_confirm", "return_request")  # fmt: skip


def check_session_id(session_id: str) -> str:
    """`session_id` when it is a safe file name; ValueError otherwise (checked before any work)."""
    if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
        raise ValueError(
            "session id: expected 1-64 letters, digits, '_' or '-', starting with a letter or "
            f"digit, got {session_id!r:.80}"
        )
    return session_id


def _path(folder: Path, session_id: str) -> Path:
    return Path(folder) / f"{check_session_id(session_id)}.json"


def load_session(folder: Path, session_id: str) -> Session:
    """The saved session `session_id`, or a new one with that id."""
    path = _path(folder, session_id)
    if not path.exists():
        return Session(session_id=session_id)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
        if not isinstance(data, dict) or data.get("session_id") != session_id:
            raise ValueError("expected a session object with the same session_id")
        if "history" not in data:
            raise ValueError("missing field 'history'")
        _check_fields(data)
        data["history"] = [Turn(t["role"], t["content"]) for t in data["history"]]
        session = Session(**data)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a readable session file (not UTF-8: {exc.reason})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a readable session file (invalid JSON: too deep)") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: not a readable session file ({exc})") from None
    if not isinstance(session.slots, dict) or session.pending_intent not in PENDING:
        raise ValueError(f"{path}: not a readable session file (bad slots or pending_intent)")
    return session


def _check_fields(data: dict) -> None:
    """Each saved field has the type of the Session field it fills (the file may be edited)."""
    blank = Session(session_id="blank")
    for key, value in data.items():
        if key in ("session_id", "pending_intent"):
            continue  # checked by the caller
        if not hasattr(blank, key):
            raise ValueError(f"unknown field {key!r}")
        expected = type(getattr(blank, key))
        if getattr(blank, key) is None:
            continue  # an optional field: its type is not known from the default
        if key == "history":
            good = isinstance(value, list) and all(
                isinstance(t, dict) and t.get("role") in ("user", "assistant")
                and isinstance(t.get("content"), str) for t in value
            )  # fmt: skip
        elif expected is list:
            good = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            kinds = (int, float) if expected is float else expected  # JSON writes 2.0 as 2
            good = isinstance(value, kinds) and (expected is bool or not isinstance(value, bool))
        if not good:
            what = "a list of {role, content} messages" if key == "history" else expected.__name__
            raise ValueError(f"field {key!r}: expected {what}, got {value!r:.80}")


def redacted_dict(session: Session) -> dict:
    """The session as saved: messages and slots redacted, the email not kept at all.

    The email is what unlocks an order, so a continued session asks for it again.
    """
    data = session.to_dict()
    data["slots"] = redact_value({k: v for k, v in data["slots"].items() if k != "email"})
    data["history"] = [
        {"role": t["role"], "content": redact(t["content"])} for t in data["history"]
    ]
    data["last_search"] = redact_value(data["last_search"])
    data["last_query"] = redact(data["last_query"])
    return data


def save_session(folder: Path, session: Session) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path = _path(folder, session.session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(redacted_dict(session), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def prune_sessions(folder: Path, max_age_days: float | None, now: float | None = None) -> int:
    """Delete saved sessions (and stray temporary files) not written for `max_age_days`;
    returns how many went. None keeps everything. Files that are not ours are left alone."""
    folder = Path(folder)
    if max_age_days is None or not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_days * 86400.0
    removed = 0
    for path in folder.iterdir():
        if path.suffix not in (".json", ".tmp") or not SESSION_ID.fullmatch(path.stem):
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError as exc:  # gone meanwhile, or not ours to delete: leave it
            logger.warning("could not prune %s: %s", path, exc)
    if removed:
        logger.info("pruned %d saved sessions older than %s days from %s", removed,
                    max_age_days, folder)  # fmt: skip
    return removed
