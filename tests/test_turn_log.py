"""The turn log: format, redaction, read_dialogues round trip, and durability under crashes."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.turn_log import TurnLog, read_dialogues, read_records

REPO = Path(__file__).resolve().parent.parent


def _reply(text, intent="shipping_info", products=(), faq_ids=()):
    return {"text": text, "language": "en", "intent": intent, "confidence": 0.9,
            "faq_ids": list(faq_ids), "products": [{"item_id": i, "title": i} for i in products],
            "order": None, "handoff": False, "clarify": False, "guarded": False,
            "latency_ms": {"intent": 3.0, "total": 5.0}}  # fmt: skip


def test_records_have_event_session_and_time_and_are_redacted(tmp_path):
    log = TurnLog(tmp_path / "logs" / "turns.jsonl")
    log.log_turn(
        "s1", 1, "I am ana@example.com, call +1 555 123 4567", _reply("Hi ana@example.com")
    )
    lines = (tmp_path / "logs" / "turns.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    assert record["event"] == "turn" and record["session_id"] == "s1" and record["turn"] == 1
    assert record["time"].endswith("Z")
    assert "ana@example.com" not in lines[0] and "555" not in lines[0]
    assert record["user"] == "I am <email>, call <phone>"
    assert record["latency_ms"] == {"intent": 3.0, "total": 5.0}
    with pytest.raises(ValueError, match="feedback must be one of"):
        log.log_feedback("s1", 1, "meh")
    with pytest.raises(ValueError, match="click kind"):
        log.log_click("s1", "P1", "hover", [])


def test_read_dialogues_round_trip(tmp_path):
    path = tmp_path / "turns.jsonl"
    log = TurnLog(path)
    log.log_turn("s1", 1, "show me running shoes", _reply("Here", "product_search", ["P1", "P2"]))
    log.log_turn("s2", 1, "how long is shipping", _reply("3-5 days", faq_ids=["shipping.en"]))
    log.log_click("s1", "P2", "view", ["P1", "P2"])
    log.log_click("s1", "P9", "cart", ["P1", "P2"])
    log.log_feedback("s2", 1, "up")
    log.log_turn("s1", 2, "thanks", _reply("You're welcome", "thanks"))
    log.close()
    dialogues = read_dialogues(path)
    assert [d["dialogue_id"] for d in dialogues] == ["s1", "s2"]
    s1, s2 = dialogues
    assert [t["role"] for t in s1["turns"]] == ["user", "assistant", "user", "assistant"]
    user, bot = s1["turns"][:2]
    assert user.pop("time").endswith("Z")
    assert user == {"role": "user", "content": "show me running shoes", "intent": "product_search",
                    "slots": {}, "confidence": 0.9}  # fmt: skip
    assert bot["content"] == "Here" and bot["item_ids"] == ["P1", "P2"]
    assert bot["clicks"] == [
        {"item_id": "P2", "kind": "view", "shown": True, "position": 2},
        {"item_id": "P9", "kind": "cart", "shown": False},
    ]
    assert s2["turns"][1]["faq_ids"] == ["shipping.en"] and s2["turns"][1]["feedback"] == "up"
    # The grouped dialogues are valid labelled dialogues: the intent-example reader takes them.
    from assistant.assistant import load_intent_examples

    out = tmp_path / "dialogues.jsonl"
    out.write_text("".join(json.dumps(d) + "\n" for d in dialogues), encoding="utf-8")
    texts, labels = load_intent_examples(out)
    assert texts == ["show me running shoes", "thanks", "how long is shipping"]
    assert labels == ["product_search", "thanks", "shipping_info"]


def test_torn_last_line_is_skipped_and_the_next_record_starts_a_new_line(tmp_path, caplog):
    path = tmp_path / "turns.jsonl"
    log = TurnLog(path)
    log.log_feedback("s1", 1, "up")
    log.close()
    with open(path, "ab") as fh:
        fh.write(b'{"event": "turn", "session_id": "s1", "us')  # a crash mid-write
    assert [r["event"] for r in read_records(path)] == ["feedback"]
    assert "torn" in caplog.text
    TurnLog(path).log_feedback("s1", 1, "down")
    assert [r.get("value") for r in read_records(path)] == ["up", "down"]


@pytest.mark.parametrize("turn", ['"two"', "1.5", "-1", "true", "null"])
def test_a_turn_that_is_not_a_whole_number_names_file_and_line(tmp_path, turn):
    path = tmp_path / "turns.jsonl"
    path.write_text(
        '{"event": "turn", "session_id": "s", "turn": 1, "user": "hi", "text": "hello"}\n'
        f'{{"event": "turn", "session_id": "s", "turn": {turn}, "user": "a", "text": "b"}}\n'
    )
    with pytest.raises(ValueError, match=r"turns.jsonl:2: field 'turn'"):
        read_records(path)


def test_a_record_that_is_not_a_log_record_names_file_and_line(tmp_path):
    path = tmp_path / "turns.jsonl"
    path.write_text('{"event": "feedback", "session_id": "s", "turn": 1}\n[1, 2]\n')
    with pytest.raises(ValueError, match=r"turns.jsonl:2: expected a log record"):
        read_records(path)


def test_threads_never_interleave_records(tmp_path):
    path = tmp_path / "turns.jsonl"
    log = TurnLog(path)

    def write(name):
        for i in range(40):
            log.log_turn(name, i + 1, "x" * 500, _reply("y" * 500))

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = read_records(path)
    assert len(records) == 160
    for name in ("t0", "t1", "t2", "t3"):
        assert [r["turn"] for r in records if r["session_id"] == name] == list(range(1, 41))


WRITER = """
import sys
from assistant.turn_log import TurnLog
log = TurnLog(sys.argv[1])
start = int(sys.argv[2])
for i in range(start, start + 100000):
    log.log_turn("s", i, "message " + "x" * (i % 300), {"text": "reply", "intent": "thanks"})
"""


def test_writer_killed_with_sigkill_leaves_a_readable_log(tmp_path):
    path = tmp_path / "turns.jsonl"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = 1
    for round_ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start)], env=env)
        deadline = time.monotonic() + 20
        # Kill it at a different point each round, once it has written something.
        wanted = 2000 * (round_ + 1)
        while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < wanted):
            time.sleep(0.01)
        time.sleep(0.013 * round_)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        records = read_records(path)  # never raises: at most a torn last line is skipped
        turns = [r["turn"] for r in records]
        assert turns == sorted(turns) and len(turns) == len(set(turns))
        start = turns[-1] + 1
    assert len(read_records(path)) >= 5
    TurnLog(path).log_feedback("s", 1, "up")  # a later writer still appends cleanly
    assert read_records(path)[-1]["event"] == "feedback"


def test_faq_turns_log_the_searched_candidates_with_scores(tiny_assistant):
    from assistant.turn_log import read_records

    session = tiny_assistant.new_session()
    reply = tiny_assistant.respond(session, "How long does shipping take?")
    assert reply.faq_ids == ["shipping-times.en"]
    ids = [s["id"] for s in reply.faq_scores]
    assert "shipping-times.en" in ids
    assert all(
        0.0 <= s["keyword"] <= 1.0 and isinstance(s["dense"], float) for s in reply.faq_scores
    )
    path = tiny_assistant.config.resolved_log_path()
    logged = [r for r in read_records(path) if r.get("session_id") == session.session_id]
    assert logged[-1]["faq_scores"] == reply.faq_scores


def test_an_unusable_log_path_names_the_setting(tmp_path):
    from assistant.turn_log import open_turn_log

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="log_path .*cannot create its folder"):
        open_turn_log(blocker / "logs" / "turns.jsonl")
    assert open_turn_log(None) is None
