"""The load test (bench/load_test.py) in small: 20 shoppers for 20 s on the real Gradio server.

Behind the server is the rule-based stand-in assistant, changed to echo every message the
server holds for the session: a reply that mixed two sessions would show another shopper's
token, which the load test counts as a leak. A deliberately leaky assistant proves it would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.assistant import Reply  # noqa: E402
from assistant.session import Session  # noqa: E402
from ui.app import build_app  # noqa: E402
from ui.fake import FakeAssistant  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from load_test import free_port, percentile, run_load  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


class EchoAssistant(FakeAssistant):
    """Replies end with every user message the server keeps for this session."""

    def respond_stream(self, session, message):
        for piece in super().respond_stream(session, message):
            if isinstance(piece, Reply):
                said = " | ".join(t.content for t in session.history if t.role == "user")
                piece.text += f" (this chat so far: {said})"
            yield piece


class LeakyAssistant(EchoAssistant):
    """The bug the load test must catch: every browser gets the same session."""

    def __init__(self) -> None:
        super().__init__()
        self.shared = Session(session_id="everyone")

    def new_session(self, session_id=None):
        return self.shared


def serve(assistant):
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=1)  # as `shop-assistant serve` does
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                share=False, quiet=True, ssr_mode=False)  # fmt: skip
    return demo, f"http://127.0.0.1:{port}/"


def test_twenty_shoppers_for_twenty_seconds():
    demo, url = serve(EchoAssistant(delay=0.002))
    try:
        report = run_load(url, shoppers=20, duration=20, timeout=60)
    finally:
        demo.close()
    assert report["errors"] == []
    assert report["leaks"] == []
    assert all(turns >= 1 for turns in report["per_shopper_turns"])
    assert len(report["per_shopper_turns"]) == 20
    assert report["clicks"] > 0
    assert report["turns_per_s"] > 0
    assert 0 < report["first_token_p50_s"] <= report["first_token_p95_s"]


def test_load_test_catches_shared_sessions():
    demo, url = serve(LeakyAssistant())
    try:
        report = run_load(url, shoppers=3, duration=4, max_turns=3, timeout=60)
    finally:
        demo.close()
    assert any("other shoppers' tokens" in leak for leak in report["leaks"])


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([5.0], 95) == 5.0
