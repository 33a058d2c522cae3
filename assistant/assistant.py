"""One turn in, one reply out: language, intent, routing to a skill, grounded reply."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import AssistantConfig
from assistant.guardrails import (
    off_context_share,
    repetitive,
    unsupported_facts,
    wants_human,
)
from assistant.intent_detection import ExampleIndex, IntentDetector, IntentResult
from assistant.intents import get_intent
from assistant.language import detect_language
from assistant.orders import OrderBook, update_address
from assistant.prompts import faq_context, reply_messages
from assistant.replies import order_status_text, template
from assistant.session import Session
from assistant.slots import extract_slots
from retrieval.keyword import reciprocal_rank_fusion

logger = logging.getLogger(__name__)

MAX_FAILED_LOOKUPS = 3  # order lookups that found nothing, before a person takes over
YES = re.compile(
    r"^(?:yes|y|yeah|yep|sure|please do|confirm|ok|okay|s[ií]|是|是的|好|确认)\b", re.I
)
INVISIBLE = {c: None for c in (0, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
FAQ_CATEGORY_INTENTS = {
    "shipping": "shipping_info", "returns": "return_request", "refunds": "refund_status",
    "payment": "payment_problem", "account": "account_help", "orders": "order_status",
    "warranty": "warranty_info", "privacy": "privacy_info", "sizes": "size_help",
    "contact": "contact_info", "discounts": "discount_question",
}  # fmt: skip
INTENT_FAQ_CATEGORY = {intent: category for category, intent in FAQ_CATEGORY_INTENTS.items()}
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3,
            "4th": 3, "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "last": -1}  # fmt: skip


@dataclass
class ProductCard:
    """What the shopper sees of a product; every field comes from the catalogue."""

    item_id: str
    title: str
    price: float
    currency: str
    stock: int
    category: str
    reason: str = ""


@dataclass
class Reply:
    """The assistant's answer to one message, with what it was based on."""

    text: str
    language: str = "en"
    intent: str = "out_of_scope"
    confidence: float = 0.0
    faq_ids: list[str] = field(default_factory=list)
    products: list[ProductCard] = field(default_factory=list)
    order: dict[str, Any] | None = None
    handoff: bool = False
    clarify: bool = False
    guarded: bool = False  # a generated reply failed the fact check and was replaced
    latency_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Plan:
    """A reply decided but not yet written: fixed text, or a prompt for the LM."""

    reply: Reply
    prompt: list[dict] | None = None
    context: str = ""
    fallback: str = ""


def load_intent_examples(path: Path) -> tuple[list[str], list[str]]:
    """(texts, intents) of the labelled user turns in a dialogue JSONL file."""
    from assistant.intents import BY_NAME

    texts, labels = [], []
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            dialogue = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"{path}:{number}: invalid JSON: {getattr(exc, 'msg', exc)}") from None
        turns = dialogue.get("turns") if isinstance(dialogue, dict) else None
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            raise ValueError(f"{path}:{number}: turns: expected a list of objects")
        for turn in turns:
            if turn.get("role") == "user" and turn.get("intent"):
                if not isinstance(turn.get("content"), str):
                    raise ValueError(f"{path}:{number}: content: expected text")
                if turn["intent"] not in BY_NAME:
                    raise ValueError(f"{path}:{number}: intent: unknown intent {turn['intent']!r}")
                texts.append(turn["content"])
                labels.append(turn["intent"])
    return texts, labels


def clean_message(message: str, max_chars: int) -> str:
    """Drop NUL, zero-width characters and unpaired surrogates; trim; cut to max_chars."""
    message = message.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    message = message.translate(INVISIBLE).strip()
    return message[:max_chars]


def looks_like_address(text: str) -> bool:
    """A street address has a number and at least two words ("12 Oak Street")."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    return bool(re.search(r"\d", text)) and len(words) >= 2 and 8 <= len(text) <= 300


class Assistant:
    """The shop assistant; build it with `Assistant.from_config`."""

    def __init__(self, config: AssistantConfig, *, lm, embedder, store, orders: OrderBook,
                 recommender, products: dict, intents: IntentDetector,
                 faq: list | None = None) -> None:  # fmt: skip
        from retrieval.keyword import KeywordIndex

        self.config = config
        self.lm = lm
        self.embedder = embedder
        self.store = store
        self.orders = orders
        self.recommender = recommender
        self.products = products  # item_id -> Product
        self.categories = sorted({p.category for p in products.values()})
        self.intents = intents
        # FAQ entries also searched by keywords: the English sentence embedder reads Chinese
        # and Spanish questions poorly, and a shopper often uses the FAQ's own words.
        self.faq = {e.faq_id: e for e in (faq or [])}
        self.faq_keywords = KeywordIndex(
            [(e.faq_id, f"{e.question} {e.question} {e.answer}") for e in self.faq.values()]
        )
        self.faq_by_language: dict[str, set[str]] = {}
        for e in self.faq.values():
            self.faq_by_language.setdefault(e.language, set()).add(e.faq_id)

    # ----------------------------------------------------------------- start-up
    @classmethod
    def from_config(cls, config: AssistantConfig, lm=None) -> Assistant:
        """Load models, build or re-use the index, orders database and recommender."""
        from assistant.models import load_language_model
        from recommender import SessionRecommender
        from retrieval import Embedder, VectorStore, load_catalogue, load_faq

        shop, data = config.shop_dir, config.data_dir
        data.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        adapter_dir = config.resolved_adapter_dir()
        if lm is None:
            lm = load_language_model(config.base_model, adapter_dir, data / "models")
        embedder = Embedder(config.embedding_model)
        store = VectorStore(
            None if config.chroma_host else data / "chroma",
            embedder,
            host=config.chroma_host,
            port=config.chroma_port,
        )
        faq = load_faq(shop / "faq.jsonl")
        others = sorted({e.language for e in faq} - set(config.generate_languages))
        if others and config.reply_mode == "generate":
            logger.warning(
                "FAQ answers in %s are the entries' own text, not generated: the LM writes "
                "only %s (setting generate_languages)",
                others,
                list(config.generate_languages),
            )
        logger.info("FAQ index: %s", store.sync_faq(faq))
        catalogue = load_catalogue(shop / "catalogue.jsonl")
        logger.info("product index: %s", store.sync_products(catalogue))
        orders = OrderBook(data / "orders.sqlite")
        orders.load_jsonl(shop / "orders.jsonl")
        products = {p.item_id: p for p in catalogue}
        items = {p.item_id: {"title": p.title, "category": p.category, "price": p.price,
                             "stock": p.stock} for p in catalogue}  # fmt: skip
        recommender = SessionRecommender.load_or_train(
            data / "recommender", shop / "interactions.csv", items
        )
        examples = cls._example_index(embedder, shop / "dialogues" / "train.jsonl", data)
        intents = IntentDetector(
            lm=lm,
            embed=embedder.encode,
            examples=examples,
            lm_weight=config.resolved_lm_weight(),
            history_turns=config.history_turns,
        )
        logger.info("assistant ready in %.1f s", time.perf_counter() - started)
        return cls(config, lm=lm, embedder=embedder, store=store, orders=orders,
                   recommender=recommender, products=products, intents=intents,
                   faq=faq)  # fmt: skip

    @staticmethod
    def _example_index(embedder, path: Path, data_dir: Path) -> ExampleIndex | None:
        if not path.exists():
            logger.warning("no labelled dialogues at %s: intents come from the LM alone", path)
            return None
        texts, labels = load_intent_examples(path)
        digest = hashlib.sha256(("\n".join(texts) + "|" + "\n".join(labels)).encode()).hexdigest()
        cache = data_dir / f"intent-examples-{digest[:16]}.npy"
        if cache.exists():
            vectors = np.load(cache)
        else:
            vectors = embedder.encode(texts)
            np.save(cache, vectors)
        return ExampleIndex(vectors, labels)

    # ----------------------------------------------------------------- sessions
    def new_session(self, session_id: str | None = None) -> Session:
        return Session(session_id=session_id) if session_id else Session()

    def product(self, item_id: str):
        return self.products.get(item_id)

    def _card(self, item_id: str, reason: str = "") -> ProductCard:
        p = self.products[item_id]
        return ProductCard(p.item_id, p.title, p.price, p.currency, p.stock, p.category, reason)

    def recommend(self, session: Session, k: int | None = None) -> list[ProductCard]:
        """Recommendations for this session from what it viewed and carted."""
        k = k or self.config.products_shown
        recs = self.recommender.recommend(session.viewed, session.carted, k=k)
        return [self._card(r.item_id, r.reason) for r in recs if r.item_id in self.products]

    def record_event(self, session: Session, item_id: str, event: str) -> list[ProductCard]:
        """Note a view or add-to-cart of `item_id`; return the new recommendations."""
        if item_id not in self.products:
            raise KeyError(f"unknown item_id {item_id!r}")
        session.note_event(item_id, event)
        return self.recommend(session)

    # ----------------------------------------------------------------- turns
    def respond(self, session: Session, message: str) -> Reply:
        """The whole reply to `message` (see `respond_stream` for the pieces)."""
        reply = None
        for piece in self.respond_stream(session, message):
            if isinstance(piece, Reply):
                reply = piece
        return reply

    def respond_stream(self, session: Session, message: str) -> Iterator[str | Reply]:
        """Yield the reply text in pieces as it is written, then the final `Reply`.

        The final Reply's text is authoritative: when a generated reply fails the fact
        check, the final text is the safe answer built from the data instead.
        """
        started = time.perf_counter()
        if not isinstance(message, str):
            raise TypeError(f"message must be a string, got {type(message).__name__}")
        message = clean_message(message, self.config.max_message_chars)
        if self.lm is not None and message:
            message = self._cap_tokens(message)
        plan = self._plan(session, message)
        reply = plan.reply
        if plan.prompt is not None:
            gen_started = time.perf_counter()
            pieces = []
            for piece in self.lm.stream(plan.prompt, self.config.max_new_tokens):
                pieces.append(piece)
                yield piece
            text = "".join(pieces).strip()
            problems = unsupported_facts(text, plan.context)
            drift = off_context_share(text, plan.context)
            if problems or drift > self.config.max_off_context or len(text) < 2 or repetitive(text):
                # The shopper saw the draft stream by; the final text replaces it.
                logger.info("generated reply replaced: facts %s, off-context %.2f", problems, drift)
                reply.guarded = True
                text = plan.fallback
            reply.text = text
            reply.latency_ms["generate"] = 1000 * (time.perf_counter() - gen_started)
        else:
            yield reply.text
        reply.latency_ms["total"] = 1000 * (time.perf_counter() - started)
        if message:
            session.add_turn("user", message)
            session.add_turn("assistant", reply.text)
        yield reply

    def _cap_tokens(self, message: str) -> str:
        """Cut a message to `max_message_tokens`: emoji and rare scripts cost many tokens."""
        ids = self.lm.tokenizer.encode(message, add_special_tokens=False)
        if len(ids) <= self.config.max_message_tokens:
            return message
        return self.lm.tokenizer.decode(ids[: self.config.max_message_tokens]).strip()

    def _plan(self, session: Session, message: str) -> _Plan:
        lang = session.language
        if session.handed_off:
            return _Plan(Reply(template("handed_off", lang), lang, "human_agent", 1.0,
                               handoff=True))  # fmt: skip
        if not message:
            return _Plan(Reply(template("empty", lang), lang, "out_of_scope", 0.0, clarify=True))
        lang = detect_language(message, fallback=session.language)
        session.language = lang
        slots = extract_slots(message, self.categories)
        t0 = time.perf_counter()
        if wants_human(message):
            return self._handoff(session, lang, "human_agent", 1.0)
        if session.pending_intent in ("change_address_new", "cancel_order_confirm"):
            pending = session.pending_intent
            result = IntentResult(
                "cancel_order" if "cancel" in pending else "change_address", 1.0, {}
            )
        elif session.pending_intent and {"order_id", "email"} & slots.keys():
            result = IntentResult(session.pending_intent, 1.0, {})
        elif session.shown and self._refers_to_shown(message):
            # "how much is the second one?": a question about a product on screen.
            result = IntentResult("product_question", 1.0, {})
        else:
            history = [t.as_message() for t in session.history]
            result = self.intents.detect(history, message)
        intent_ms = 1000 * (time.perf_counter() - t0)
        logger.debug("intent %s (%.2f)", result.intent, result.confidence)
        plan = self._route(session, message, lang, slots, result)
        plan.reply.latency_ms["intent"] = intent_ms
        return plan

    def _route(self, session, message, lang, slots, result: IntentResult) -> _Plan:
        intent, conf = result.intent, result.confidence
        if conf < self.config.intent_threshold:
            # A message that plainly matches an FAQ entry is answered even when the intent
            # model is unsure (it reads Chinese and Spanish less well than English).
            entry = self.search_faq(message, lang, strict=True)
            if entry is not None:
                session.low_confidence_count = 0
                faq_intent = FAQ_CATEGORY_INTENTS.get(entry.category, intent)
                return self._faq(session, message, lang, faq_intent, conf, entry=entry)
            session.low_confidence_count += 1
            if session.low_confidence_count >= self.config.max_low_confidence:
                return self._handoff(session, lang, intent, conf)
            return _Plan(Reply(template("clarify", lang), lang, intent, conf, clarify=True))
        session.low_confidence_count = 0
        route = get_intent(intent).route
        if route == "handoff":
            return self._handoff(session, lang, intent, conf)
        if route == "order":
            return self._order(session, message, lang, slots, intent, conf)
        if intent != "change_address":
            session.pending_intent = None
        if route == "faq":
            return self._faq(session, message, lang, intent, conf)
        if route == "product":
            return self._products(session, message, lang, slots, intent, conf)
        name = intent if route == "smalltalk" else "out_of_scope"
        return _Plan(Reply(template(name, lang), lang, intent, conf))

    def _handoff(self, session, lang, intent, conf) -> _Plan:
        session.handed_off = True
        session.pending_intent = None
        return _Plan(Reply(template("handoff", lang), lang, intent, conf, handoff=True))

    # ----------------------------------------------------------------- skills
    def search_faq(self, message: str, language: str, strict: bool = False, intent: str = ""):
        """The best FAQ entry in `language` by dense + keyword search, or None.

        In languages the embedder reads well (`dense_languages`) both rankings are fused by
        reciprocal rank; elsewhere keywords lead and dense similarity only breaks ties. An
        entry is accepted when its embedding similarity reaches `faq_threshold` (dense
        languages only) or it holds `faq_keyword_coverage` of the message's keywords;
        `strict` raises both bars, for messages whose intent is unclear. With a confident
        FAQ `intent`, entries of its category come first and need only half the coverage.
        """
        dense = self.store.search_faq(message, top_k=8, language=language)
        allowed = self.faq_by_language.get(language, set())
        keyword = self.faq_keywords.search(message, top_k=8, allowed=allowed) if allowed else []
        dense_ids = [h.entry.faq_id for h in dense]
        keyword_ids = [h.doc_id for h in keyword]
        trust_dense = language in self.config.dense_languages
        if trust_dense:
            ranked = reciprocal_rank_fusion([dense_ids, keyword_ids])
        else:
            ranked = keyword_ids + [i for i in dense_ids if i not in keyword_ids]
        dense_score = {h.entry.faq_id: h.score for h in dense}
        coverage = {h.doc_id: h.coverage for h in keyword}
        category = INTENT_FAQ_CATEGORY.get(intent)
        in_category = [i for i in ranked if i in self.faq and self.faq[i].category == category]
        dense_bar = self.config.faq_threshold + (0.15 if strict else 0.0)
        keyword_bar = 0.9 if strict else self.config.faq_keyword_coverage
        exact = [] if trust_dense else [i for i in keyword_ids[:3] if coverage[i] >= 0.9]
        for faq_id in exact[:1] + in_category[:2] + ranked[:3]:
            bar = keyword_bar / 2 if faq_id in in_category else keyword_bar
            if (trust_dense and dense_score.get(faq_id, 0.0) >= dense_bar) or coverage.get(
                faq_id, 0.0
            ) >= bar:
                return self.faq.get(faq_id) or next(
                    h.entry for h in dense if h.entry.faq_id == faq_id
                )
        return None

    def _faq(self, session, message, lang, intent, conf, entry=None) -> _Plan:
        t0 = time.perf_counter()
        # The intent's FAQ category is a hint only when the intent model is sure of it.
        hint = intent if conf >= 0.6 else ""
        best = entry or self.search_faq(message, lang, intent=hint)
        prefix = ""
        if best is None and lang != "en":
            best = self.search_faq(message, "en", intent=hint)
            prefix = template("english_only", lang)
        retrieve_ms = 1000 * (time.perf_counter() - t0)
        if best is None:
            reply = Reply(template("faq_not_found", lang), lang, intent, conf)
            reply.latency_ms["retrieve"] = retrieve_ms
            return _Plan(reply)
        reply = Reply("", lang, intent, conf, faq_ids=[best.faq_id])
        reply.latency_ms["retrieve"] = retrieve_ms
        fallback = prefix + best.answer
        extractive = (
            self.config.reply_mode == "extractive"
            or lang not in self.config.generate_languages
            or self.lm is None
            or prefix
        )
        if extractive:
            reply.text = fallback
            return _Plan(reply)
        context = faq_context([best])
        history = [t.as_message() for t in session.history]
        prompt = reply_messages(history, message, context, lang, self.config.history_turns)
        return _Plan(reply, prompt=prompt, context=context, fallback=fallback)

    def _order(self, session, message, lang, slots, intent, conf) -> _Plan:
        if session.pending_intent == "change_address_new":
            return self._new_address(session, message, lang, conf)
        if session.pending_intent == "cancel_order_confirm":
            return self._confirm_cancel(session, message, lang)
        if session.failed_lookups >= MAX_FAILED_LOOKUPS:
            # Guessing emails or order numbers ends with a person, not with more tries.
            return self._handoff(session, lang, intent, conf)
        for key in ("order_id", "email"):
            if key in slots:
                session.slots[key] = slots[key]
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        session.pending_intent = intent
        if not order_id and not email:
            text = template("ask_order_and_email", lang)
        elif not email:
            text = template("ask_email", lang, order_id=order_id)
        elif not order_id:
            text = template("ask_order_id", lang)
        else:
            text = None
        if text:
            return _Plan(Reply(text, lang, intent, conf, clarify=True))
        session.pending_intent = None
        order = self.orders.lookup(order_id, email)
        if order is None:
            # Forget the email but keep the order id: a new email (or a new order id) in the
            # next message continues the same request.
            session.failed_lookups += 1
            session.slots.pop("email", None)
            session.pending_intent = intent
            return _Plan(Reply(template("order_not_found", lang), lang, intent, conf, clarify=True))
        facts = {k: order[k] for k in ("order_id", "status", "order_date", "shipped_date",
                                       "delivered_date", "tracking_number", "carrier")}  # fmt: skip
        if intent == "cancel_order":
            if order["status"] == "processing":
                # Cancelling cannot be undone: it needs an explicit yes in the next message.
                session.pending_intent = "cancel_order_confirm"
                text = (f"Order {order_id} has not shipped yet, so it can be cancelled. "
                        "Do you want me to cancel it? Please answer yes or no.")  # fmt: skip
            else:
                text = order_status_text(order, lang) + (
                    " It can no longer be cancelled here; you can return it instead."
                )
        elif intent == "change_address":
            if order["status"] == "processing":
                session.pending_intent = "change_address_new"
                text = (f"Order {order_id} has not shipped yet, so its address can be changed. "
                        "What is the new delivery address?")  # fmt: skip
            else:
                text = order_status_text(order, lang) + " Its address can no longer be changed."
        else:
            text = order_status_text(order, lang)
        return _Plan(Reply(text, lang, intent, conf, order=facts))

    def _confirm_cancel(self, session, message, lang) -> _Plan:
        session.pending_intent = None
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        if not YES.match(message.strip()):
            text = f"Alright, order {order_id} stays as it is."
            return _Plan(Reply(text, lang, "cancel_order", 1.0))
        cancelled, order = self.orders.cancel(order_id, email)
        if cancelled:
            text = f"Order {order_id} is now cancelled. The refund follows our refund policy."
        else:
            text = order_status_text(order, lang) + " It can no longer be cancelled here."
        facts = {"order_id": order_id, "status": order["status"]} if order else None
        return _Plan(Reply(text, lang, "cancel_order", 1.0, order=facts))

    def _new_address(self, session, message, lang, conf) -> _Plan:
        session.pending_intent = None
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        if not looks_like_address(message):
            text = (f"I left the address of order {order_id} unchanged. To change it, ask again "
                    "and give the full new address with the street number.")  # fmt: skip
            return _Plan(Reply(text, lang, "change_address", conf))
        try:
            changed = update_address(self.orders, order_id, email, message)
        except ValueError:
            changed = False
        text = (f"Done: order {order_id} will be delivered to the new address." if changed
                else "I couldn't change the address of that order. A person from our team can "
                "help: just ask for an agent.")  # fmt: skip
        return _Plan(Reply(text, lang, "change_address", conf))

    def _products(self, session, message, lang, slots, intent, conf) -> _Plan:
        k = self.config.products_shown
        ordinal = self._ordinal(message)
        if intent == "product_question" and ordinal is not None and session.shown:
            try:
                item_id = session.shown[ordinal]
            except IndexError:
                item_id = None
            if item_id:
                return _Plan(self._product_detail(item_id, lang, intent, conf))
        has_filter = any(key in slots for key in ("category", "max_price", "min_price"))
        if intent == "product_recommendation" and not has_filter:
            cards = self.recommend(session, k)
            reply = Reply(template("recommendations", lang), lang, intent, conf, products=cards)
        else:
            hits = self.store.search_products(
                message, top_k=40, category=slots.get("category"),
                min_price=slots.get("min_price"), max_price=slots.get("max_price"),
            )  # fmt: skip
            if intent == "product_question" and hits:
                return _Plan(self._product_detail(hits[0].product.item_id, lang, intent, conf))
            cards = self._rank_hits(session, hits, k)
            what = slots.get("category", "products").replace("-", " ")
            price = self._price_words(slots)
            name = "products_found" if cards else "products_none"
            text = template(name, lang, n=len(cards), what=what, price=price)
            reply = Reply(text, lang, intent, conf, products=cards)
        session.shown = [c.item_id for c in reply.products]
        return _Plan(reply)

    def _rank_hits(self, session, hits, k) -> list[ProductCard]:
        """Order search hits by text match and by the recommender's score for this session."""
        if not hits:
            return []
        hits = [h for h in hits if h.product.item_id in self.products]
        ids = [h.product.item_id for h in hits]
        sem = np.array([h.score for h in hits])
        rec = np.asarray(self.recommender.score(session.viewed, session.carted, ids), dtype=float)

        def unit(x: np.ndarray) -> np.ndarray:
            span = x.max() - x.min()
            return (x - x.min()) / span if span > 0 else np.zeros_like(x)

        combined = 0.6 * unit(sem) + 0.4 * unit(rec)
        order = np.argsort(-combined, kind="stable")[:k]
        history = bool(session.viewed or session.carted)
        return [self._card(ids[i], "fits your search and what you viewed" if history
                           else "matches your search") for i in order]  # fmt: skip

    def _product_detail(self, item_id, lang, intent, conf) -> Reply:
        p = self.products[item_id]
        attrs = ", ".join(f"{k}: {v}" for k, v in p.attributes.items())
        stock = f"{p.stock} in stock" if p.stock > 0 else "currently out of stock"
        text = f"{p.title} costs {p.price:.2f} {p.currency} and is {stock}. {p.description}"
        if attrs:
            text += f" ({attrs})"
        return Reply(text, lang, intent, conf, products=[self._card(item_id, "you asked about it")])

    @classmethod
    def _refers_to_shown(cls, message: str) -> bool:
        words = set(re.findall(r"\w+", message.lower()))
        return cls._ordinal(message) is not None and bool(words & {"one", "item", "product"})

    @staticmethod
    def _ordinal(message: str) -> int | None:
        for word in re.findall(r"\w+", message.lower()):
            if word in ORDINALS:
                return ORDINALS[word]
        return None

    @staticmethod
    def _price_words(slots: dict) -> str:
        lo, hi = slots.get("min_price"), slots.get("max_price")
        if lo is not None and hi is not None:
            return f" between {lo:g} and {hi:g}"
        if hi is not None:
            return f" under {hi:g}"
        if lo is not None:
            return f" over {lo:g}"
        return ""
