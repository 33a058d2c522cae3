"""Sessions saved as JSON files, so `shop-assistant chat --session S` continues a conversation."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from assistant.session import Session, Turn

SESSION_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PENDING = (None, "order_status", "cancel_order", "change_address", "change_address_new",
           "cancel_order_confirm")  # fmt: skip


def _path(folder: Path, session_id: str) -> Path:
    if not SESSION_ID.fullmatch(session_id) or session_id.strip(".") == "":
        raise ValueError(
            f"session id: expected 1-64 letters, digits, '.', '_' or '-', got {session_id!r}"
        )
    return Path(folder) / f"{session_id}.json"


def load_session(folder: Path, session_id: str) -> Session:
    """The saved session `session_id`, or a new one with that id."""
    path = _path(folder, session_id)
    if not path.exists():
        return Session(session_id=session_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("session_id") != session_id:
            raise ValueError("expected a session object with the same session_id")
        data["history"] = [Turn(str(t["role"]), str(t["content"])) for t in data["history"]]
        session = Session(**data)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable session file ({exc})") from None
    if not isinstance(session.slots, dict) or session.pending_intent not in PENDING:
        raise ValueError(f"{path}: not a readable session file (bad slots or pending_intent)")
    return session


def save_session(folder: Path, session: Session) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path = _path(folder, session.session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(session.to_dict(), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
