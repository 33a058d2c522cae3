"""Agent assist: suggestions from the real assistant (tiny LM), the agent's choices as
preference data, `load_preferences`, and the `suggest` sub-command."""

from __future__ import annotations

import json

import pytest

from assistant import agent_assist
from assistant.agent_assist import assist, preference_record, record_choice, suggest_replies
from assistant.session import Session
from finetune.data import DataFormatError, load_preferences


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def test_faq_suggestions_are_distinct_with_sources(tiny_assistant):
    view = assist(tiny_assistant, [user("What is your return policy?")])
    texts = [s.text for s in view.suggestions]
    assert 1 <= len(texts) <= 3 and len(set(texts)) == len(texts)
    faq = [s for s in view.suggestions if s.kind == "faq"]
    assert faq and faq[0].sources == ["return-policy.en"]
    assert faq[0].text.startswith("You can return unworn items within 30 days")
    assert all(s.intent == view.intent and s.confidence == view.confidence
               for s in view.suggestions)  # fmt: skip
    assert view.language == "en" and "1 shopper message(s)" in view.summary
    assert view.products  # recommendations for a conversation without product activity


def test_suggestions_follow_the_conversation_language(tiny_assistant):
    view = assist(tiny_assistant, [user("¿Cuánto tarda el envío a mi casa?")])
    assert view.language == "es"
    sources = [src for s in view.suggestions for src in s.sources]
    assert "shipping-times.es" in sources and not any(src.endswith(".en") for src in sources)


def test_order_in_context_gives_a_status_template_and_facts(tiny_assistant):
    conversation = [
        user("where is my order 10023?"),
        {"role": "assistant", "content": "What is the email address on the order?"},
        user("it is ana@example.com"),
    ]
    view = assist(tiny_assistant, conversation)
    first = view.suggestions[0]
    assert first.kind == "template" and "10023" in first.text and "DHL" in first.text
    assert view.order["status"] == "shipped" == first.order["status"]
    assert "Order 10023: shipped." in view.summary
    assert "ana@example.com" not in view.summary  # redacted: summaries are shown to staff


def test_a_wrong_email_gives_no_order_facts(tiny_assistant):
    view = assist(tiny_assistant, [user("order 10023, email eve@example.com, where is it?")])
    assert view.order is None
    assert all("TRK12345678" not in s.text for s in view.suggestions)


def test_live_session_is_read_not_changed(tiny_assistant):
    session = tiny_assistant.new_session()
    tiny_assistant.respond(session, "How long does shipping take?")
    before = (list(session.history), dict(session.slots), session.language, list(session.viewed))
    suggestions = tiny_assistant.suggest_replies(session, n=2)
    assert 1 <= len(suggestions) <= 2
    assert suggestions[0].sources or suggestions[0].kind != "faq"
    after = (list(session.history), dict(session.slots), session.language, list(session.viewed))
    assert after == before


def test_bad_conversations_are_value_errors(tiny_assistant):
    with pytest.raises(ValueError, match="no shopper message"):
        suggest_replies(tiny_assistant, [{"role": "assistant", "content": "hi"}])
    with pytest.raises(ValueError, match="message 0"):
        suggest_replies(tiny_assistant, [{"role": "robot", "content": "hi"}])
    with pytest.raises(ValueError, match="n must be"):
        suggest_replies(tiny_assistant, [user("hi")], n=0)
    with pytest.raises(ValueError, match="no shopper message"):
        suggest_replies(tiny_assistant, Session())


# ----------------------------------------------------------------- preferences
PROMPT = [user("How long does shipping take?")]
SUGGESTIONS = ["Three to five days.", "Shipping is free over 50 USD.", "Ask for a person."]


def test_accept_edit_reject_are_logged_as_preferences(tmp_path):
    path = tmp_path / "logs" / "preferences.jsonl"
    record_choice(path, preference_record("s1", PROMPT, SUGGESTIONS, "accept", 1))
    record_choice(path, preference_record("s1", PROMPT, SUGGESTIONS, "edit", 0,
                                          "Three to five business days."))  # fmt: skip
    record_choice(path, preference_record("s2", PROMPT, SUGGESTIONS, "reject", None, ""))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in lines] == ["accept", "edit", "reject"]
    assert lines[0]["chosen"] == SUGGESTIONS[1]
    assert lines[0]["rejected"] == [SUGGESTIONS[0], SUGGESTIONS[2]]
    assert lines[1]["chosen"] == "Three to five business days."
    assert lines[1]["rejected"] == SUGGESTIONS  # the original of the edit included
    assert lines[2]["chosen"] == "" and lines[2]["rejected"] == SUGGESTIONS
    assert lines[0]["prompt"] == PROMPT and lines[0]["session_id"] == "s1" and lines[0]["time"]

    prefs = load_preferences(path)
    assert [p.action for p in prefs] == ["accept", "edit", "reject"]
    assert (
        prefs[1].chosen == "Three to five business days."
        and prefs[1].rejected[0] == (SUGGESTIONS[0])
    )
    assert prefs[0].prompt == tuple(PROMPT) and prefs[2].where.endswith("preferences.jsonl:3")


def test_choices_that_cannot_be_logged_are_refused():
    with pytest.raises(ValueError, match="index must be 0..2"):
        preference_record("s", PROMPT, SUGGESTIONS, "accept", 3)
    with pytest.raises(ValueError, match="edited text"):
        preference_record("s", PROMPT, SUGGESTIONS, "edit", 0, "   ")
    with pytest.raises(ValueError, match="action must be"):
        preference_record("s", PROMPT, SUGGESTIONS, "maybe", 0)
    with pytest.raises(ValueError, match="no suggestions"):
        preference_record("s", PROMPT, [], "reject")


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "invalid JSON"),
        ('["a"]', "expected a JSON object"),
        ('{"time": "t", "session_id": "s", "chosen": "x", "action": "pick", "prompt": [], '
         '"rejected": []}', "field 'action'"),
        ('{"time": "t", "session_id": "s", "chosen": "x", "action": "accept", "prompt": [], '
         '"rejected": []}', "field 'prompt'"),
        ('{"time": "t", "session_id": "s", "chosen": "x", "action": "accept", '
         '"prompt": [{"role": "bot", "content": "x"}], "rejected": []}', "prompt[0].role"),
        ('{"time": "t", "session_id": "s", "chosen": "x", "action": "accept", '
         '"prompt": [{"role": "user", "content": "x"}], "rejected": [1]}', "field 'rejected'"),
        ('{"time": "t", "session_id": "s", "chosen": " ", "action": "edit", '
         '"prompt": [{"role": "user", "content": "x"}], "rejected": []}', "must not be empty"),
        ('{"time": "t", "session_id": 5, "chosen": "x", "action": "accept", '
         '"prompt": [{"role": "user", "content": "x"}], "rejected": []}', "field 'session_id'"),
    ],
)  # fmt: skip
def test_bad_preference_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "preferences.jsonl"
    good = json.dumps(preference_record("s", PROMPT, SUGGESTIONS, "accept", 0))
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"preferences\.jsonl:3: ") as info:
        load_preferences(path)
    assert message in str(info.value)


def test_preferences_path_is_under_the_data_dir(tiny_assistant):
    path = agent_assist.preferences_path(tiny_assistant.config)
    assert path == tiny_assistant.config.data_dir / "logs" / "preferences.jsonl"


# ----------------------------------------------------------------- the sub-command
@pytest.fixture
def cli_on_tiny(monkeypatch, tiny_assistant):
    """`shop-assistant suggest` with the tiny assistant instead of loading the real model."""
    from assistant.assistant import Assistant

    monkeypatch.setattr(Assistant, "from_config", classmethod(lambda cls, c: tiny_assistant))
    from assistant.cli import main

    return main


def test_suggest_command_prints_the_view(cli_on_tiny, tmp_path, capsys):
    conversation = tmp_path / "conversation.json"
    conversation.write_text(json.dumps({"messages": [user("What is your return policy?")]}))
    assert cli_on_tiny(["suggest", str(conversation), "-n", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"intent", "summary", "suggestions", "products", "order"} <= set(out)
    assert 1 <= len(out["suggestions"]) <= 2
    assert any(s["sources"] == ["return-policy.en"] for s in out["suggestions"])


def test_suggest_command_reads_a_logged_session(cli_on_tiny, tiny_assistant, tmp_path, capsys):
    log = tmp_path / "turns.jsonl"
    record = {"event": "turn", "session_id": "abc", "time": "2026-12-01T10:00:00Z", "turn": 1,
              "user": "How long does shipping take?", "text": "3-5 days.", "intent":
              "shipping_info", "faq_ids": [], "item_ids": []}  # fmt: skip
    log.write_text(json.dumps(record) + "\n", encoding="utf-8")
    code = cli_on_tiny(["suggest", "--session", "abc", "--data-dir", str(tmp_path)])
    # --data-dir points the command at tmp_path, whose default log is logs/turns.jsonl
    assert code == 2 and "no saved or logged conversation" in capsys.readouterr().err
    (tmp_path / "logs").mkdir()
    log.rename(tmp_path / "logs" / "turns.jsonl")
    assert cli_on_tiny(["suggest", "--session", "abc", "--data-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["messages"][0]["content"] == "How long does shipping take?"


def test_suggest_command_errors(cli_on_tiny, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"role": "user",\n "content": }]', encoding="utf-8")
    assert cli_on_tiny(["suggest", str(bad)]) == 2
    assert f"{bad}:2: invalid JSON" in capsys.readouterr().err
    assert cli_on_tiny(["suggest"]) == 2
    assert "CONVERSATION.json file or --session" in capsys.readouterr().err


def test_live_session_shows_the_intent_the_assistant_routed(tiny_assistant):
    session = Session(slots={"order_id": "10023", "email": "ana@example.com"})
    for role, text in (("user", "where is my order 10023?"), ("assistant", "Your email?"),
                       ("user", "my email is <email>")):  # fmt: skip
        session.add_turn(role, text)
    session.intents = ["order_status", "order_status"]
    view = assist(tiny_assistant, session)
    assert view.intent == "order_status" and "latest request: order_status" in view.summary
    assert view.order["order_id"] == "10023" and view.suggestions[0].kind == "template"


def test_preference_lines_are_redacted():
    prompt = [user("my email is bob@example.com, phone 415.555.0199")]
    suggestions = ["Thanks bob@example.com.", "Ask for a person."]
    record = preference_record("s", prompt, suggestions, "edit", 0,
                               "Sure bob@example.com, card 4111 1111 1111 1111 noted.")  # fmt: skip
    line = json.dumps(record)
    assert "bob@example.com" not in line and "4111" not in line and "415.555" not in line
    assert record["chosen"] == "Sure <email>, card <card> noted."
    assert record["rejected"] == ["Thanks <email>.", "Ask for a person."]
