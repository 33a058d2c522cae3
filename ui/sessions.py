"""The live sessions of one server process, shared by the shopper tab, the agent tab and the API.

Each shopper's browser (or API client) owns one `Session`; the registry only lets the agent tab
list and read them, and lets the API find a session by id. It is thread-safe (Gradio and uvicorn
serve requests from several threads), bounded (beyond `max_sessions` the least recently used
session is dropped, but only one idle for `idle_s`: a flood of new sessions never pushes out a
shopper who is still talking; when none is idle the new session is refused instead), and gives
each session a lock so that two requests to the same session take turns instead of
interleaving their turns in its history.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    ) -> None:
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions!r}")
        if idle_s < 0:
            raise ValueError(f"idle_s must be >= 0, got {idle_s!r}")
        self.max_sessions = max_sessions
        self.idle_s = idle_s
        self.clock = clock
        self._sessions: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._active: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, session: Any) -> bool:
        """Register `session` (or mark it active again); False when the registry is full.

        A full registry drops its least recently used session if that one has been idle for
        `idle_s`; otherwise the new session is not registered (the API answers 503).
        """
        now = self.clock()
        with self._lock:
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
        with self._lock:
            return self._sessions.get(session_id)

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
