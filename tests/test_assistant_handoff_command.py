"""`shop-assistant handoff SESSION [--release]` on a saved session, without loading a model."""

import json

from assistant.cli import main
from assistant.session import Session
from assistant.session_store import load_session, save_session


def test_summary_and_release(tmp_path, capsys):
    session = Session(session_id="s1", language="es", intents=["order_status", "complaint"])
    session.slots = {"order_id": "10023", "email": "ana@example.com"}
    session.add_turn("user", "Estoy harto, llamadme al +34 600 123 456")
    session.add_turn("assistant", "Paso esta conversación a una persona.")
    session.hand_off("upset")
    save_session(tmp_path / "sessions", session)
    assert main(["handoff", "s1", "--data-dir", str(tmp_path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["reason"] == "upset" and shown["order_id"] == "10023" and shown["handed_off"]
    assert "600 123 456" not in json.dumps(shown) and not shown["email_given"]
    assert main(["handoff", "s1", "--release", "--data-dir", str(tmp_path)]) == 0
    assert not load_session(tmp_path / "sessions", "s1").handed_off


def test_unknown_session_is_a_clear_error(tmp_path, capsys):
    assert main(["handoff", "nope", "--data-dir", str(tmp_path)]) == 2
    assert "no saved session" in capsys.readouterr().err
