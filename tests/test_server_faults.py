"""The server's sessions survive a restart: `shop-assistant serve` (a real subprocess on the tiny
model) killed with SIGKILL in the middle of a streamed reply, then started again on the same data
folder. After the restart the orders database passes SQLite's integrity check and holds every
order once, every whole line of the turn log parses, the FAQ store answers, and the API client's
session id continues its conversation (saved redacted under `<data_dir>/served-sessions`).

The first tests check the registry's loader in-process, without a model.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.session_store import load_session  # noqa: E402
from tests.conftest import ORDERS, write_shop  # noqa: E402
from ui.api import api_router  # noqa: E402
from ui.fake import FakeAssistant  # noqa: E402
from ui.sessions import SessionRegistry  # noqa: E402
from ui.testing import free_port, running  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180.0  # the model, the FAQ index and Gradio, on a loaded machine

pytestmark = pytest.mark.slow


def _api(fake: FakeAssistant, registry: SessionRegistry):
    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(api_router(fake, registry))
    return app


def test_registry_loads_saved_sessions_and_refuses_bad_ids(tmp_path):
    folder = tmp_path / "sessions"
    registry = SessionRegistry(folder=folder)
    assert registry.get("nosuchsession") is None  # no file: unknown, as before
    for bad in ("../x", "..", "/etc/passwd", ".hidden", "-rf", "a/b", "x" * 65, ""):
        assert registry.get(bad) is None
    assert not folder.exists()  # nothing was created or read for them

    fake = FakeAssistant()
    session = fake.new_session()
    fake.respond(session, "How long does shipping take?")
    registry.add(session)
    registry.save(session)
    again = SessionRegistry(folder=folder)  # a restarted server
    loaded = again.get(session.session_id)
    assert loaded is not None and loaded is again.get(session.session_id)  # now live
    assert [t.content for t in loaded.history] == [t.content for t in session.history]
    assert len(again) == 1
    assert SessionRegistry().get(session.session_id) is None  # no folder: memory only


def test_api_session_continues_after_a_restart(tmp_path):
    folder = tmp_path / "sessions"
    fake = FakeAssistant(requests_per_second=1000)
    with running(_api(fake, SessionRegistry(folder=folder))) as url, httpx.Client(
        base_url=url, timeout=30
    ) as client:  # fmt: skip
        sid = client.post("/api/v1/sessions").json()["session_id"]
        first = {"message": "How long does shipping take?"}
        assert client.post(f"/api/v1/sessions/{sid}/messages", json=first).status_code == 200
        streamed = {"message": "my email is bo@example.org", "stream": True}
        assert client.post(f"/api/v1/sessions/{sid}/messages", json=streamed).status_code == 200
    saved = load_session(folder, sid)
    assert [t.role for t in saved.history] == ["user", "assistant"] * 2
    assert "bo@example.org" not in (folder / f"{sid}.json").read_text(encoding="utf-8")

    with running(_api(fake, SessionRegistry(folder=folder))) as url, httpx.Client(
        base_url=url, timeout=30
    ) as client:  # fmt: skip
        assert client.post("/api/v1/sessions/nosuchsession/messages",
                           json=first).status_code == 404  # fmt: skip
        third = {"message": "What is your return policy?"}
        assert client.post(f"/api/v1/sessions/{sid}/messages", json=third).status_code == 200
    users = [t.content for t in load_session(folder, sid).history if t.role == "user"]
    assert users[0] == first["message"] and users[-1] == third["message"] and len(users) == 3


class Server:
    """`shop-assistant serve` in a subprocess, its output in a file."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1",
                   GRADIO_ANALYTICS_ENABLED="False")  # fmt: skip
        command = [sys.executable, "-m", "ui.cli", "serve", "--port", str(self.port), *argv]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                            stderr=subprocess.STDOUT)  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited early: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve not ready: {self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def test_server_killed_mid_stream_then_restarted(tmp_path, tiny_model_dir):
    shop = write_shop(tmp_path / "shop")
    data = tmp_path / "data"
    settings = tmp_path / "settings.yaml"
    settings.write_text("intent_lm_weight: 0.05\nmax_new_tokens: 6\n", encoding="utf-8")
    argv = ["--config", str(settings), "--shop-dir", str(shop), "--data-dir", str(data),
            "--base-model", str(tiny_model_dir), "--adapter-dir", "none"]  # fmt: skip
    messages = ["How long does shipping take?",
                "I want to cancel order 10024, my email is bo@example.org"]  # fmt: skip
    log = tmp_path / "serve.log"

    # 1. A conversation over the API; the server is killed once its third reply starts.
    first = Server(argv, log)
    try:
        first.wait_ready()
        with httpx.Client(base_url=first.url, timeout=120) as client:
            response = client.post("/api/v1/sessions")
            assert response.status_code == 201
            sid = response.json()["session_id"]
            for message in messages:
                response = client.post(f"/api/v1/sessions/{sid}/messages",
                                       json={"message": message})  # fmt: skip
                assert response.status_code == 200, response.text
            body = {"message": "yes", "stream": True}
            with client.stream("POST", f"/api/v1/sessions/{sid}/messages", json=body) as stream:
                assert stream.status_code == 200
                for line in stream.iter_lines():
                    if line.strip():
                        first.kill()  # the reply has begun
                        break
        assert first.process.returncode == -signal.SIGKILL
    finally:
        first.kill()

    # 2. Nothing torn on disk.
    db = sqlite3.connect(data / "orders.sqlite")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in db.execute("SELECT order_id FROM orders")]
    finally:
        db.close()
    assert sorted(ids) == sorted(o["order_id"] for o in ORDERS)  # every order, once

    lines = (data / "logs" / "turns.jsonl").read_bytes().split(b"\n")
    whole = [json.loads(line) for line in lines[:-1]]  # only the last line may be torn
    turns = [r for r in whole if r.get("event") == "turn" and r.get("session_id") == sid]
    assert [r["turn"] for r in turns][:2] == [1, 2]

    # 3. Restarted on the same data folder: the FAQ store answers and the session continues.
    second = Server(argv, log)
    try:
        second.wait_ready()
        with httpx.Client(base_url=second.url, timeout=120) as client:
            replies = []
            for _ in range(2):  # the first may answer the cancel question still pending
                response = client.post(f"/api/v1/sessions/{sid}/messages",
                                       json={"message": "What is your return policy?"})  # fmt: skip
                assert response.status_code == 200, response.text
                replies.append(response.json())
            assert all(r["text"] and r["session_id"] == sid for r in replies)
            assert "return-policy.en" in replies[-1]["faq_ids"], replies  # the FAQ store answers
            unknown = client.post("/api/v1/sessions/nosuchsession/messages",
                                  json={"message": "hi"})  # fmt: skip
            assert unknown.status_code == 404
    finally:
        second.kill()

    assert not (data / "sessions").exists()  # `chat --session`'s folder is not the server's
    session = load_session(data / "served-sessions", sid)
    users = [t.content for t in session.history if t.role == "user"]
    assert users[0] == messages[0] and users[1] == turns[1]["user"]  # redacted as logged
    assert users[-2:] == ["What is your return policy?"] * 2
    assert len(users) in (4, 5)  # with "yes" when its turn was saved before the kill
    saved = (data / "served-sessions" / f"{sid}.json").read_text(encoding="utf-8")
    assert "bo@example.org" not in saved
