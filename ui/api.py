"""The HTTP API (`/api/v1/...`), served by the same FastAPI app as the Gradio page.

Endpoints (see README and the app's /docs):

- `POST /api/v1/sessions` -> 201 `{"session_id"}`
- `POST /api/v1/sessions/{id}/messages` `{"message", "stream"}` -> the reply as JSON, or with
  `"stream": true` newline-delimited JSON: `{"type": "delta", "text"}` lines as the reply is
  written, then `{"type": "reply", "reply": {...}}` (its text is authoritative)
- `GET /api/v1/sessions/{id}/recommendations?k=6` -> `{"products": [...]}`
- `POST /api/v1/sessions/{id}/events` `{"item_id", "kind": "view" | "cart" | "purchase"}`
- `POST /api/v1/sessions/{id}/feedback` `{"turn", "value": "up" | "down"}`

Errors: 404 unknown session or item, 413 message (or body) too long, 422 a body that does not
validate (the error names the field, never echoes the input), 429 too many requests (the
session's rate limit, a session still busy with another request after `busy_wait_s`, or too
many new sessions from one client address), 501 feedback when the assistant cannot record it,
503 a new session while the registry is full of sessions in use.

A streamed reply holds its session's lock until the stream ends, fails or the client goes
away: the lock is released when the response finishes in any way, not when the generator
happens to be garbage-collected.

A registry with a folder (as `serve` builds it) saves the session after each reply and event, and
a session id it does not hold live is looked up there: a conversation survives a restart.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from typing import Any, Literal

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.limits import RATE, TokenBucket
from ui.sessions import SessionRegistry

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
NDJSON = "application/x-ndjson"
BUSY_WAIT_S = 10.0  # how long a request waits for another one on the same session
MAX_CLIENTS = 10_000  # client buckets kept for the new-session limit


class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["en", "es", "zh"] | None = Field(
        None, description="the shopper's language, when known before the first message"
    )


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(..., min_length=1, description="the shopper's message")
    stream: StrictBool = Field(False, description="stream the reply as NDJSON lines")


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: str = Field(..., min_length=1, max_length=64)
    kind: Literal["view", "cart", "purchase"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Strict: 1.0, 1e400, "1" and true are refused rather than coerced.
    turn: int = Field(..., ge=1, strict=True, description="1-based index of the shopper's message")
    value: Literal["up", "down"]


def jsonable(value: Any) -> Any:
    """Dataclasses (Reply, ProductCard) as plain JSON values."""
    return asdict(value) if is_dataclass(value) else value


class _ClientLimiter:
    """New sessions per client address: a token bucket each, least recently used dropped."""

    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute)
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.pop(client, None) or TokenBucket(self.rate, self.capacity, now)
            self._buckets[client] = bucket
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return bucket.take(now)


def api_router(
    assistant: Any,
    registry: SessionRegistry,
    sessions_per_minute: float = 30.0,
    busy_wait_s: float = BUSY_WAIT_S,
) -> APIRouter:
    """The /api/v1 routes around one assistant and the server's session registry.

    New sessions are limited per socket peer address (`request.client`): `serve` runs uvicorn
    without trusting X-Forwarded-For unless told which proxies to trust.
    """
    router = APIRouter(prefix=PREFIX, tags=["shop assistant"])
    limiter = _ClientLimiter(sessions_per_minute)
    max_chars = assistant.config.max_message_chars

    def session_or_404(session_id: str) -> Any:
        session = registry.get(session_id)
        if session is None:
            raise HTTPException(404, f"unknown session {session_id[:64]!r}")
        registry.touch(session_id)  # in use: not to be dropped for a new session
        return session

    def acquire(session_id: str) -> threading.Lock:
        lock = registry.lock(session_id)
        if not lock.acquire(timeout=busy_wait_s):
            raise HTTPException(429, "this session is busy with another request; retry later")
        return lock

    @router.post("/sessions", status_code=201, summary="Start a conversation")
    def create_session(request: Request, body: NewSession | None = None) -> dict:
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            raise HTTPException(429, "too many new sessions from this client; retry later")
        session = assistant.new_session()
        if body is not None and body.language:
            session.language = body.language
        if not registry.add(session):
            raise HTTPException(503, "too many conversations in progress; retry in a few minutes")
        return {"session_id": session.session_id}

    @router.post("/sessions/{session_id}/messages", summary="Send a message, get the reply")
    def post_message(session_id: str, body: MessageIn):
        session = session_or_404(session_id)
        if len(body.message) > max_chars:
            raise HTTPException(
                413, f"message is {len(body.message)} characters; the limit is {max_chars}"
            )
        lock = acquire(session_id)
        try:
            pieces = assistant.respond_stream(session, body.message)
            head = _head(pieces)
        except Exception:
            lock.release()
            logger.exception("reply failed in session %s", session_id)
            raise HTTPException(500, "the assistant failed to answer; try again") from None
        reply = next((p for p in head if not isinstance(p, str)), None)
        if reply is not None and getattr(reply, "limit", None) == RATE:
            lock.release()
            raise HTTPException(429, reply.text)
        if not body.stream:
            try:
                for piece in pieces:
                    if not isinstance(piece, str):
                        reply = piece
            except Exception:
                logger.exception("reply failed in session %s", session_id)
                raise HTTPException(500, "the assistant failed to answer; try again") from None
            finally:
                try:
                    registry.save(session)
                finally:
                    lock.release()
            return jsonable(reply) | {"session_id": session_id}
        lines = _ndjson(head, pieces, session_id)
        close = _closer(lock, lines, pieces, done=lambda: registry.save(session))
        return _LockedStream(lines, close, media_type=NDJSON)

    @router.get("/sessions/{session_id}/recommendations", summary="Products for this session")
    def recommendations(session_id: str, k: int = Query(6, ge=1, le=50)) -> dict:
        session = session_or_404(session_id)
        cards = assistant.recommend(session, k)
        return {"session_id": session_id, "products": [jsonable(c) for c in cards]}

    @router.post("/sessions/{session_id}/events", summary="A product view, add-to-cart or buy")
    def post_event(session_id: str, body: EventIn) -> dict:
        session = session_or_404(session_id)
        if assistant.product(body.item_id) is None:
            raise HTTPException(404, f"unknown item_id {body.item_id!r}")
        lock = acquire(session_id)
        try:
            cards = assistant.record_event(session, body.item_id, body.kind)
            registry.save(session)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        finally:
            lock.release()
        return {"session_id": session_id, "products": [jsonable(c) for c in cards]}

    @router.post("/sessions/{session_id}/feedback", summary="Thumbs up or down on a reply")
    def post_feedback(session_id: str, body: FeedbackIn) -> dict:
        session = session_or_404(session_id)
        record = getattr(assistant, "record_feedback", None)
        if record is None:
            raise HTTPException(501, "this assistant does not record feedback")
        try:
            record(session, body.turn, body.value)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"session_id": session_id, "turn": body.turn, "value": body.value}

    return router


def _head(pieces: Iterator) -> list:
    """The first pieces of a reply, up to its first two or the Reply itself.

    A message over the rate limit is answered at once (a short text, then a Reply that names
    the limit): reading this far tells the API to answer 429 before any byte is sent.
    """
    head = []
    for piece in pieces:
        head.append(piece)
        if not isinstance(piece, str) or len(head) >= 2:
            break
    return head


def _ndjson(head: list, pieces: Iterator, session_id: str) -> Iterator[str]:
    """NDJSON lines of a streamed reply (the caller releases the session's lock)."""
    try:
        for piece in itertools.chain(head, _rest(head, pieces)):
            if isinstance(piece, str):
                yield json.dumps({"type": "delta", "text": piece}, ensure_ascii=False) + "\n"
            else:
                line = {"type": "reply", "reply": jsonable(piece), "session_id": session_id}
                yield json.dumps(line, ensure_ascii=False) + "\n"
    except Exception:
        logger.exception("streamed reply failed in session %s", session_id)
        yield json.dumps({"type": "error", "detail": "the assistant failed to answer"}) + "\n"


def _closer(lock: threading.Lock, *generators: Any, done: Any = None):
    """Close a reply's generators, run `done` (save the session), then release its session's
    lock; safe to call twice."""
    once = threading.Lock()

    def close() -> None:
        if not once.acquire(blocking=False):
            return
        try:
            for gen in generators:
                try:
                    gen.close()
                except Exception:  # a reply that fails while closing must not keep the lock
                    logger.exception("closing a streamed reply failed")
            if done is not None:
                done()
        finally:
            lock.release()

    return close


class _LockedStream(StreamingResponse):
    """A streamed reply that runs `on_close` however the response ends.

    Starlette stops reading a sync generator when the client disconnects (or the task is
    cancelled) without closing it, so a `finally` inside the generator may never run. The
    generator's pieces are computed in worker threads that finish their current piece before
    the cancellation arrives here, so closing it afterwards does not race with them.
    """

    def __init__(self, content: Iterator[str], on_close, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._on_close)


def _rest(head: list, pieces: Iterator) -> Iterator:
    if head and not isinstance(head[-1], str):
        return iter(())
    return pieces


OTHER_MAX_BYTES = 2 * 1024 * 1024  # any other route (Gradio's): a long chat fits, 30 MB does not


def install_guards(app: FastAPI, max_bytes: int, other_max_bytes: int = OTHER_MAX_BYTES) -> None:
    """Body-size limits (413): `max_bytes` for the API routes, `other_max_bytes` for the rest
    (the Gradio app, whose requests carry the chat history); and input-free validation errors
    (422) for the API routes."""
    app.add_middleware(_BodyLimit, max_bytes=max_bytes, other_max_bytes=other_max_bytes)
    app.add_exception_handler(RequestValidationError, _invalid_request)


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming the fields at fault; the input itself is never echoed.

    FastAPI's own handler repeats the input, which fails on a lone surrogate (not UTF-8) or
    an infinite float (not JSON) with a 500, and would send a huge body straight back.
    """
    detail = [
        {
            "loc": [_printable(part) for part in error.get("loc", ())],
            "msg": _printable(error.get("msg", "")),
            "type": _printable(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, 422)


def _printable(value: Any, limit: int = 100) -> Any:
    """`value` safe to encode as JSON: short UTF-8 text or a plain int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")[:limit]


class _BodyLimit:
    """413 for an API request whose body is over `max_bytes`, declared or not.

    The body is counted as it arrives, so a chunked request (no Content-Length) is cut off
    too; API bodies are small, so the body read here is handed on to the route from memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, other_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.other_max_bytes = other_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not scope["path"].startswith(PREFIX):
            await self._other(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the route see it
                break
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                message = {"type": "http.request", "body": bytes(body), "more_body": False}
                break
        pending = [message]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _other(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Any other route: streamed through (no buffering: Gradio's own routes read their
        bodies), but cut off with 413 once more than `other_max_bytes` arrived."""
        limit = self.other_max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if (
            limit is not None
            and declared is not None
            and (not declared.isdigit() or int(declared) > limit)
        ):
            await self._too_large(scope, receive, send, limit)
            return
        if limit is None:
            await self.app(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # a chunked body without Content-Length
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(scope, receive, send, limit)

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, limit: int | None = None
    ) -> None:
        limit = self.max_bytes if limit is None else limit
        response = JSONResponse({"detail": f"request body over {limit} bytes"}, 413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    """A body grew past its limit while a route was reading it."""
