"""Limits per session: message length, turns, requests per second (assistant/limits.py)."""

from __future__ import annotations

import json

import pytest

from assistant.config import AssistantConfig, ConfigError
from assistant.limits import MESSAGE_LENGTH, RATE, TURNS, SessionLimits, TokenBucket
from assistant.session import Session


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_at_its_rate():
    bucket = TokenBucket(rate=2.0, capacity=2.0, now=0.0)
    assert bucket.take(0.0) and bucket.take(0.0)
    assert not bucket.take(0.0)
    assert not bucket.take(0.4)  # 0.8 of a token
    assert bucket.take(0.5)
    assert bucket.take(10.0) and bucket.take(10.0) and not bucket.take(10.0)  # capped at 2


def test_token_bucket_ignores_a_clock_going_backwards():
    bucket = TokenBucket(rate=1.0, capacity=1.0, now=5.0)
    assert bucket.take(5.0)
    assert not bucket.take(1.0)
    assert bucket.tokens == 0.0


def test_rate_is_per_session():
    clock = Clock()
    limits = SessionLimits(max_turns=100, max_requests_per_second=0.5, clock=clock)
    alice, bob = Session(session_id="alice"), Session(session_id="bob")
    assert limits.check(alice) is None  # capacity max(1, 2 * 0.5) = 1
    assert limits.check(alice) == RATE
    assert limits.check(bob) is None  # Alice's flood leaves Bob alone
    clock.now += 2.0
    assert limits.check(alice) is None


def test_turn_limit_counts_user_turns():
    limits = SessionLimits(max_turns=2, max_requests_per_second=1000)
    session = Session()
    for text in ("one", "two"):
        assert limits.check(session) is None
        session.add_turn("user", text)
        session.add_turn("assistant", "ok")
    assert limits.check(session) == TURNS


def test_least_recently_used_buckets_are_dropped():
    limits = SessionLimits(max_turns=9, max_requests_per_second=1.0, max_sessions=3)
    for i in range(10):
        limits.check(Session(session_id=f"s{i}"))
    assert list(limits._buckets) == ["s7", "s8", "s9"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_turns_per_session": 0}, "max_turns_per_session must be a positive integer"),
        ({"max_turns_per_session": True}, "max_turns_per_session must be an integer"),
        ({"max_requests_per_second": 0}, "max_requests_per_second must be > 0"),
        ({"max_requests_per_second": float("nan")}, "max_requests_per_second must be > 0"),
        ({"max_requests_per_second": "fast"}, "max_requests_per_second must be int or float"),
    ],
)
def test_bad_limit_settings_are_named(values, message):
    with pytest.raises(ConfigError, match=message):
        AssistantConfig(**values)


# ----------------------------------------------------------------- through the assistant
@pytest.fixture
def limited(tiny_assistant, monkeypatch):
    """The tiny assistant with tight limits and a hand-moved clock, restored afterwards."""
    clock = Clock()
    # 0.5 a second: a bucket of one request, refilled after two seconds.
    limits = SessionLimits(max_turns=3, max_requests_per_second=0.5, clock=clock)
    monkeypatch.setattr(tiny_assistant, "limits", limits)
    return tiny_assistant, clock


def test_turn_limit_answers_in_the_shoppers_language(limited):
    assistant, clock = limited
    session = assistant.new_session()
    for text in ("hola", "¿Cuánto tarda el envío?", "gracias"):
        clock.now += 10
        assert assistant.respond(session, text).limit is None
    clock.now += 10
    reply = assistant.respond(session, "¿Cuál es la política de devoluciones?")
    assert reply.limit == TURNS and reply.language == "es"
    assert "límite de 3 mensajes" in reply.text
    assert sum(t.role == "user" for t in session.history) == 3  # the refused one is not kept
    json.dumps(reply.to_dict())


def test_rate_limit_answers_instead_of_raising(limited):
    assistant, clock = limited
    session = assistant.new_session()
    first = assistant.respond(session, "How long does shipping take?")
    assert first.limit is None
    pieces = list(assistant.respond_stream(session, "And returns?"))
    reply = pieces[-1]
    assert reply.limit == RATE and "faster than I can answer" in reply.text
    assert pieces[0] == reply.text  # the stream shows the same words
    assert len(session.history) == 2
    clock.now += 2.0
    assert assistant.respond(session, "What is your return policy?").limit is None


def test_long_message_says_only_the_beginning_was_read(tiny_assistant):
    limit = tiny_assistant.config.max_message_chars
    session = tiny_assistant.new_session()
    reply = tiny_assistant.respond(session, "How long does shipping take? " + "x" * (2 * limit))
    assert reply.limit == MESSAGE_LENGTH
    assert reply.text.startswith(f"(Your message was longer than {limit} characters")
    assert len(session.history[0].content) <= limit
    ok = tiny_assistant.respond(session, "a" * limit)  # exactly at the limit: no note
    assert ok.limit is None and "longer than" not in ok.text


def test_a_message_cut_by_tokens_names_how_much_was_read(tiny_assistant):
    """1,500 Chinese characters are under the character limit but over the token limit: the
    note names the characters read, not the 2,000-character limit."""
    session = tiny_assistant.new_session()
    reply = tiny_assistant.respond(session, "退货政策 " * 300)
    assert reply.limit == MESSAGE_LENGTH
    read = len(session.history[0].content)
    assert read < 1500 and "2000" not in reply.text and str(read) in reply.text


def test_long_message_note_in_spanish(tiny_assistant):
    text = "¿Cuál es la política de devoluciones de la tienda? " * 100
    reply = tiny_assistant.respond(tiny_assistant.new_session(), text)
    assert reply.language == "es" and reply.limit == MESSAGE_LENGTH
    assert reply.text.startswith("(Tu mensaje tenía más de")


def test_full_registry_drops_only_idle_sessions():
    """Beyond max_sessions an idle session makes room; sessions in use are never dropped."""
    from types import SimpleNamespace

    from ui.sessions import SessionRegistry

    clock = Clock()
    registry = SessionRegistry(max_sessions=2, idle_s=60, clock=clock)

    def session(sid):
        return SimpleNamespace(session_id=sid, history=[], handed_off=False, language="en")

    assert registry.add(session("a")) and registry.add(session("b"))
    assert not registry.add(session("c"))  # both in use: refused, nobody evicted
    assert registry.get("a") is not None and registry.get("c") is None
    clock.now += 61
    registry.touch("a")  # "a" is still talking, "b" went quiet
    assert registry.add(session("c"))
    assert registry.get("b") is None and registry.get("a") is not None
    assert registry.add(session("a"))  # a known session is only marked active again
