"""SIGKILL faults: the assistant killed in the middle of its start-up sync and in the middle of a
conversation (a real `shop-assistant chat` subprocess on the tiny model), then started again.

After the restart the vector store answers and holds exactly the FAQ file, the orders database
passes SQLite's integrity check and holds every order once, every whole line of the turn log
parses, and the shopper's saved session continues. (`tests/test_ingest.py` kills an
`shop-assistant ingest` the same way.)
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import Assistant, AssistantConfig
from assistant.session_store import load_session
from assistant.turn_log import read_dialogues
from tests.conftest import FAQ, ORDERS, write_shop

REPO = Path(__file__).resolve().parent.parent
BIG_FAQ = 300  # three batches of 128 to embed: time to kill the sync in the middle
TIMEOUT = 240.0

pytestmark = pytest.mark.slow


class Chat:
    """`shop-assistant chat` in a subprocess, read line by line from both pipes."""

    def __init__(self, argv: list[str]) -> None:
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "assistant", "chat", "--session", "s1", "-v", *argv]
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, text=True, encoding="utf-8",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.out: queue.Queue[str] = queue.Queue()
        self.err: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    @staticmethod
    def _pump(stream, sink: queue.Queue) -> None:
        # Characters, not lines: the "you> " prompt has no newline after it.
        while chunk := stream.read(1):
            sink.put(chunk)

    def wait_for(self, sink: queue.Queue, text: str) -> None:
        """Read `sink` until `text` shows up in what was read since the last wait."""
        deadline = time.monotonic() + TIMEOUT
        got = ""
        while text not in got:
            assert self.process.poll() is None, f"chat exited early: {''.join(self.seen)[-2000:]}"
            try:
                got += sink.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {text!r} in time: {got[-2000:]}") from None
        self.seen.append(got)

    def say(self, message: str) -> None:
        self.process.stdin.write(message + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL


@pytest.fixture
def shop(tmp_path) -> Path:
    folder = write_shop(tmp_path / "shop")
    with open(folder / "faq.jsonl", "a", encoding="utf-8") as fh:
        for i in range(BIG_FAQ - len(FAQ)):
            row = {"faq_id": f"extra-{i}.en", "topic": f"extra-{i}", "language": "en",
                   "category": "contact", "question": f"Question number {i} about the shop?",
                   "answer": f"Answer number {i}."}  # fmt: skip
            fh.write(json.dumps(row) + "\n")
    return folder


def test_killed_mid_sync_and_mid_conversation_then_restarted(shop, tmp_path, tiny_model_dir,
                                                              tiny_lm):  # fmt: skip
    data = tmp_path / "data"
    settings = tmp_path / "settings.yaml"
    settings.write_text("intent_lm_weight: 0.05\nmax_new_tokens: 6\n", encoding="utf-8")
    argv = ["--config", str(settings), "--shop-dir", str(shop), "--data-dir", str(data),
            "--base-model", str(tiny_model_dir), "--adapter-dir", "none"]  # fmt: skip

    # 1. Killed while the start-up sync writes the FAQ index (after its first batch).
    first = Chat(argv)
    first.wait_for(first.err, "wrote 128 of 300")
    first.kill()

    # 2. Started again: the sync finishes; killed in the middle of a cancelling turn.
    second = Chat(argv)
    second.wait_for(second.out, "you> ")
    for message in ("How long does shipping take?", "I want to cancel order 10024, "
                    "my email is bo@example.org"):  # fmt: skip
        second.say(message)
        second.wait_for(second.out, "you> ")  # answered and the session saved
    second.say("yes")
    second.wait_for(second.out, "bot> ")  # the turn has begun
    second.kill()

    # 3. Restarted in this process, on the same data folder.
    config = AssistantConfig(shop_dir=shop, data_dir=data, adapter_dir=None,
                             intent_lm_weight=0.05, max_new_tokens=6)  # fmt: skip
    assistant = Assistant.from_config(config, lm=tiny_lm)
    assert assistant.store.faq_count() == BIG_FAQ
    hit = assistant.store.search_faq("Question number 17 about the shop?", top_k=1)[0]
    assert hit.entry.faq_id == "extra-17.en"

    db = sqlite3.connect(data / "orders.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = dict(db.execute("SELECT order_id, status FROM orders").fetchall())
    db.close()
    assert sorted(rows) == sorted(o["order_id"] for o in ORDERS)
    assert rows["10024"] in ("processing", "cancelled")  # before or after the kill, never half

    log = data / "logs" / "turns.jsonl"
    lines = log.read_bytes().split(b"\n")
    whole = [json.loads(line) for line in lines[:-1]]  # only the last line may be torn
    turns = [r for r in whole if r.get("event") == "turn" and r["session_id"] == "s1"]
    assert [r["turn"] for r in turns][:2] == [1, 2]
    assert read_dialogues(log)  # the reader skips a torn line

    session = load_session(data / "sessions", "s1")
    users = [t.content for t in session.history if t.role == "user"]
    assert users[:2] == ["How long does shipping take?", turns[1]["user"]]
    reply = assistant.respond(session, "What is your return policy?")
    assert reply.text and reply.limit is None
    assert [t.role for t in session.history][-2:] == ["user", "assistant"]
