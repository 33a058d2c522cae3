"""The HTTP API over real HTTP: uvicorn on a free port, the Gradio app mounted beside it."""

from __future__ import annotations

import json
import os

import httpx
import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ui.app import build_server  # noqa: E402
from ui.fake import SHIPPING, FakeAssistant  # noqa: E402
from ui.sessions import SessionRegistry  # noqa: E402
from ui.testing import running  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(client, fake assistant, registry); a session may send one message every 2 seconds."""
    data = tmp_path_factory.mktemp("api-data")
    fake = FakeAssistant(delay=0.01, data_dir=data, requests_per_second=0.5)
    registry = SessionRegistry()
    with (
        running(build_server(fake, registry)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client, fake, registry


def new_session(client) -> str:
    response = client.post("/api/v1/sessions")
    assert response.status_code == 201
    return response.json()["session_id"]


def records(fake) -> list[dict]:
    path = fake.config.resolved_log_path()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_message_reply_with_sources(server):
    client, fake, registry = server
    sid = new_session(client)
    assert registry.get(sid) is not None  # the agent tab sees API sessions too
    response = client.post(
        f"/api/v1/sessions/{sid}/messages", json={"message": "How long does shipping take?"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == SHIPPING and body["faq_ids"] == ["shipping-times.en"]
    assert body["session_id"] == sid and body["intent"] == "shipping_info"
    assert [t.role for t in registry.get(sid).history] == ["user", "assistant"]


def test_streamed_reply_is_ndjson_deltas_then_the_reply(server):
    client, _, _ = server
    sid = new_session(client)
    url = f"/api/v1/sessions/{sid}/messages"
    with client.stream("POST", url, json={"message": "show me shoes", "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in r.iter_lines() if line]
    deltas = [line["text"] for line in lines if line["type"] == "delta"]
    assert len(deltas) == 5 and lines[-1]["type"] == "reply"
    reply = lines[-1]["reply"]
    assert "".join(deltas).strip() == reply["text"] == "Here are 3 running shoes."
    assert [p["item_id"] for p in reply["products"]] == ["P001", "P002", "P003"]


def test_events_change_recommendations_and_are_logged(server):
    client, fake, _ = server
    sid = new_session(client)
    first = client.get(f"/api/v1/sessions/{sid}/recommendations", params={"k": 3}).json()
    assert [p["item_id"] for p in first["products"]] == ["P001", "P002", "P003"]
    viewed = client.post(f"/api/v1/sessions/{sid}/events", json={"item_id": "P005", "kind": "view"})
    assert viewed.status_code == 200
    assert [p["item_id"] for p in viewed.json()["products"][:2]] == ["P005", "P006"]
    bought = client.post(
        f"/api/v1/sessions/{sid}/events", json={"item_id": "P006", "kind": "purchase"}
    )
    assert bought.status_code == 200
    assert "P006" not in [p["item_id"] for p in bought.json()["products"]]
    clicks = [r for r in records(fake) if r["event"] == "click" and r["session_id"] == sid]
    assert [(c["item_id"], c["kind"]) for c in clicks] == [("P005", "view"), ("P006", "purchase")]


def test_feedback_is_logged(server):
    client, fake, _ = server
    sid = new_session(client)
    client.post(f"/api/v1/sessions/{sid}/messages", json={"message": "shipping?"})
    response = client.post(f"/api/v1/sessions/{sid}/feedback", json={"turn": 1, "value": "down"})
    assert response.status_code == 200
    mine = [r for r in records(fake) if r["event"] == "feedback" and r["session_id"] == sid]
    assert [(r["turn"], r["value"]) for r in mine] == [(1, "down")]
    too_far = client.post(f"/api/v1/sessions/{sid}/feedback", json={"turn": 2, "value": "up"})
    assert too_far.status_code == 422 and "between 1 and 1" in too_far.json()["detail"]


def test_unknown_session_or_item_is_404(server):
    client, _, _ = server
    for method, path, body in (
        ("POST", "/api/v1/sessions/nope/messages", {"message": "hi"}),
        ("GET", "/api/v1/sessions/nope/recommendations", None),
        ("POST", "/api/v1/sessions/nope/events", {"item_id": "P001", "kind": "view"}),
        ("POST", "/api/v1/sessions/nope/feedback", {"turn": 1, "value": "up"}),
    ):
        response = client.request(method, path, json=body)
        assert response.status_code == 404, path
        assert "unknown session" in response.json()["detail"]
    sid = new_session(client)
    missing = client.post(f"/api/v1/sessions/{sid}/events", json={"item_id": "X9", "kind": "view"})
    assert missing.status_code == 404 and "X9" in missing.json()["detail"]


@pytest.mark.parametrize(
    "path, body",
    [
        ("messages", {}),
        ("messages", {"message": ""}),
        ("messages", {"message": 42}),
        ("messages", {"message": "hi", "extra": 1}),
        ("messages", {"message": "hi", "stream": "yes"}),  # strict: true or false only
        ("messages", {"message": "hi", "stream": 1}),
        ("events", {"item_id": "P001", "kind": "steal"}),
        ("feedback", {"turn": 0, "value": "up"}),
        ("feedback", {"turn": 1, "value": "meh"}),
    ],
)
def test_bad_bodies_are_422(server, path, body):
    client, _, _ = server
    sid = new_session(client)
    response = client.post(f"/api/v1/sessions/{sid}/{path}", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]  # FastAPI names the field at fault


def test_bad_k_is_422(server):
    client, _, _ = server
    sid = new_session(client)
    for k in ("0", "51", "many"):
        assert client.get(f"/api/v1/sessions/{sid}/recommendations?k={k}").status_code == 422


def test_too_long_is_413(server):
    client, fake, _ = server
    sid = new_session(client)
    limit = fake.config.max_message_chars
    response = client.post(f"/api/v1/sessions/{sid}/messages", json={"message": "a" * (limit + 1)})
    assert response.status_code == 413 and str(limit) in response.json()["detail"]
    huge = client.post(
        f"/api/v1/sessions/{sid}/messages",
        content=b'{"message": "' + b"a" * 100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413


def test_rate_limit_is_429(server):
    client, _, registry = server
    sid = new_session(client)
    codes = [
        client.post(f"/api/v1/sessions/{sid}/messages", json={"message": "hi"}).status_code
        for _ in range(4)
    ]
    assert codes[0] == 200 and set(codes[1:]) == {429}
    assert len(registry.get(sid).history) == 2  # limited messages are not kept


def test_docs_and_the_gradio_page_share_the_server(server):
    client, _, _ = server
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/sessions/{session_id}/messages" in paths
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


def test_real_assistant_over_http(tiny_assistant):
    """The tiny-model Assistant behind the same API: a streamed and a plain reply."""
    with (
        running(build_server(tiny_assistant)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        sid = new_session(client)
        plain = client.post(
            f"/api/v1/sessions/{sid}/messages", json={"message": "What is your return policy?"}
        )
        assert plain.status_code == 200 and plain.json()["text"]
        with client.stream(
            "POST",
            f"/api/v1/sessions/{sid}/messages",
            json={"message": "show me running shoes", "stream": True},
        ) as r:
            lines = [json.loads(line) for line in r.iter_lines() if line]
        assert lines[-1]["type"] == "reply" and lines[-1]["reply"]["text"]
        recs = client.get(f"/api/v1/sessions/{sid}/recommendations?k=3").json()["products"]
        assert len(recs) == 3


def test_new_sessions_per_client_are_limited_and_feedback_needs_support():
    from fastapi import FastAPI

    from ui.api import api_router

    class NoFeedback(FakeAssistant):
        record_feedback = None

    app = FastAPI()
    app.include_router(api_router(NoFeedback(), SessionRegistry(), sessions_per_minute=2))
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        codes = [client.post("/api/v1/sessions").status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        sid = client.post("/api/v1/sessions", json=None)
        assert sid.status_code == 429 and "new sessions" in sid.json()["detail"]
    app = FastAPI()
    app.include_router(api_router(NoFeedback(), SessionRegistry()))
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        sid = new_session(client)
        response = client.post(f"/api/v1/sessions/{sid}/feedback", json={"turn": 1, "value": "up"})
        assert response.status_code == 501


@pytest.fixture
def slow_api():
    """(client, fake, registry) on a bare API app: 5 streamed pieces 0.8 s apart."""
    from fastapi import FastAPI

    from ui.api import api_router, install_guards

    fake = FakeAssistant(delay=0.8, requests_per_second=100)
    registry = SessionRegistry()
    app = FastAPI()
    install_guards(app, max_bytes=20_000)
    app.include_router(api_router(fake, registry, busy_wait_s=1.5))
    with running(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client, fake, registry


def test_dropped_stream_releases_its_session(slow_api):
    client, _, registry = slow_api
    sid = new_session(client)
    url = f"/api/v1/sessions/{sid}/messages"
    with client.stream("POST", url, json={"message": "show me shoes", "stream": True}) as r:
        assert json.loads(next(r.iter_lines()))["type"] == "delta"
    # The stream would run ~3 s more; the next message must not wait for it (busy_wait 1.5 s).
    after = client.post(url, json={"message": "How long does shipping take?"})
    assert after.status_code == 200, after.text
    assert registry.lock(sid).acquire(timeout=1)  # and nothing holds the lock now
    registry.lock(sid).release()


def test_busy_session_is_429_not_a_hang(slow_api):
    client, _, registry = slow_api
    sid = new_session(client)
    lock = registry.lock(sid)
    lock.acquire()
    try:
        event = client.post(
            f"/api/v1/sessions/{sid}/events", json={"item_id": "P001", "kind": "view"}
        )
        message = client.post(f"/api/v1/sessions/{sid}/messages", json={"message": "hi"})
    finally:
        lock.release()
    for response in (event, message):
        assert response.status_code == 429 and "busy" in response.json()["detail"]
    ok = client.post(f"/api/v1/sessions/{sid}/events", json={"item_id": "P001", "kind": "view"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "path, raw",
    [
        ("messages", b'{"message": "\\ud800 where is my order"}'),
        ("messages", b'{"message": "hi", "\\ud800": 1}'),
        ("feedback", b'{"turn": 1e400, "value": "up"}'),
        ("feedback", b'{"turn": "1", "value": "up"}'),
        ("feedback", b'{"turn": true, "value": "up"}'),
        ("feedback", b'{"turn": 1.0, "value": "up"}'),
    ],
)
def test_unencodable_or_loose_input_is_422_without_echo(slow_api, path, raw):
    client, _, _ = slow_api
    sid = new_session(client)
    response = client.post(
        f"/api/v1/sessions/{sid}/{path}", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] and "input" not in response.text


def test_chunked_body_over_the_limit_is_413_and_not_echoed(slow_api):
    client, _, _ = slow_api
    sid = new_session(client)

    def chunks():  # no Content-Length: httpx sends Transfer-Encoding: chunked
        yield b'{"message": "'
        for _ in range(40):
            yield b"a" * 1000
        yield b'"}'

    response = client.post(
        f"/api/v1/sessions/{sid}/messages",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and len(response.content) < 200
    small = client.post(
        f"/api/v1/sessions/{sid}/messages",
        content=iter([b'{"message": ', b'"How long does shipping take?"}']),
        headers={"content-type": "application/json"},
    )
    assert small.status_code == 200  # a chunked body under the limit still reaches the route


def test_forwarded_for_is_ignored_and_live_sessions_are_not_evicted(monkeypatch):
    """The new-session limit counts the socket peer; a full registry refuses, keeps shoppers."""
    import threading
    import time

    import uvicorn
    from fastapi import FastAPI

    from ui.api import api_router
    from ui.app import TRUSTED_PROXIES_ENV, server_config
    from ui.testing import free_port

    monkeypatch.delenv(TRUSTED_PROXIES_ENV, raising=False)
    registry = SessionRegistry(max_sessions=3)
    app = FastAPI()
    app.include_router(api_router(FakeAssistant(), registry, sessions_per_minute=5))
    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            codes = [
                client.post("/api/v1/sessions", headers={"X-Forwarded-For": f"10.0.0.{i}"})
                for i in range(6)
            ]
            assert [c.status_code for c in codes] == [201, 201, 201, 503, 503, 429]
            assert "too many conversations" in codes[3].json()["detail"]
            shopper = codes[0].json()["session_id"]
            assert registry.get(shopper) is not None  # not pushed out by the flood
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    monkeypatch.setenv(TRUSTED_PROXIES_ENV, "10.1.1.1")
    config = server_config(app, "127.0.0.1", port)
    assert config.proxy_headers and config.forwarded_allow_ips == "10.1.1.1"


def test_order_guessing_from_fresh_sessions_is_refused(tiny_assistant):
    """A new session per guess does not reset the failed-lookup count of an email."""
    with (
        running(build_server(tiny_assistant)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        replies = []
        for guess in ("99991", "99992", "99993", "99994"):
            sid = new_session(client)
            message = f"What is the status of order {guess}? My email is mallory@example.com"
            response = client.post(f"/api/v1/sessions/{sid}/messages", json={"message": message})
            assert response.status_code == 200
            replies.append(response.json())
    results = [[t["result"] for t in r["tools"]] for r in replies]
    assert results == [["not_found"]] * 3 + [["too_many_attempts"]]
    assert "too many attempts" in replies[-1]["text"]


def test_gradio_upload_route_refuses_big_files(server):
    """The app takes no files, but Gradio's upload route exists: a big file is refused."""
    client, _, _ = server
    big = {"files": ("../../x.txt", b"\0" * 200_000, "application/octet-stream")}
    response = client.post("/gradio_api/upload", files=big)
    assert response.status_code in (400, 413), response.text[:200]
    small = {"files": ("note.txt", b"hello", "text/plain")}
    assert client.post("/gradio_api/upload", files=small).status_code == 200


def test_gradio_routes_refuse_huge_bodies(server):
    """A 30 MB message through the web app's own route was read whole; now over 2 MB is 413,
    declared or chunked, and normal web traffic still passes (the other tests)."""
    from ui.api import OTHER_MAX_BYTES

    client, _, _ = server
    huge = b'{"data": ["' + b"x" * (OTHER_MAX_BYTES + 10) + b'"]}'
    declared = client.post("/gradio_api/queue/join", content=huge,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert declared.status_code == 413

    def chunks():
        for i in range(0, len(huge), 65536):
            yield huge[i : i + 65536]

    chunked = client.post("/gradio_api/queue/join", content=chunks(),
                          headers={"content-type": "application/json"})  # fmt: skip
    # Cut off at the limit while Gradio reads it; Gradio reports the broken read as 400.
    assert chunked.status_code in (400, 413)
    assert client.get("/config").status_code == 200  # the app still answers
