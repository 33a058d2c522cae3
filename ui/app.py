"""The Gradio app (Shopper, Agent and Insights tabs) and the server that carries it.

`build_app(assistant)` lays out the page and wires the handlers of `ui.handlers`,
`ui.agent` and `ui.insights`; `build_server(assistant)` mounts it on a FastAPI app next to
the HTTP API of `ui.api`, sharing one registry of live sessions; `serve(config)` builds the
real `Assistant` and runs that server with uvicorn (no share link, no analytics).
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from ui import insights, render
from ui.agent import AgentHandlers, agent_keys
from ui.api import api_router, install_guards
from ui.handlers import MAX_CARDS, ShopHandlers, panel_keys
from ui.sessions import SessionRegistry

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


def build_app(assistant: Any, max_cards: int = MAX_CARDS, registry: Any = None) -> gr.Blocks:
    """The app around an `Assistant` (or anything with the same methods): three tabs.

    Shopper: the chat and the product panel, one session per browser tab. Agent: suggested
    replies for a live or logged conversation. Insights: metrics of the turn log.
    """
    registry = registry if registry is not None else SessionRegistry()
    handlers = ShopHandlers(assistant, max_cards=max_cards, registry=registry)
    config = getattr(assistant, "config", None)
    max_chars = getattr(config, "max_message_chars", None)

    # No component takes files, yet Gradio's upload route is always there: cap what it keeps
    # (MAX_UPLOAD in build_server) and delete what it wrote within the hour.
    with gr.Blocks(title="Shop assistant", analytics_enabled=False,
                   delete_cache=(600, 3600)) as demo:  # fmt: skip
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
                        feedback_options=("Like", "Dislike"),
                        placeholder="Hello! How can I help you today?",
                        elem_id="shop-chat",
                    )
                    message = gr.Textbox(
                        placeholder=PLACEHOLDER,
                        show_label=False,
                        submit_btn="Send",
                        max_length=max_chars,
                        autofocus=True,
                        elem_id="shop-message",
                    )
                    reset = gr.Button("Reset conversation", variant="secondary", size="sm")
                with gr.Column(scale=2, min_width=300):
                    heading = gr.HTML(render.heading_html(""), js_on_load=None,
                                      elem_id="shop-heading")  # fmt: skip
                    boxes, cards, cart_buttons, actions = [], [], [], []
                    for start in range(0, max_cards, CARDS_PER_ROW):
                        with gr.Row():
                            for i in range(start, min(start + CARDS_PER_ROW, max_cards)):
                                with gr.Column(visible=False, min_width=140) as box:
                                    card = gr.HTML(
                                        "",
                                        css_template=render.CARD_CSS,
                                        js_on_load=None,
                                        elem_id=f"shop-card-{i}",
                                    )
                                    with gr.Row():
                                        view = gr.Button("View", size="sm",
                                                         elem_id=f"shop-view-{i}")  # fmt: skip
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
        _agent_tab(AgentHandlers(assistant, registry))
        _insights_tab(assistant)

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
        chatbot.like(
            handlers.feedback, inputs=[session, chatbot], outputs=None, api_visibility="private"
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


def _agent_tab(agent: AgentHandlers) -> gr.Tab:
    """Pick a conversation; intent, summary, order, products; accept / edit / reject."""
    n = agent.n
    with gr.Tab("Agent") as tab:
        view = gr.State(None)
        with gr.Row():
            pick = gr.Dropdown(
                elem_id="agent-pick",
                label="Conversation (live sessions, then logged ones)",
                choices=[],
                value=None,
                interactive=True,
                scale=4,
            )
            refresh = gr.Button("Refresh list", size="sm", scale=1)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                conversation = gr.Chatbot(label="Conversation", height=320)
                header = gr.Markdown()
                summary = gr.Textbox(label="Summary", lines=4, interactive=False)
            with gr.Column(scale=2):
                gr.HTML(render.heading_html("Order"), js_on_load=None)
                order = gr.HTML("", css_template=render.PANEL_CSS, js_on_load=None)
                gr.HTML(render.heading_html("Products"), js_on_load=None)
                products = gr.HTML("", css_template=render.CARD_CSS, js_on_load=None)
        texts, sources, groups, buttons = [], [], [], []
        for i in range(n):
            with gr.Group(visible=False) as group:
                text = gr.Textbox(
                    label=f"Suggestion {i + 1} (edit it, then Send edited)",
                    lines=3,
                    interactive=True,
                    elem_id=f"agent-suggestion-{i}",
                )
                source = gr.HTML("", js_on_load=None)
                with gr.Row():
                    accept = gr.Button("Accept", size="sm", variant="primary")
                    edit = gr.Button("Send edited", size="sm")
            texts.append(text)
            sources.append(source)
            groups.append(group)
            buttons.append((i, accept, edit, text))
        own = gr.Textbox(label="Your own reply (optional), sent with Reject all", lines=2)
        with gr.Row():
            reject = gr.Button("Reject all suggestions", variant="stop", size="sm")
            release = gr.Button("Give the chat back to the bot", size="sm")
        status = gr.Markdown(elem_id="agent-status")
    outputs = [view, conversation, header, summary, order, products, status, *texts, *sources,
               *groups]  # fmt: skip
    show = _as_tuple(agent.show, agent_keys(n))
    pick.change(show, inputs=[pick], outputs=outputs, api_visibility="private")
    for event in (refresh.click, tab.select):
        event(agent.refresh, inputs=None, outputs=[pick], api_visibility="private")
    for i, accept, edit, text in buttons:
        for button, action in ((accept, "accept"), (edit, "edit")):
            button.click(
                functools.partial(agent.choose, action, i),
                inputs=[view, text],
                outputs=[status],
                api_visibility="private",
            )
    reject.click(
        functools.partial(agent.choose, "reject", None),
        inputs=[view, own],
        outputs=[status],
        api_visibility="private",
    )
    release.click(agent.release, inputs=[pick], outputs=[status], api_visibility="private")
    return tab


def _insights_tab(assistant: Any) -> gr.Tab:
    """Metrics and charts of the turn log, computed when the tab opens or on Refresh."""
    with gr.Tab("Insights") as tab:
        refresh = gr.Button("Refresh", size="sm")
        table = gr.HTML("", js_on_load=None)
        with gr.Row():
            intents = gr.Plot(label="Intent mix")
            outcomes = gr.Plot(label="Sessions and feedback")

    def update() -> tuple:
        config = assistant.config
        resolve = getattr(config, "resolved_log_path", None)
        path = resolve() if resolve is not None else None
        metrics, note = insights.load(path)
        return (
            insights.metrics_html(metrics, note),
            insights.intent_chart(metrics),
            insights.outcome_chart(metrics),
        )

    for event in (refresh.click, tab.select):
        event(update, inputs=None, outputs=[table, intents, outcomes], api_visibility="private")
    return tab


def build_server(assistant: Any, registry: SessionRegistry | None = None) -> FastAPI:
    """One FastAPI app: the HTTP API under /api/v1, its docs at /docs, the Gradio app at /."""
    registry = registry if registry is not None else SessionRegistry()
    app = FastAPI(
        title="Shop assistant",
        version="1.0",
        description="The shop assistant's HTTP API; the chat UI is served at /.",
    )
    max_chars = getattr(assistant.config, "max_message_chars", 2000)
    install_guards(app, max_bytes=8 * max_chars + 4096)  # UTF-8 and JSON escapes included
    app.include_router(api_router(assistant, registry))
    demo = build_app(assistant, registry=registry)
    demo.queue(default_concurrency_limit=1)  # one language model: replies take turns
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        ssr_mode=False,
        mcp_server=False,
        show_error=False,
        footer_links=["api"],
        max_file_size=MAX_UPLOAD,
    )


TRUSTED_PROXIES_ENV = "SHOP_FORWARDED_ALLOW_IPS"
SERVED_SESSIONS = "served-sessions"  # under data_dir: the sessions `serve` saves
MAX_UPLOAD = "16kb"  # per file on Gradio's upload route (the app itself takes no files)


def server_config(app: FastAPI, host: str, port: int) -> Any:
    """uvicorn settings: X-Forwarded-For is ignored unless $SHOP_FORWARDED_ALLOW_IPS is set.

    uvicorn trusts that header from 127.0.0.1 by default, so any local client (or a proxy
    that passes it on) could pick the address the new-session limit counts. Set the variable
    to the reverse proxy's address(es), comma-separated, to take the client's address from it.
    """
    import uvicorn

    trusted = os.environ.get(TRUSTED_PROXIES_ENV, "").strip()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def run_server(app: FastAPI, host: str, port: int) -> None:
    """Serve `app` with uvicorn until interrupted."""
    import uvicorn

    logger.info("serving the shop assistant on http://%s:%s (API docs at /docs)", host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning(
            "the Agent and Insights tabs have no login: anyone who reaches %s:%s can read live "
            "conversations; put an authenticating proxy in front",
            host,
            port,
        )
    uvicorn.Server(server_config(app, host, port)).run()


def serve(config: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build the assistant from `config` and serve the app and the API until interrupted.

    Sessions are saved under `<data_dir>/served-sessions` and read back from there after a
    restart; those unused for `session_retention_days` are deleted. The folder is not the one
    `shop-assistant chat --session` uses: the server only ever continues sessions it created
    (random ids), never a command-line session with a name anyone could guess.
    """
    # Telemetry off before Gradio does any of its own start-up work.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from assistant import Assistant

    registry = SessionRegistry(
        folder=Path(config.data_dir) / SERVED_SESSIONS, retention_days=config.session_retention_days
    )
    run_server(build_server(Assistant.from_config(config), registry), host, port)


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
        run_server(build_server(FakeAssistant(delay=0.05)), args.host, args.port)
        return
    from assistant import AssistantConfig

    serve(AssistantConfig(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
