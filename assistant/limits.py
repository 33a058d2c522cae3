"""Per-session limits: message length, turns per session and requests per second.

A limit that is hit is answered with a short message in the shopper's language, never with an
exception: the shopper learns what happened and what to do, and the server keeps serving the
other sessions.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

# Names a Reply carries in `limit` when one of these was hit.
MESSAGE_LENGTH = "message_length"
TURNS = "turns"
RATE = "rate"

BURST_SECONDS = 2.0  # a rate bucket holds this many seconds of requests

MESSAGES: dict[str, dict[str, str]] = {
    MESSAGE_LENGTH: {
        "en": "(Your message was longer than {max_chars} characters, so I read only its "
        "beginning.) ",
        "es": "(Tu mensaje tenía más de {max_chars} caracteres, así que solo he leído el "
        "principio.) ",
        "zh": "（您的消息超过 {max_chars} 个字符，我只读取了开头部分。）",
    },
    TURNS: {
        "en": "This conversation has reached its limit of {max_turns} messages. Please start "
        "a new conversation, or ask for a person from our team.",
        "es": "Esta conversación ha llegado a su límite de {max_turns} mensajes. Empieza una "
        "conversación nueva o pide hablar con una persona de nuestro equipo.",
        "zh": "本次对话已达到 {max_turns} 条消息的上限。请开始新的对话，或要求人工客服协助。",
    },
    RATE: {
        "en": "You're sending messages faster than I can answer them. Please wait a moment "
        "and send your message again.",
        "es": "Estás enviando mensajes más rápido de lo que puedo responder. Espera un "
        "momento y vuelve a enviar tu mensaje.",
        "zh": "您发送消息的速度太快，我来不及回复。请稍等片刻后再发送。",
    },
}


def limit_text(name: str, language: str, **values: object) -> str:
    """The message for limit `name` in `language` (English when there is none)."""
    options = MESSAGES[name]
    return (options.get(language) or options["en"]).format(**values)


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up; each request takes one."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def take(self, now: float) -> bool:
        """Take a token if there is one; False means the request is over the rate."""
        # A clock that goes backwards (it should not) must not drain or overfill the bucket.
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class SessionLimits:
    """Turn and request-rate limits for every session of one assistant (thread-safe).

    The turn count is read from the session's own history, so it survives a saved session;
    the rate buckets live here, one per session id, and the least recently used are dropped
    beyond `max_sessions` (a dropped session starts again with a full bucket).
    """

    def __init__(
        self,
        max_turns: int,
        max_requests_per_second: float,
        *,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_turns = max_turns
        self.rate = float(max_requests_per_second)
        # A burst of BURST_SECONDS' worth of requests is let through (at least one request).
        self.capacity = max(1.0, BURST_SECONDS * self.rate)
        self.max_sessions = max_sessions
        self.clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, session) -> str | None:
        """The name of the limit this request breaks (TURNS or RATE), or None.

        Every call counts as one request against the session's rate, whatever its answer.
        """
        over_rate = not self._take(session.session_id)
        user_turns = sum(1 for turn in session.history if turn.role == "user")
        if user_turns >= self.max_turns:
            return TURNS
        return RATE if over_rate else None

    def _take(self, session_id: str) -> bool:
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(session_id)
            if bucket is None:
                bucket = self._buckets[session_id] = TokenBucket(self.rate, self.capacity, now)
                while len(self._buckets) > self.max_sessions:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(session_id)
            return bucket.take(now)


class FailureLimiter:
    """Failed attempts per key (an email, an order id) within a sliding time window.

    Shared by every session of one assistant (thread-safe): a guesser who opens a new session
    every few tries still counts against the same email and order id. A key with
    `max_failures` failures in the last `window_s` seconds is refused until the oldest one
    ages out. At most `max_keys` keys are kept (the least recently failed are dropped).
    """

    def __init__(
        self,
        max_failures: int = 3,
        window_s: float = 15 * 60.0,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or not window_s > 0:
            raise ValueError(
                f"max_failures must be >= 1 and window_s > 0, got {max_failures!r}, {window_s!r}"
            )
        self.max_failures = max_failures
        self.window_s = float(window_s)
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        """True when any of `keys` has used up its failures in the window."""
        now = self.clock()
        with self._lock:
            return any(len(self._recent(key, now)) >= self.max_failures for key in keys)

    def fail(self, *keys: str) -> None:
        """Count one failed attempt against each of `keys`."""
        now = self.clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, ()) if now - t < self.window_s]
        if key in self._failures and not times:
            del self._failures[key]
        return times
