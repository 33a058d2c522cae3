"""A small stand-in for `Assistant`, for UI tests and for trying the layout without models.

It answers from fixed rules (shipping question, shoe search, agent request) with the same
types as the real assistant: text pieces from `respond_stream`, then a `Reply`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.agent_assist import suggest_replies
from assistant.assistant import ProductCard, Reply
from assistant.config import AssistantConfig
from assistant.intent_detection import IntentResult
from assistant.limits import SessionLimits, limit_text
from assistant.session import Session, handoff_summary
from assistant.turn_log import open_turn_log
from retrieval.keyword import KeywordIndex
from retrieval.records import FaqEntry


@dataclass(frozen=True)
class FakeProduct:
    item_id: str
    title: str
    description: str
    category: str
    brand: str
    price: float
    currency: str = "USD"
    stock: int = 5
    attributes: dict = field(default_factory=dict)


CATALOGUE = [
    FakeProduct("P001", "Stride Runner 2", "Light road shoe.", "running-shoes", "Acme", 59.0),
    FakeProduct("P002", "Tempo Glide", "Cushioned running shoe.", "running-shoes", "Acme", 75.5),
    FakeProduct("P003", "Trail Blaze Pro", "Grippy trail shoe.", "running-shoes", "Acme", 129.0,
                stock=0),
    FakeProduct("P005", "Summit Hiker", "Waterproof hiking boot.", "hiking-boots", "Peak", 149.0),
    FakeProduct("P006", "Ridge Walker", "Light hiking boot.", "hiking-boots", "Peak", 99.0),
    FakeProduct("P007", "Basecamp Tee", "Organic cotton t-shirt.", "t-shirts", "Peak", 19.0,
                attributes={"colour": "green", "size": "M"}),
    FakeProduct("P010", "Run Sock Duo", "Two pairs of running socks.", "accessories", "Acme", 14.0),
    FakeProduct("P012", "Daypack 20", "20 litre hiking daypack.", "backpacks", "Peak", 69.0),
]  # fmt: skip

SHIPPING = "Standard shipping takes 3-5 business days."


FAQ = [
    FaqEntry("shipping-times.en", "How long does shipping take?", SHIPPING, "en", "shipping",
             "shipping-times"),
    FaqEntry("shipping-costs.en", "How much does shipping cost?",
             "Shipping is free on orders over 50 USD; otherwise it costs 4.95 USD.", "en",
             "shipping", "shipping-costs"),
    FaqEntry("return-policy.en", "What is your return policy?",
             "You can return unworn items within 30 days of delivery.", "en", "returns",
             "return-policy"),
]  # fmt: skip

RULES = [("agent", "human_agent"), ("person", "human_agent"), ("ship", "shipping_info"),
         ("deliver", "shipping_info"), ("return", "return_request"), ("shoe", "product_search"),
         ("order", "order_status")]  # fmt: skip


class FakeIntents:
    """Keyword rules with the `IntentDetector.detect` signature."""

    def detect(self, history, message: str) -> IntentResult:
        lowered = message.lower()
        for word, intent in RULES:
            if word in lowered:
                return IntentResult(intent, 0.9, {intent: 0.9})
        return IntentResult("out_of_scope", 0.3, {"out_of_scope": 0.3})


class FakeAssistant:
    """Rule-based replies with the real `Assistant`'s methods and types.

    With a `data_dir`, turns, clicks and feedback go to the real turn log under it (as the
    real assistant's do), and agent choices to its preferences log.
    """

    def __init__(
        self,
        products=CATALOGUE,
        delay: float = 0.0,
        k: int = 6,
        data_dir: Path | None = None,
        requests_per_second: float = 50.0,
    ) -> None:
        self.config = AssistantConfig(max_message_chars=500, data_dir=data_dir or "var",
                                      log_path=None if data_dir else "",
                                      max_requests_per_second=requests_per_second)  # fmt: skip
        self.products = {p.item_id: p for p in products}
        self.categories = sorted({p.category for p in products})
        self.delay = delay  # seconds between streamed pieces, to make streaming visible
        self.k = k
        self.fail_next = False
        # What agent assist reads: intents, FAQ entries by keywords; no store, orders or LM.
        self.intents = FakeIntents()
        self.faq = {e.faq_id: e for e in FAQ}
        self.faq_keywords = KeywordIndex([(e.faq_id, f"{e.question} {e.answer}") for e in FAQ])
        self.faq_by_language = {"en": set(self.faq)}
        self.store = self.orders = self.lm = None
        self.turn_log = open_turn_log(self.config.resolved_log_path())
        self.limits = SessionLimits(self.config.max_turns_per_session, requests_per_second)

    def record_feedback(self, session: Session, turn: int, value: str) -> None:
        asked = sum(1 for t in session.history if t.role == "user")
        if not 1 <= turn <= asked or value not in ("up", "down"):
            raise ValueError(f"turn must be between 1 and {asked} and value up or down")
        if self.turn_log is not None:
            self.turn_log.log_feedback(session.session_id, turn, value)

    def handoff_summary(self, session: Session) -> dict:
        return handoff_summary(session)

    def release_handoff(self, session: Session) -> None:
        session.release_handoff()

    def suggest_replies(self, conversation, n: int = 3) -> list:
        return suggest_replies(self, conversation, n)

    def new_session(self, session_id: str | None = None) -> Session:
        return Session(session_id=session_id) if session_id else Session()

    def product(self, item_id: str):
        return self.products.get(item_id)

    def _card(self, item_id: str, reason: str) -> ProductCard:
        p = self.products[item_id]
        return ProductCard(p.item_id, p.title, p.price, p.currency, p.stock, p.category, reason)

    def recommend(self, session: Session, k: int | None = None) -> list[ProductCard]:
        """Items of the last viewed item's category first, then the rest; never carted ones."""
        k = k or self.k
        last = self.products.get(session.viewed[-1]) if session.viewed else None
        ids = [i for i in self.products if i not in session.carted]
        if last is None:
            return [self._card(i, "popular in the shop") for i in ids[:k]]
        ids.sort(key=lambda i: self.products[i].category != last.category)  # stable
        return [
            self._card(i, f"similar to {last.title}"
                       if self.products[i].category == last.category else "popular in the shop")
            for i in ids[:k]
        ]  # fmt: skip

    def record_event(self, session: Session, item_id: str, event: str) -> list[ProductCard]:
        if item_id not in self.products:
            raise KeyError(f"unknown item_id {item_id!r}")
        session.note_event(item_id, event)
        if self.turn_log is not None:
            self.turn_log.log_click(session.session_id, item_id, event, session.shown)
        return self.recommend(session)

    def respond(self, session: Session, message: str) -> Reply:
        return [p for p in self.respond_stream(session, message) if isinstance(p, Reply)][-1]

    def respond_stream(self, session: Session, message: str) -> Iterator[str | Reply]:
        message = message.strip()[: self.config.max_message_chars]
        limit = self.limits.check(session)
        if limit is not None:
            text = limit_text(limit, session.language, max_turns=self.limits.max_turns)
            yield text
            yield Reply(text, limit=limit)
            return
        if self.fail_next or "boom" in message:
            self.fail_next = False
            raise RuntimeError("the fake assistant failed on purpose")
        lowered = message.lower()
        if session.handed_off or "agent" in lowered or "person" in lowered:
            session.handed_off = True
            reply = Reply("A person from our team will continue here.", intent="human_agent",
                          confidence=1.0, handoff=True)  # fmt: skip
        elif "ship" in lowered:
            reply = Reply(SHIPPING, intent="shipping_info", confidence=0.9,
                          faq_ids=["shipping-times.en"])  # fmt: skip
        elif "shoe" in lowered:
            cards = [self._card(i, "matches your search") for i in ("P001", "P002", "P003")]
            reply = Reply("Here are 3 running shoes.", intent="product_search", confidence=0.9,
                          products=cards)  # fmt: skip
            session.shown = [c.item_id for c in cards]
        else:
            reply = Reply("I can help with orders, shipping and products.", confidence=0.5)
        for word in reply.text.split(" "):
            if self.delay:
                time.sleep(self.delay)
            yield word + " "
        session.add_turn("user", message)
        session.add_turn("assistant", reply.text)
        if self.turn_log is not None:
            turn = sum(1 for t in session.history if t.role == "user")
            self.turn_log.log_turn(session.session_id, turn, message, reply.to_dict())
        yield reply
