"""The Agent tab's handlers and the session registry, with the rule-based fake assistant."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

from finetune.data import load_preferences
from ui.agent import AgentHandlers, agent_keys
from ui.fake import SHIPPING, FakeAssistant
from ui.handlers import ShopHandlers
from ui.sessions import SessionRegistry


@pytest.fixture
def fake(tmp_path):
    return FakeAssistant(data_dir=tmp_path)


@pytest.fixture
def registry():
    return SessionRegistry()


def chat(fake, registry, text):
    """One shopper turn through the shopper tab's handler; returns the session."""
    shop = ShopHandlers(fake, registry=registry)
    *_, (_, _, session, _) = shop.chat(text, [], None)
    return session


def prefs(fake):
    path = fake.config.data_dir / "logs" / "preferences.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_live_sessions_are_listed_newest_first(fake, registry):
    first = chat(fake, registry, "How long does shipping take?")
    second = chat(fake, registry, "show me shoes")
    registry.add(fake.new_session())  # no conversation yet: not listed
    values = [value for _, value in AgentHandlers(fake, registry).choices()]
    assert values[:2] == [f"live:{second.session_id}", f"live:{first.session_id}"]
    assert len([v for v in values if v.startswith("live:")]) == 2


def test_show_gives_intent_summary_and_suggestions_with_sources(fake, registry):
    session = chat(fake, registry, "How long does shipping take?")
    view = AgentHandlers(fake, registry).show(f"live:{session.session_id}")
    assert set(view) == set(agent_keys())
    assert view["suggestion_0"] == SHIPPING
    assert "shipping-times.en" in view["sources_0"] and "faq" in view["sources_0"]
    assert view["group_0"]["visible"] is True
    assert "shipping_info" in view["header"] and "1 shopper message(s)" in view["summary"]
    assert "Stride Runner 2" in view["products"]  # recommendations for the session
    assert "No verified order" in view["order"]
    assert view["view"]["prompt"] == [{"role": "user", "content": "How long does shipping take?"}]
    texts = view["view"]["suggestions"]
    assert len(texts) == len(set(texts)) >= 2
    hidden = [i for i in range(3) if not view[f"group_{i}"]["visible"]]
    assert all(view[f"suggestion_{i}"] == "" for i in hidden)


def test_accept_edit_reject_write_preferences(fake, registry):
    session = chat(fake, registry, "How long does shipping take?")
    agent = AgentHandlers(fake, registry)
    view = agent.show(f"live:{session.session_id}")["view"]
    assert agent.choose("accept", 1, view, view["suggestions"][1]).startswith("Logged: accepted")
    assert "edit" in agent.choose("edit", 0, view, "Shipping takes 3 to 5 working days.")
    assert "rejected" in agent.choose("reject", None, view, "Let me check that for you.")
    # An "edit" that changed nothing is an accept.
    assert "accepted" in agent.choose("edit", 0, view, view["suggestions"][0] + " ")
    lines = prefs(fake)
    assert [r["action"] for r in lines] == ["accept", "edit", "reject", "accept"]
    assert lines[0]["chosen"] == view["suggestions"][1]
    assert lines[1]["chosen"] == "Shipping takes 3 to 5 working days."
    assert lines[1]["rejected"] == view["suggestions"]
    assert lines[2]["chosen"] == "Let me check that for you."
    assert all(r["session_id"] == session.session_id for r in lines)
    assert len(load_preferences(fake.config.data_dir / "logs" / "preferences.jsonl")) == 4


def test_choices_without_a_view_are_not_logged(fake, registry):
    agent = AgentHandlers(fake, registry)
    assert agent.choose("accept", 0, None, "x") == "Pick a conversation first."
    session = chat(fake, registry, "How long does shipping take?")
    view = agent.show(f"live:{session.session_id}")["view"]
    assert agent.choose("edit", 0, view, "   ").startswith("Not logged")
    assert not (fake.config.data_dir / "logs" / "preferences.jsonl").exists()


def test_logged_conversations_come_from_the_turn_log(fake, registry):
    old = chat(fake, SessionRegistry(), "How long does shipping take?")  # another process
    agent = AgentHandlers(fake, registry)
    values = [value for _, value in agent.choices()]
    assert f"log:{old.session_id}" in values
    view = agent.show(f"log:{old.session_id}")
    assert view["suggestion_0"] == SHIPPING
    assert view["conversation"][0]["content"] == "How long does shipping take?"


def test_unknown_or_empty_choice(fake, registry):
    agent = AgentHandlers(fake, registry)
    assert agent.show(None)["status"] == "Pick a conversation."
    assert "no longer available" in agent.show("live:gone")["status"]
    assert "no longer available" in agent.show("log:gone")["status"]
    empty = fake.new_session()
    registry.add(empty)
    assert "no shopper message" in agent.show(f"live:{empty.session_id}")["status"]


def test_registry_is_bounded_and_thread_safe():
    registry = SessionRegistry(max_sessions=50, idle_s=0)  # every session may be dropped

    def add_many(prefix):
        for i in range(200):
            s = SimpleNamespace(session_id=f"{prefix}{i}", history=[], handed_off=False,
                                language="en")  # fmt: skip
            registry.add(s)
            registry.lock(s.session_id)

    threads = [threading.Thread(target=add_many, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(registry) == 50
    assert registry.get("a199") is not None or registry.get("d199") is not None
    with pytest.raises(ValueError, match="max_sessions"):
        SessionRegistry(max_sessions=0)


def test_handed_off_chat_shows_why_and_can_be_given_back(fake, registry):
    session = chat(fake, registry, "I want to talk to a person")
    assert session.handed_off
    agent = AgentHandlers(fake, registry)
    choice = f"live:{session.session_id}"
    assert agent.show(choice)["summary"].startswith("Handed over (")
    assert "answers this conversation again" in agent.release(choice)
    assert not session.handed_off
    assert not agent.show(choice)["summary"].startswith("Handed over")
    assert "Only a live conversation" in agent.release(choice)
