import json

import pytest

from assistant.cli import main


@pytest.fixture
def cli_args(tiny_shop, tiny_model_dir, tmp_path):
    config = tmp_path / "settings.yaml"
    config.write_text("intent_lm_weight: 0.05\nmax_new_tokens: 6\n", encoding="utf-8")
    data = str(tmp_path / "data")
    return ["--config", str(config), "--shop-dir", str(tiny_shop), "--data-dir", data,
            "--base-model", str(tiny_model_dir), "--adapter-dir", "none"]  # fmt: skip


def run(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_chat_prints_reply_as_json_and_keeps_the_session(capsys, cli_args):
    code, out, _ = run(capsys, ["chat", "where is my order 10023?", "--session", "s1", *cli_args])
    assert code == 0
    first = json.loads(out)
    assert first["intent"] == "order_status" and first["session_id"] == "s1"
    assert first["order"] is None  # no email yet
    code, out, _ = run(capsys, ["chat", "ana@example.com", "--session", "s1", *cli_args])
    second = json.loads(out)
    assert second["order"]["status"] == "shipped"


def test_interactive_chat(capsys, cli_args, monkeypatch):
    lines = iter(["show me running shoes under 80", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    code, out, _ = run(capsys, ["chat", *cli_args])
    assert code == 0
    assert "bot>" in out and "USD" in out


def test_bad_settings_give_a_clear_error(capsys, cli_args, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("intent_threshold: 7\n", encoding="utf-8")
    code, _, err = run(capsys, ["chat", "hi", *cli_args, "--config", str(bad)])
    assert code == 2 and "intent_threshold must be in [0, 1)" in err
    bad.write_text("colour: blue\n", encoding="utf-8")
    code, _, err = run(capsys, ["chat", "hi", *cli_args, "--config", str(bad)])
    assert code == 2 and "unknown setting(s) ['colour']" in err


def test_bad_session_id(capsys, cli_args):
    code, _, err = run(capsys, ["chat", "hi", "--session", "../../etc/passwd", *cli_args])
    assert code == 2 and "session id" in err


def test_broken_session_file_is_a_clear_error(capsys, cli_args, tmp_path):
    sessions = tmp_path / "data" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "s9.json").write_text('{"session_id": "s9", "foo": 1}', encoding="utf-8")
    code, _, err = run(capsys, ["chat", "hi", "--session", "s9", *cli_args])
    assert code == 2 and "s9.json: not a readable session file" in err


def test_malformed_dialogues_name_file_and_line(tmp_path):
    from assistant.assistant import load_intent_examples

    path = tmp_path / "train.jsonl"
    for line, message in [
        ("[1, 2]", "turns: expected a list"),
        ('{"turns": [{"role": "user", "content": 5, "intent": "greeting"}]}', "content"),
        ('{"turns": [{"role": "user", "content": "hi", "intent": "hack"}]}', "unknown intent"),
    ]:
        path.write_text('{"turns": []}\n' + line + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=rf"train.jsonl:2: .*{message}"):
            load_intent_examples(path)
