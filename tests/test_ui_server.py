"""The app served on localhost and called through gradio_client, with a fake assistant."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from ui.app import build_app  # noqa: E402
from ui.fake import SHIPPING, FakeAssistant  # noqa: E402
from ui.testing import free_port  # noqa: E402

# Gradio's queue uses pandas options that pandas 3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@pytest.fixture(scope="module")
def url():
    demo = build_app(FakeAssistant(delay=0.01))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                share=False, quiet=True, ssr_mode=False)  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def text_of(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def test_named_endpoints(url):
    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    names = set(api["named_endpoints"])
    assert {"/chat", "/reset", "/load", "/view_0", "/cart_5"} <= names


def test_chat_reply_streams_over_http(url):
    client = Client(url, verbose=False)
    job = client.submit("How long does shipping take?", [], api_name="/chat")
    box, history = job.result(timeout=30)
    assert box == ""
    assert text_of(history[0]) == "How long does shipping take?"
    assert text_of(history[-1]) == f"{SHIPPING}\n\nSources: shipping-times.en"
    partial = [text_of(out[1][-1]) for out in job.outputs()[:-1]]
    assert any(0 < len(p) < len(SHIPPING) and SHIPPING.startswith(p.strip()) for p in partial)


def test_product_clicks_keep_to_each_browser(url):
    alice, bob = Client(url, verbose=False), Client(url, verbose=False)
    shown = alice.predict(api_name="/load")
    assert "Stride Runner 2" in shown[4]  # heading, notice, cart, detail, then the cards
    after = alice.predict(api_name="/cart_0")
    assert "Total: 59.00 USD" in after[2]
    assert "Your cart is empty" in bob.predict(api_name="/load")[2]
