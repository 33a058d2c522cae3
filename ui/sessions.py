"""The live sessions of one server process, shared by the shopper tab, the agent tab and the API.

Each shopper's browser (or API client) owns one `Session`; the registry only lets the agent tab
list and read them, and lets the API find a session by id. It is thread-safe (Gradio and uvicorn
serve requests from several threads), bounded (beyond `max_sessions` the least recently used
session is dropped, but only one idle for `idle_s`: a flood of new sessions never pushes out a
shopper who is still talking; when none is idle the new session is refused instead), and gives
each session a lock so that two requests to the same session take turns instead of
interleaving their turns in its history.

With a `folder` (`serve` gives it `<data_dir>/sessions`), `save` writes a session there
(atomically, redacted: see `assistant.session_store`) and `get` loads a saved session that is not
live, so a conversation survives a server restart. Saved sessions older than `retention_days`
are deleted when the registry starts and every `PRUNE_EVERY` saves.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.session_store import check_session_id, load_session, prune_sessions, save_session

logger = logging.getLogger(__name__)

PRUNE_EVERY = 500  # saves between two clean-ups of `folder` (and one when the registry starts)
IDLE_S = 15 * 60.0  # a session unused this long may be dropped to make room for a new one


@dataclass(frozen=True)
class SessionInfo:
    """One line of the agent tab's session list."""

    session_id: str
    user_turns: int
    handed_off: bool
    language: str
    last_active: float  # time.time()

    def label(self) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(self.last_active))
        flag = " · handed off" if self.handed_off else ""
        return f"{self.session_id[:8]} · {self.user_turns} msg · {clock}{flag}"


class SessionRegistry:
    """session_id -> live Session, at most `max_sessions` of them."""

    def __init__(
        self,
        max_sessions: int = 1000,
        idle_s: float = IDLE_S,
        clock: Callable[[], float] = time.time,
        folder: Path | None = None,
        retention_days: float | None = None,
    ) -> None:
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions!r}")
        if idle_s < 0:
            raise ValueError(f"idle_s must be >= 0, got {idle_s!r}")
        self.max_sessions = max_sessions
        self.idle_s = idle_s
        self.clock = clock
        self.folder = Path(folder) if folder is not None else None
        self.retention_days = retention_days
        self._saves = 0
        self._sessions: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._active: dict[str, float] = {}
        self._lock = threading.Lock()
        self._prune()

    def _prune(self) -> None:
        """Delete saved sessions older than `retention_days` (never raises)."""
        if self.folder is None or self.retention_days is None:
            return
        try:
            prune_sessions(self.folder, self.retention_days)
        except OSError as exc:
            logger.warning("saved sessions in %s not pruned: %s", self.folder, exc)

    def add(self, session: Any) -> bool:
        """Register `session` (or mark it active again); False when the registry is full.

        A full registry drops its least recently used session if that one has been idle for
        `idle_s`; otherwise the new session is not registered (the API answers 503).
        """
        with self._lock:
            return self._add(session, self.clock())

    def _add(self, session: Any, now: float) -> bool:
        sid = session.session_id
        if sid not in self._sessions and len(self._sessions) >= self.max_sessions:
            oldest = next(iter(self._sessions))
            if now - self._active.get(oldest, 0.0) < self.idle_s:
                return False
            del self._sessions[oldest]
            self._locks.pop(oldest, None)
            self._active.pop(oldest, None)
        self._sessions[sid] = session
        self._sessions.move_to_end(sid)
        self._locks.setdefault(sid, threading.Lock())
        self._active[sid] = now
        return True

    def get(self, session_id: str) -> Any | None:
        """The live session, else the one saved in `folder` (then live again); None if neither.

        A saved session that finds the registry full is still returned, unregistered: it is
        read from its file again on the next request.
        """
        with self._lock:
            session = self._sessions.get(session_id)
        if session is not None or self.folder is None:
            return session
        try:
            path = self.folder / f"{check_session_id(session_id)}.json"  # no path tricks
            if not path.is_file():
                return None
            loaded = load_session(self.folder, session_id)
        except (OSError, ValueError) as exc:
            # %r: the id comes from the URL; a newline or NUL in it must not forge a log line
            logger.warning("saved session %r not loaded: %s", session_id[:64], exc)
            return None
        with self._lock:
            session = self._sessions.get(session_id)  # loaded meanwhile by another request
            if session is not None:
                return session
            self._add(loaded, self.clock())
        return loaded

    def save(self, session: Any) -> None:
        """Write `session` to `folder` (no-op without one); a failure is logged, not raised.

        Called under the session's lock, after the turn or event that changed it.
        """
        if self.folder is None:
            return
        try:
            save_session(self.folder, session)
        except (OSError, ValueError):
            logger.exception("session %s not saved", session.session_id)
        with self._lock:
            self._saves += 1
            due = self._saves % PRUNE_EVERY == 0
        if due:
            self._prune()

    def lock(self, session_id: str) -> threading.Lock:
        """The lock of one session; a dropped or unknown session gets a fresh one."""
        with self._lock:
            return self._locks.setdefault(session_id, threading.Lock())

    def touch(self, session_id: str) -> None:
        with self._lock:
            if session_id in self._sessions:
                self._sessions.move_to_end(session_id)
                self._active[session_id] = self.clock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def infos(self) -> list[SessionInfo]:
        """The sessions that have a conversation, most recently active first."""
        with self._lock:
            items = [(s, self._active.get(sid, 0.0)) for sid, s in self._sessions.items()]
        out = [
            SessionInfo(
                s.session_id,
                sum(1 for t in s.history if t.role == "user"),
                bool(s.handed_off),
                s.language,
                active,
            )
            for s, active in items
            if s.history
        ]
        return sorted(out, key=lambda i: -i.last_active)
