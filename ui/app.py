"""The Gradio app: a chat with streamed replies next to a product panel and the cart.

`build_app(assistant)` lays out the page and wires the handlers of `ui.handlers`;
`serve(config)` builds the real `Assistant` and runs the server on this machine only
(no share link, no analytics).
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
from collections.abc import Callable
from typing import Any

import gradio as gr

from ui import render
from ui.handlers import MAX_CARDS, ShopHandlers, panel_keys

logger = logging.getLogger(__name__)

CARDS_PER_ROW = 2
PLACEHOLDER = "Ask about an order, shipping, returns, or products…"


def _as_tuple(fn: Callable[..., dict], keys: list[str]) -> Callable[..., tuple]:
    """Adapt a handler that returns a dict into one that returns Gradio's output tuple."""

    @functools.wraps(fn)
    def run(*args: Any) -> tuple:
        result = fn(*args)
        return tuple(result[key] for key in keys)

    # The handler's own signature would make Gradio count the wrong number of inputs
    # for the partials of product_action; *args is accepted as-is.
    del run.__wrapped__
    return run


def build_app(assistant: Any, max_cards: int = MAX_CARDS) -> gr.Blocks:
    """The shopper app around an `Assistant` (or anything with the same methods)."""
    handlers = ShopHandlers(assistant, max_cards=max_cards)
    config = getattr(assistant, "config", None)
    max_chars = getattr(config, "max_message_chars", None)

    with gr.Blocks(title="Shop assistant", analytics_enabled=False) as demo:
        session = gr.State(None)  # per browser tab: created on first use
        panel_ids = gr.State([])  # item_ids behind the card slots, in order
        last_reply = gr.State(None)
        with gr.Tab("Shopper"):
            notice = gr.HTML("", css_template=render.PANEL_CSS, js_on_load=None)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        label="Shop assistant",
                        height=520,
                        sanitize_html=True,
                        feedback_options=None,
                        placeholder="Hello! How can I help you today?",
                    )
                    message = gr.Textbox(
                        placeholder=PLACEHOLDER,
                        show_label=False,
                        submit_btn="Send",
                        max_length=max_chars,
                        autofocus=True,
                    )
                    reset = gr.Button("Reset conversation", variant="secondary", size="sm")
                with gr.Column(scale=2, min_width=300):
                    heading = gr.HTML(render.heading_html(""), js_on_load=None)
                    boxes, cards, cart_buttons, actions = [], [], [], []
                    for start in range(0, max_cards, CARDS_PER_ROW):
                        with gr.Row():
                            for i in range(start, min(start + CARDS_PER_ROW, max_cards)):
                                with gr.Column(visible=False, min_width=140) as box:
                                    card = gr.HTML(
                                        "", css_template=render.CARD_CSS, js_on_load=None
                                    )
                                    with gr.Row():
                                        view = gr.Button("View", size="sm")
                                        cart_button = gr.Button(
                                            "Add to cart", size="sm", variant="primary"
                                        )
                                boxes.append(box)
                                cards.append(card)
                                cart_buttons.append(cart_button)
                                actions.append((i, view, cart_button))
                    detail = gr.HTML("", css_template=render.PANEL_CSS, js_on_load=None)
                    gr.HTML(render.heading_html("Your cart"), js_on_load=None)
                    cart = gr.HTML(render.cart_html([]), css_template=render.PANEL_CSS,
                                   js_on_load=None)  # fmt: skip

        panel_outputs = [session, panel_ids, heading, notice, cart, detail,
                         *boxes, *cards, *cart_buttons]  # fmt: skip
        keys = panel_keys(max_cards)

        message.submit(
            handlers.chat,
            inputs=[message, chatbot, session],
            outputs=[message, chatbot, session, last_reply],
            api_name="chat",
        ).then(
            _as_tuple(handlers.after_reply, keys),
            inputs=[session, last_reply],
            outputs=panel_outputs,
            api_visibility="private",
        )
        for i, view, cart_button in actions:
            for button, event in ((view, "view"), (cart_button, "cart")):
                button.click(
                    _as_tuple(functools.partial(handlers.product_action, i, event), keys),
                    inputs=[session, panel_ids],
                    outputs=panel_outputs,
                    api_name=f"{event}_{i}",
                )
        reset_keys = ["chatbot", "message", "reply", *keys]
        reset.click(
            _as_tuple(handlers.reset, reset_keys),
            inputs=[session],
            outputs=[chatbot, message, last_reply, *panel_outputs],
            api_name="reset",
        )
        demo.load(
            _as_tuple(handlers.load, keys),
            inputs=[session],
            outputs=panel_outputs,
            api_name="load",
        )
    return demo


def serve(config: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build the assistant from `config` and serve the app until interrupted."""
    # Telemetry off before Gradio does any of its own start-up work.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from assistant import Assistant

    assistant = Assistant.from_config(config)
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=1)  # one language model: replies take turns
    logger.info("serving the shop assistant on http://%s:%s", host, port)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        ssr_mode=False,
        mcp_server=False,
        show_error=False,
        quiet=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the shop assistant's Gradio app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument(
        "--fake", action="store_true", help="a rule-based stand-in assistant (no models)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.fake:
        from ui.fake import FakeAssistant

        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        build_app(FakeAssistant(delay=0.05)).launch(
            server_name=args.host, server_port=args.port, share=False, ssr_mode=False
        )
        return
    from assistant import AssistantConfig

    serve(AssistantConfig(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
