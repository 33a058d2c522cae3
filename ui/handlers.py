"""Event handlers of the shopper tab, written as plain methods so tests can call them.

Each browser keeps its own `Session` in a `gr.State` that starts as None and is created on
first use, so two shoppers never share history, views or cart. Panel handlers return a dict
keyed by `panel_keys(n)`; `ui.app` turns it into the tuple Gradio expects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from ui import render

logger = logging.getLogger(__name__)

MAX_CARDS = 6
APOLOGY = "Sorry, I couldn't answer that just now. Please try again in a moment."
FAILED = "Something went wrong on our side; please try again."

RECOMMENDED = "Recommended for you"
FOR_YOUR_QUESTION = "Products for your question"


def panel_keys(n: int = MAX_CARDS) -> list[str]:
    """Names of the values a panel handler returns, in the order of the app's outputs."""
    return [
        "session", "panel_ids", "heading", "notice", "cart", "detail",
        *(f"box_{i}" for i in range(n)),
        *(f"card_{i}" for i in range(n)),
        *(f"cart_btn_{i}" for i in range(n)),
    ]  # fmt: skip


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def final_text(reply: Any) -> str:
    """The reply as shown: the authoritative text, then the FAQ sources under it."""
    sources = render.sources_line(getattr(reply, "faq_ids", None) or [])
    return f"{reply.text}\n\n{sources}" if sources else reply.text


class ShopHandlers:
    """The shopper tab's behaviour around one shared `Assistant`."""

    def __init__(self, assistant: Any, max_cards: int = MAX_CARDS, registry: Any = None) -> None:
        self.assistant = assistant
        self.max_cards = max_cards
        self.registry = registry  # ui.sessions.SessionRegistry: live sessions for the agent tab

    def session(self, session: Any, register: bool = True) -> Any:
        """This browser's session, created (and registered) the first time it is needed.

        The first paint of a page does not register it (`register=False`): only a shopper who
        writes or clicks takes a place among the server's live sessions, so a flood of page
        loads cannot fill them and lock out other shoppers and API clients.
        """
        if session is not None:
            return session
        session = self.assistant.new_session()
        return self._register(session) if register else session

    def _register(self, session: Any) -> Any:
        if self.registry is not None:
            self.registry.add(session)
        return session

    def _save(self, session: Any) -> None:
        """Save the session when the registry keeps them on disk (see ui.sessions)."""
        save = getattr(self.registry, "save", None)
        if save is not None:
            save(session)

    # ----------------------------------------------------------------- chat
    def chat(self, message: str | None, history: list | None, session: Any) -> Iterator[tuple]:
        """Stream one reply: yields (textbox, chat history, session, final Reply or None).

        While the assistant writes, the last chat message grows; the final Reply's text then
        replaces it (it is authoritative: a generated draft may have been replaced).
        """
        session = self.session(session)
        history = list(history or [])
        text = message or ""
        if not text.strip():
            yield "", history, session, None
            return
        limit = getattr(getattr(self.assistant, "config", None), "max_message_chars", 2000)
        # The assistant refuses an over-long message; the page keeps only its start, so a huge
        # paste is not sent back and forth with every later update of the chat.
        shown = text if len(text) <= limit else text[:limit] + " [...]"
        history.append(_message("user", shown))
        yield "", [*history, _message("assistant", "")], session, None
        written, reply = "", None
        try:
            for piece in self.assistant.respond_stream(session, text):
                if isinstance(piece, str):
                    written += piece
                    yield "", [*history, _message("assistant", written)], session, None
                else:
                    reply = piece
            if reply is None:
                raise RuntimeError("respond_stream ended without a Reply")
        except Exception:
            # The shopper's text stays out of the log; the session id is enough to follow up.
            logger.exception("assistant failed to answer in session %s", session.session_id)
            gr.Warning(FAILED)
            yield "", [*history, _message("assistant", APOLOGY)], session, None
            return
        self._register(session)  # marks it active in the agent tab's list
        self._save(session)
        yield "", [*history, _message("assistant", final_text(reply))], session, reply

    def feedback(self, session: Any, history: list | None, like: gr.LikeData) -> None:
        """Thumbs up or down on a reply, logged for the shopper's turn that it answered."""
        record = getattr(self.assistant, "record_feedback", None)
        index = like.index[0] if isinstance(like.index, list | tuple) else like.index
        history = list(history or [])
        if session is None or record is None or not isinstance(index, int):
            return
        if not 0 <= index < len(history) or history[index].get("role") != "assistant":
            return
        # The session's turn number: messages answered by the apology were never kept.
        turn = sum(
            1
            for i, m in enumerate(history[:index])
            if m.get("role") == "user" and history[i + 1].get("content") != APOLOGY
        )
        value = "up" if like.liked is True else "down" if like.liked is False else None
        if value is None or turn < 1:
            return
        try:
            record(session, turn, value)
        except ValueError:
            # The chat shows a turn the session does not hold (an apology for a failed one).
            logger.info("feedback on turn %s not kept in session %s", turn, session.session_id)
            return
        gr.Info("Thanks for your feedback!")

    def after_reply(self, session: Any, reply: Any) -> dict[str, Any]:
        """Panel after a reply: the reply's products, else this session's recommendations."""
        session = self.session(session)
        products = list(getattr(reply, "products", None) or [])
        if products:
            return self._panel(session, products, FOR_YOUR_QUESTION)
        return self._panel(session, self._recommend(session), RECOMMENDED)

    # ----------------------------------------------------------------- panel
    def load(self, session: Any) -> dict[str, Any]:
        """First paint of the page: recommendations for a new (or this) session."""
        session = self.session(session, register=False)
        result = self._panel(session, self._recommend(session), RECOMMENDED)
        result["detail"] = ""
        return result

    def product_action(
        self, slot: int, event: str, session: Any, panel_ids: list[str] | None
    ) -> dict[str, Any]:
        """'View' or 'Add to cart' on the card in `slot`; then the new recommendations."""
        session = self._register(self.session(session))  # a click: a shopper, not a page load
        panel_ids = list(panel_ids or [])
        if not 0 <= slot < len(panel_ids):
            gr.Warning("That product is no longer on screen.")
            return self._unchanged(session)
        item_id = panel_ids[slot]
        try:
            product = self.assistant.product(item_id)
            if product is None:
                gr.Warning("That product is no longer in the catalogue.")
                return self._unchanged(session)
            if event == "cart" and int(getattr(product, "stock", 0)) <= 0:
                gr.Warning("Sorry, that product is out of stock.")
                return self._unchanged(session)
            cards = self.assistant.record_event(session, item_id, event)
            self._save(session)
        except Exception:
            logger.exception("%s of %s failed in session %s", event, item_id, session.session_id)
            gr.Warning(FAILED)
            return self._unchanged(session)
        result = self._panel(session, cards, RECOMMENDED)
        if event == "view":
            result["detail"] = render.detail_html(product)
        return result

    def reset(self, session: Any) -> dict[str, Any]:
        """Start over with a new session: empty chat, cart and history."""
        fresh = self._register(self.assistant.new_session())
        result = self._panel(fresh, self._recommend(fresh), RECOMMENDED)
        result.update(chatbot=[], message="", reply=None, detail="")
        return result

    # ----------------------------------------------------------------- helpers
    def _recommend(self, session: Any) -> list:
        try:
            return list(self.assistant.recommend(session))
        except Exception:
            logger.exception("recommendations failed in session %s", session.session_id)
            gr.Warning("Recommendations are unavailable right now.")
            return []

    def _cart_products(self, session: Any) -> list:
        products = []
        for item_id in getattr(session, "carted", []):
            try:
                products.append(self.assistant.product(item_id))
            except Exception:
                logger.exception("cannot look up carted item %s", item_id)
        return products

    def _panel(self, session: Any, cards: list, heading: str) -> dict[str, Any]:
        cards = list(cards)[: self.max_cards]
        ids = [c.item_id for c in cards]
        # Ordinal questions ("is the second one in stock?") refer to what is on screen.
        session.shown = list(ids)
        carted = set(getattr(session, "carted", []))
        result: dict[str, Any] = {
            "session": session,
            "panel_ids": ids,
            "heading": render.heading_html(heading if cards else "No products to show yet"),
            "notice": render.notice_html(bool(getattr(session, "handed_off", False))),
            "cart": render.cart_html(self._cart_products(session)),
            "detail": gr.skip(),
        }
        for i in range(self.max_cards):
            card = cards[i] if i < len(cards) else None
            result[f"box_{i}"] = gr.update(visible=card is not None)
            result[f"card_{i}"] = render.card_html(card) if card is not None else ""
            result[f"cart_btn_{i}"] = self._cart_button(card, carted)
        return result

    @staticmethod
    def _cart_button(card: Any, carted: set[str]) -> dict[str, Any]:
        if card is None:
            return gr.update(value="Add to cart", interactive=True)
        if card.item_id in carted:
            return gr.update(value="In cart", interactive=False)
        if int(getattr(card, "stock", 0) or 0) <= 0:
            return gr.update(value="Out of stock", interactive=False)
        return gr.update(value="Add to cart", interactive=True)

    def _unchanged(self, session: Any) -> dict[str, Any]:
        """Keep the panel as it is (but hand back the session, which may be new)."""
        result = {key: gr.skip() for key in panel_keys(self.max_cards)}
        result["session"] = session
        return result
