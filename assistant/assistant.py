"""One turn in, one reply out: language, intent, routing to a skill, grounded reply."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.budget import stream_within_budget
from assistant.config import AssistantConfig
from assistant.followup import CHEAPER, PRODUCT_SLOTS, FollowUp
from assistant.followup import resolve as resolve_follow_up
from assistant.guardrails import (
    contradicts,
    discount_codes,
    echoes_question,
    echoes_scaffolding,
    is_upset,
    loops,
    off_context_share,
    redact,
    refusal_kind,
    repetitive,
    unsupported_facts,
    wants_human,
)
from assistant.intent_detection import ExampleIndex, IntentDetector, IntentResult
from assistant.intents import get_intent
from assistant.language import detect_language
from assistant.limits import MESSAGE_LENGTH, SessionLimits, limit_text
from assistant.orders import (
    TOO_MANY_ATTEMPTS,
    OrderBook,
    ShopTools,
    missing_arguments,
    policy_return_days,
)
from assistant.prompts import faq_context, reply_messages
from assistant.replies import LANGUAGES, STATUS_WORDS, order_status_text, template
from assistant.session import Session, handoff_summary
from assistant.slots import EMAIL, extract_slots, fits_size, has_colour
from assistant.turn_log import FEEDBACK_VALUES, open_turn_log
from retrieval.keyword import reciprocal_rank_fusion

logger = logging.getLogger(__name__)

MAX_FAILED_LOOKUPS = 3  # order lookups that found nothing, before a person takes over
YES = re.compile(
    r"^(?:yes|y|yeah|yep|sure|please do|confirm|ok|okay|s[ií]|是|是的|好|确认)\b", re.I
)
SHOPPING_ASK = re.compile(
    r"(?:show me|do you (?:have|sell|carry)|(?:i'?m|i am) looking for|looking for|"
    r"i (?:want|need) to buy|where can i find)\b",
    re.IGNORECASE,
)
NOT_PRODUCTS = {"order", "orders", "return", "returns", "refund", "policy", "shipping",
                "delivery", "warranty", "account", "password", "payment", "invoice"}  # fmt: skip
RETURN_WORD = re.compile(r"\breturn|devol|退货|退回", re.IGNORECASE)
OTHER_ORDER_TOOL = re.compile(r"cancel|address|direcci[oó]n|取消|地址", re.IGNORECASE)
# An order number and an email with nothing else, or with only a question about where the
# order is, ask for its status: "order 10001 email x@y.com", "我的订单10001在哪里？邮箱 a@b.com".
STATUS_CUE = re.compile(
    r"\b(?:where|status|track(?:ing)?|shipped|arriv\w*|d[oó]nde|estado|seguimiento)\b"
    r"|在哪里|在哪|到哪|物流|快递|状态|发货|查询|查一下|进度",
    re.IGNORECASE,
)
ORDER_FILLER = re.compile(
    r"\b(?:order|orders|e-?mail|mail|my|is|it|its|number|no|id|and|the|of|for|here|"
    r"pedido|correo|mi|es|est[aá]|el|y|de)\b|<email>|订单号?|邮箱|我的|是|和|号",
    re.IGNORECASE,
)
BUDGET = re.compile(r"\bbudget\b|presupuesto|预算", re.IGNORECASE)
INVISIBLE = {c: None for c in (0, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
FAQ_CATEGORY_INTENTS = {
    "shipping": "shipping_info", "returns": "return_request", "refunds": "refund_status",
    "payment": "payment_problem", "account": "account_help", "orders": "order_status",
    "warranty": "warranty_info", "privacy": "privacy_info", "sizes": "size_help",
    "contact": "contact_info", "discounts": "discount_question",
}  # fmt: skip
INTENT_FAQ_CATEGORY = {intent: category for category, intent in FAQ_CATEGORY_INTENTS.items()}
PENDING_REPLIES = ("change_address_new", "change_address_confirm", "cancel_order_confirm")
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
    # The FAQ candidates searched: id, dense similarity and keyword coverage (for the log).
    faq_scores: list[dict[str, Any]] = field(default_factory=list)
    products: list[ProductCard] = field(default_factory=list)
    order: dict[str, Any] | None = None
    handoff: bool = False
    clarify: bool = False
    guarded: bool = False  # a generated reply failed the fact check and was replaced
    latency_ms: dict[str, float] = field(default_factory=dict)
    over_budget: bool = False  # generation would pass reply_budget_s: extractive answer
    limit: str | None = None  # a limit of assistant.limits that this message hit
    # Shop tools called for this reply: {"name", "args" (redacted), "ok", "result"}.
    tools: list[dict[str, Any]] = field(default_factory=list)
    refused: str = ""  # why the request was declined: injection, other_customer, ...
    query: str = ""  # the stand-alone product query searched (follow-ups rewritten)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Plan:
    """A reply decided but not yet written: fixed text, or a prompt for the LM."""

    reply: Reply
    prompt: list[dict] | None = None
    context: str = ""
    fallback: str = ""
    failed: bool = False  # the turn could not be answered (counts towards a handoff)


def load_intent_examples(path: Path) -> tuple[list[str], list[str]]:
    """(texts, intents) of the labelled user turns in a dialogue JSONL file."""
    from assistant.intents import BY_NAME

    texts, labels = [], []
    raw = Path(path).read_bytes()
    try:
        lines = raw.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"{path}:{line}: not UTF-8 text ({exc.reason})") from None
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


# "The new address is 7 Elm Road": the lead-in is not part of the address.
ADDRESS_LEAD = re.compile(
    r"^\W*(?:(?:the|my|it'?s|it is)\s+)?(?:new\s+)?(?:(?:delivery|shipping)\s+)?"
    r"(?:address|direcci[oó]n|地址)?(?:\s+is|\s+es|是)?\s*[:：-]?\s*",
    re.IGNORECASE,
)
# Words of a question, a refusal or another request, which an address does not contain:
# "I have 2 questions first", "wait, cancel order 10189 instead" are not addresses.
NOT_ADDRESS = re.compile(
    r"[?？¿]|\b(?:i|i'm|me|my|you|your|we|have|has|want|need|please|how|what|when|where|"
    r"why|who|which|can|could|would|should|sorry|wait|instead|cancel|no|not|keep|ignore|"
    r"never|mind|questions?|orders?|show|tell|thanks?|yes|refund|return|shipping|cost|"
    r"quiero|tengo|c[oó]mo|cu[aá]nto|pedido|cancelar|gracias|espera)\b"
    r"|我|你|吗|取消|订单|什么|怎么|多少|等等",
    re.IGNORECASE,
)
KEEP_ADDRESS = re.compile(
    r"^\W*(?:no|nope|never ?mind|keep|leave|forget|don'?t|no importa|d[eé]jalo|不用|算了|不要)\b",
    re.IGNORECASE,
)


def plain_order_lookup(message: str, slots: dict) -> bool:
    """True when `message` gives an order id and an email and asks nothing else of them
    (at most where the order is): that is a status lookup, whatever the intent model reads."""
    if not {"order_id", "email"} <= slots.keys():
        return False
    if RETURN_WORD.search(message) or OTHER_ORDER_TOOL.search(message):
        return False
    rest = EMAIL.sub(" ", message).replace(slots["order_id"], " ")
    rest = ORDER_FILLER.sub(" ", STATUS_CUE.sub(" ", rest))
    return re.search(r"[^\W\d_]", rest) is None


def looks_like_address(text: str) -> bool:
    """A street address has a number and at least two words ("12 Oak Street")."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    return bool(re.search(r"\d", text)) and len(words) >= 2 and 8 <= len(text) <= 300


def address_reply(message: str) -> str | None:
    """The address in a reply to "What is the new delivery address?", or None.

    A message with a number and two words is not enough: questions, cancellations and other
    requests ("I have 2 questions first") are turned away; the shopper confirms what is kept.
    """
    address = ADDRESS_LEAD.sub("", message.strip(), count=1).strip()
    if NOT_ADDRESS.search(address) or not looks_like_address(address):
        return None
    return address


class Assistant:
    """The shop assistant; build it with `Assistant.from_config`."""

    def __init__(self, config: AssistantConfig, *, lm, embedder, store, orders: OrderBook,
                 recommender, products: dict, intents: IntentDetector,
                 faq: list | None = None) -> None:  # fmt: skip
        from retrieval.hybrid import HybridSearch
        from retrieval.keyword import KeywordIndex

        self.config = config
        self.lm = lm
        self.embedder = embedder
        self.store = store
        self.orders = orders
        self.recommender = recommender
        self.products = products  # item_id -> Product
        self.categories = sorted({p.category for p in products.values()})
        # Words of product titles (4+ letters, plural 's' dropped): "show me headphones" names
        # something the shop sells, "show me the return policy" does not.
        self.title_words = {
            w.rstrip("s")
            for p in products.values()
            for w in re.findall(r"[a-z]{4,}", p.title.lower())
        }
        self.intents = intents
        # FAQ entries also searched by keywords: the English sentence embedder reads Chinese
        # and Spanish questions poorly, and a shopper often uses the FAQ's own words.
        self.faq = {e.faq_id: e for e in (faq or [])}
        # Products are searched by dense + keyword rank fusion with the same filters.
        self.product_search = HybridSearch(store, faq=[], products=list(products.values()))
        self.faq_keywords = KeywordIndex(
            [(e.faq_id, f"{e.question} {e.question} {e.answer}") for e in self.faq.values()]
        )
        self.faq_by_language: dict[str, set[str]] = {}
        for e in self.faq.values():
            self.faq_by_language.setdefault(e.language, set()).add(e.faq_id)
        self.turn_log = open_turn_log(config.resolved_log_path())
        # Discount codes the shop publishes in its FAQ; any other code is an invented one.
        self.known_codes = frozenset().union(*(discount_codes(e.answer) for e in self.faq.values()))
        return_days = config.return_window_days or policy_return_days(self.faq.values())
        if return_days is None:
            logger.warning("no return window in the FAQ or config: return checks go to the FAQ")
        self.tools = ShopTools(orders, return_days)
        self.limits = SessionLimits(config.max_turns_per_session, config.max_requests_per_second)

    # ----------------------------------------------------------------- start-up
    @classmethod
    def from_config(cls, config: AssistantConfig, lm=None) -> Assistant:
        """Load models, build or re-use the index, orders database and recommender."""
        from assistant.ingest import open_store
        from assistant.models import load_language_model
        from recommender import SessionRecommender
        from retrieval import Embedder
        from retrieval.ingest import sync_shop_file

        shop, data = config.shop_dir, config.data_dir
        data.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        adapter_dir = config.resolved_adapter_dir()
        if lm is None:
            lm = load_language_model(
                config.base_model, adapter_dir, data / "models", precision=config.lm_precision
            )
        embedder = Embedder(config.embedding_model)
        store = open_store(config, embedder)
        # The shop folder's files fill the store when it is empty or they changed since;
        # what `shop-assistant ingest` put there is kept (see retrieval/ingest.py).
        logger.info("FAQ index: %s", sync_shop_file(store, "faq", shop / "faq.jsonl"))
        faq = store.faq_entries()
        others = sorted({e.language for e in faq} - set(config.generate_languages))
        if others and config.reply_mode == "generate":
            logger.warning(
                "FAQ answers in %s are the entries' own text, not generated: the LM writes "
                "only %s (setting generate_languages)",
                others,
                list(config.generate_languages),
            )
        catalogue_file = shop / "catalogue.jsonl"
        logger.info("product index: %s", sync_shop_file(store, "catalogue", catalogue_file))
        catalogue = store.products()
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
            lm_gate=config.intent_lm_gate,
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
        if self.turn_log is not None:
            self.turn_log.log_click(session.session_id, item_id, event, session.shown)
        return self.recommend(session)

    def record_feedback(self, session: Session, turn: int, value: str) -> None:
        """Log the shopper's thumbs ("up" or "down") on the reply to user turn `turn` (1-based)."""
        asked = sum(1 for t in session.history if t.role == "user")
        if not asked:
            raise ValueError("this session has no replies yet to give feedback on")
        if isinstance(turn, bool) or not isinstance(turn, int) or not 1 <= turn <= asked:
            raise ValueError(f"turn must be between 1 and {asked}, got {turn!r}")
        if value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback must be one of {FEEDBACK_VALUES}, got {value!r}")
        if self.turn_log is not None:
            self.turn_log.log_feedback(session.session_id, turn, value)

    def suggest_replies(self, conversation, n: int = 3) -> list:
        """Suggested replies for a person taking over (see assistant.agent_assist)."""
        from assistant.agent_assist import suggest_replies

        return suggest_replies(self, conversation, n)

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
        limit = self.limits.check(session)
        if limit is not None:
            yield from self._limited(session, limit, started)
            return
        full = clean_message(message, len(message))
        message = full[: self.config.max_message_chars]
        if self.lm is not None and message:
            message = self._cap_tokens(message)
        plan = self._plan(session, message)
        reply = plan.reply
        note = ""
        if message and len(message) < len(full):
            # Say that the end was not read, rather than answer half a question silently.
            reply.limit = MESSAGE_LENGTH
            # Cut by characters, or earlier by tokens (emoji, CJK): name what was read.
            read = min(len(message), self.config.max_message_chars)
            note = limit_text(MESSAGE_LENGTH, reply.language, max_chars=read)
            yield note
        if plan.prompt is not None:
            gen_started = time.perf_counter()
            pieces = []
            deadline = started + self.config.reply_budget_s
            for piece in stream_within_budget(
                self.lm, plan.prompt, self.config.max_new_tokens, deadline, reply
            ):
                pieces.append(piece)
                yield piece
            text = "".join(pieces).strip()
            problems = unsupported_facts(text, plan.context)
            drift = off_context_share(text, plan.context)
            if reply.over_budget:  # too slow now: the FAQ entry's own text (assistant/budget.py)
                text = plan.fallback
            elif (
                problems
                or drift > self.config.max_off_context
                or len(text) < 2
                or repetitive(text)
                or loops(text, plan.context)
                or echoes_scaffolding(text, plan.context)
                or echoes_question(text, message)
                or contradicts(text, plan.context)
            ):
                # The shopper saw the draft stream by; the final text replaces it.
                logger.info("generated reply replaced: facts %s, off-context %.2f", problems, drift)
                reply.guarded = True
                text = plan.fallback
            reply.text = text
            reply.latency_ms["generate"] = 1000 * (time.perf_counter() - gen_started)
        else:
            yield reply.text
        reply.text = note + reply.text
        reply.latency_ms["total"] = 1000 * (time.perf_counter() - started)
        if message:
            # History is embedded and saved: it keeps the redacted message only.
            session.add_turn("user", redact(message))
            session.add_turn("assistant", reply.text)
            session.intents.append(reply.intent)
            if self.turn_log is not None:
                turn = sum(1 for t in session.history if t.role == "user")
                self.turn_log.log_turn(session.session_id, turn, message, reply.to_dict())
        yield reply

    def _limited(self, session: Session, limit: str, started: float) -> Iterator[str | Reply]:
        """The answer to a message over the turn or rate limit: it is not read or kept."""
        lang = session.language
        text = limit_text(limit, lang, max_turns=self.limits.max_turns)
        reply = Reply(text, lang, "out_of_scope", 0.0, limit=limit)
        logger.info("session %s is over its %s limit", session.session_id, limit)
        yield text
        reply.latency_ms["total"] = 1000 * (time.perf_counter() - started)
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
            # A person has this chat: no new answers, only the notice that they will reply.
            return _Plan(Reply(template("handed_off", lang), lang, "human_agent", 1.0,
                               handoff=True))  # fmt: skip
        if not message:
            return _Plan(Reply(template("empty", lang), lang, "out_of_scope", 0.0, clarify=True))
        lang = detect_language(message, fallback=session.language)
        session.language = lang
        plan = self._plan_turn(session, message, lang)
        if not plan.failed:
            session.failed_turns = 0
        if lang not in LANGUAGES and lang not in self.config.generate_languages:
            # No templates or FAQ entries in this language: say so, then answer in English.
            plan.reply.text = template("english_notice", "en") + plan.reply.text
        return plan

    def _plan_turn(self, session: Session, message: str, lang: str) -> _Plan:
        """Guards first (person, anger, refusals), then pending tools, follow-ups, intents."""
        raw = message
        if session.pending_intent != "change_address_confirm":
            session.slots.pop("new_address", None)  # read back, but not confirmed
        slots = extract_slots(raw, self.categories)
        # Personal data never reaches the embedder, the search or the intent LM.
        message = redact(raw)
        t0 = time.perf_counter()
        if wants_human(message):
            return self._handoff(session, lang, "human_agent", 1.0, "request")
        if is_upset(message):
            return self._handoff(session, lang, "complaint", 1.0, "upset")
        kind = refusal_kind(message, self.known_codes)
        if kind is not None:
            return self._refuse(session, lang, kind)
        if (
            session.pending_intent == "change_address_new"
            and address_reply(raw) is None
            and not KEEP_ADDRESS.search(raw)
        ):
            # Not an address but another request ("how much is shipping?", "cancel it
            # instead"): the address flow ends unchanged and the message is answered as new.
            session.pending_intent = None
        follow = None
        history = [t.as_message() for t in session.history]
        if session.pending_intent in PENDING_REPLIES:
            pending = session.pending_intent
            result = IntentResult(
                "cancel_order" if "cancel" in pending else "change_address", 1.0, {}
            )
        elif session.pending_intent and {"order_id", "email"} & slots.keys():
            result = IntentResult(session.pending_intent, 1.0, {})
        elif session.pending_intent and YES.match(message.strip()) and len(message) <= 20:
            # "yes" / "ok" while an order tool waits for the number or email: ask again,
            # rather than read the bare word as a new question (it matched an FAQ entry).
            result = IntentResult(session.pending_intent, 1.0, {})
        elif plain_order_lookup(raw, slots):
            result = IntentResult("order_status", 1.0, {})
        elif session.shown and self._refers_to_shown(message):
            # "how much is the second one?": a question about a product on screen.
            result = IntentResult("product_question", 1.0, {})
        else:
            follow = resolve_follow_up(message, slots, session)
            result = None
            if follow is not None and get_intent(follow.intent).route == "faq":
                # "and where is my order?" starts like a follow-up but is a new request.
                detected = self.intents.detect(history, message)
                new_route = get_intent(detected.intent).route
                if detected.confidence >= self.config.intent_threshold and new_route not in (
                    "faq", "smalltalk", "out_of_scope"
                ):  # fmt: skip
                    follow, result = None, detected
            if follow is not None:
                result = IntentResult(follow.intent, 1.0, {})
            elif result is None:
                result = self.intents.detect(history, message)
        intent_ms = 1000 * (time.perf_counter() - t0)
        logger.debug("intent %s (%.2f)", result.intent, result.confidence)
        plan = self._route(session, message, raw, lang, slots, result, follow)
        plan.reply.latency_ms["intent"] = intent_ms
        return plan

    def _route(self, session, message, raw, lang, slots, result: IntentResult,
               follow: FollowUp | None = None) -> _Plan:  # fmt: skip
        intent, conf = result.intent, result.confidence
        return_check = self._is_return_check(message, slots, session, intent)
        if return_check:
            intent, conf = "return_request", max(conf, self.config.intent_threshold)
        elif (
            get_intent(intent).route != "product"
            and not {"order_id", "email"} & slots.keys()
            and self._asks_for_products(message)
        ):
            # "show me headphones" / "do you sell tents?": a product the shop sells, whatever
            # FAQ the intent model thought of (it read warranty_info there).
            intent, conf = "product_search", max(conf, self.config.intent_threshold)
        elif slots.get("category") and {"min_price", "max_price"} & slots.keys():
            # "running shoes between 60 and 120" is a search, whatever the numbers suggest
            # to the intent model (sizes, shipping costs), and however unsure it is of a
            # terse one ("running shoes under 80": no verb, so few phrasings are near).
            if get_intent(intent).route != "product":
                intent = "product_search"
            conf = max(conf, self.config.intent_threshold)
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
                session.failures.append("unclear")
                return self._handoff(session, lang, intent, conf, "repeated_failure")
            reply = Reply(template("clarify", lang), lang, intent, conf, clarify=True)
            return self._failure(session, reply, "unclear")
        session.low_confidence_count = 0
        route = "order" if return_check else get_intent(intent).route
        if route == "handoff":
            return self._handoff(session, lang, intent, conf, intent)
        if route == "order":
            return self._order(session, message, raw, lang, slots, intent, conf)
        session.pending_intent = None
        if route == "faq":
            if follow is not None:
                # "and to Canada?" plainly matching an entry of its own (international
                # shipping) means that entry; the rewritten query ("How long does shipping
                # take? and to Canada?") would find the previous answer again.
                own = self.search_faq(message, lang, strict=True)
                if own is not None:
                    before = (
                        self.search_faq(session.last_query, lang) if session.last_query else None
                    )
                    if before is None or before.faq_id != own.faq_id:
                        return self._faq(session, message, lang, intent, conf, entry=own)
            query = follow.query if follow is not None else message
            return self._faq(session, query, lang, intent, conf)
        if route == "product":
            return self._products(session, message, lang, slots, intent, conf, follow)
        name = intent if route == "smalltalk" else "out_of_scope"
        return _Plan(Reply(template(name, lang), lang, intent, conf))

    def _asks_for_products(self, message: str) -> bool:
        """ "show me X", "do you sell X", "I'm looking for X" where X names words of product
        titles (and nothing about orders, returns or policies)."""
        found = SHOPPING_ASK.match(message.strip())
        if found is None:
            return False
        rest = re.findall(r"[a-z]{4,}", message[found.end() :].lower())
        named = [w for w in rest if w.rstrip("s") in self.title_words]
        return bool(named) and not any(w in NOT_PRODUCTS for w in rest)

    @staticmethod
    def _is_return_check(message, slots, session, intent) -> bool:
        """ "Can I return order 10023?": the return-eligibility tool, not the policy FAQ."""
        if get_intent(intent).route not in ("order", "faq", "out_of_scope"):
            return False
        if session.pending_intent == "return_request" and {"order_id", "email"} & slots.keys():
            return True
        # An order number next to "return" asks about that order, whatever the intent
        # model read into it, unless the shopper also says cancel or address.
        return (
            "order_id" in slots
            and RETURN_WORD.search(message) is not None
            and OTHER_ORDER_TOOL.search(message) is None
        )

    def _handoff(self, session, lang, intent, conf, reason: str) -> _Plan:
        session.slots.pop("new_address", None)  # unconfirmed: not for the summary or a file
        session.hand_off(reason)
        logger.info("session %s handed over to a person: %s", session.session_id, reason)
        name = "handoff_upset" if reason == "upset" else "handoff"
        return _Plan(Reply(template(name, lang), lang, intent, conf, handoff=True))

    def _refuse(self, session, lang, kind: str) -> _Plan:
        """A polite refusal (injection, other customers, invented codes, policy exceptions);
        off-topic requests are steered back to the shop."""
        session.pending_intent = None
        name = "out_of_scope" if kind == "off_topic" else f"refuse_{kind}"
        return _Plan(Reply(template(name, lang), lang, "out_of_scope", 1.0, refused=kind))

    def _failure(self, session, reply: Reply, kind: str) -> _Plan:
        """A turn that could not be answered; `max_failed_turns` in a row reach a person."""
        session.failures.append(kind)
        session.failed_turns += 1
        if session.failed_turns >= self.config.max_failed_turns:
            return self._handoff(session, reply.language, reply.intent, reply.confidence,
                                 "repeated_failure")  # fmt: skip
        return _Plan(reply, failed=True)

    def release_handoff(self, session: Session) -> None:
        """The agent gives the chat back to the bot (after `handoff_summary` was read)."""
        session.release_handoff()
        logger.info("session %s released by the agent", session.session_id)

    def handoff_summary(self, session: Session) -> dict[str, Any]:
        """What the agent taking over needs to know, redacted (see session.handoff_summary)."""
        return handoff_summary(session)

    # ----------------------------------------------------------------- skills
    def search_faq(
        self,
        message: str,
        language: str,
        strict: bool = False,
        intent: str = "",
        scores: dict | None = None,
    ):
        """The best FAQ entry in `language` by dense + keyword search, or None.

        In languages the embedder reads well (`dense_languages`) both rankings are fused by
        reciprocal rank; elsewhere keywords lead and dense similarity only breaks ties. An
        entry is accepted when its embedding similarity reaches `faq_threshold` (dense
        languages only) or it holds `faq_keyword_coverage` of the message's keywords;
        `strict` raises both bars, for messages whose intent is unclear. With a confident
        FAQ `intent`, entries of its category come first and need only half the coverage.
        `scores`, when given, receives the top candidates' dense similarity and keyword
        coverage by id (for the turn log).
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
        if scores is not None:
            for faq_id in ranked[:5]:
                scores[faq_id] = {
                    "dense": round(float(dense_score.get(faq_id, 0.0)), 4),
                    "keyword": round(float(coverage.get(faq_id, 0.0)), 4),
                }
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
        hint = intent if conf >= self.config.faq_hint_confidence else ""
        found: dict[str, dict] = {}
        best = entry or self.search_faq(message, lang, intent=hint, scores=found)
        prefix = ""
        if best is None and lang != "en":
            best = self.search_faq(message, "en", intent=hint, scores=found)
            prefix = template("english_only", lang)
        retrieve_ms = 1000 * (time.perf_counter() - t0)
        session.last_query = message
        if best is None:
            reply = Reply(template("faq_not_found", lang), lang, intent, conf)
            reply.faq_scores = [{"id": k} | v for k, v in found.items()]
            reply.latency_ms["retrieve"] = retrieve_ms
            return self._failure(session, reply, "faq_not_found")
        reply = Reply("", lang, intent, conf, faq_ids=[best.faq_id])
        reply.faq_scores = [{"id": k} | v for k, v in found.items()]
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

    def _order(self, session, message, raw, lang, slots, intent, conf) -> _Plan:
        if session.pending_intent == "change_address_new":
            return self._new_address(session, raw, lang, conf)
        if session.pending_intent == "change_address_confirm":
            return self._confirm_address(session, raw, lang, conf)
        if session.pending_intent == "cancel_order_confirm":
            return self._confirm_cancel(session, message, lang)
        if session.failed_lookups >= MAX_FAILED_LOOKUPS:
            # Guessing emails or order numbers ends with a person, not with more tries.
            return self._handoff(session, lang, intent, conf, "failed_lookups")
        for key in ("order_id", "email"):
            if key in slots:
                session.slots[key] = slots[key]
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        session.pending_intent = intent
        missing = missing_arguments(order_id, email)
        if missing:
            # No tool runs without both: ask for what is missing.
            if len(missing) == 2 and not order_id and not email:
                text = template("ask_order_and_email", lang)
            elif "email" in missing:
                name = "invalid_email" if email else "ask_email"
                text = template(name, lang, order_id=order_id)
            else:
                text = template("ask_order_id", lang)
            return _Plan(Reply(text, lang, intent, conf, clarify=True))
        session.pending_intent = None
        tool = self.tools.return_eligibility if intent == "return_request" else (
            self.tools.order_status)  # fmt: skip
        call = tool(order_id, email)
        if call.result == TOO_MANY_ATTEMPTS:  # guessed at from other sessions too: no more tries
            session.slots.pop("email", None)
            reply = Reply(template("order_locked", lang), lang, intent, conf,
                          tools=[call.to_dict()])  # fmt: skip
            return self._failure(session, reply, "order_locked")
        if call.result == "not_found":
            # Forget the email but keep the order id: a new email (or a new order id) in the
            # next message continues the same request.
            session.failed_lookups += 1
            session.slots.pop("email", None)
            session.pending_intent = intent
            reply = Reply(template("order_not_found", lang), lang, intent, conf, clarify=True,
                          tools=[call.to_dict()])  # fmt: skip
            return self._failure(session, reply, "order_not_found")
        order = call.order
        facts = {k: order[k] for k in ("order_id", "status", "order_date", "shipped_date",
                                       "delivered_date", "tracking_number", "carrier")}  # fmt: skip
        if intent == "return_request":
            return self._return_reply(session, call, lang, conf, facts)
        status = order_status_text(order, lang)
        if intent == "cancel_order":
            if order["status"] == "processing":
                # Cancelling cannot be undone: it needs an explicit yes in the next message.
                session.pending_intent = "cancel_order_confirm"
                text = template("cancel_confirm", lang, order_id=order_id)
            else:
                text = status + template("cancel_too_late", lang)
        elif intent == "change_address":
            if order["status"] == "processing":
                session.pending_intent = "change_address_new"
                text = template("address_ask", lang, order_id=order_id)
            else:
                text = status + template("address_too_late", lang)
        else:
            text = status
        return _Plan(Reply(text, lang, intent, conf, order=facts, tools=[call.to_dict()]))

    def _return_reply(self, session, call, lang, conf, facts) -> _Plan:
        """The return-eligibility tool's verdict, in a template filled with its dates."""
        if call.result == "no_policy":
            logger.warning("no return window: set return_window_days or add it to the FAQ")
            return self._faq(session, "return policy", lang, "return_request", conf)
        status = STATUS_WORDS.get(lang, STATUS_WORDS["en"]).get(facts["status"], facts["status"])
        name = {"eligible": "return_eligible", "expired": "return_expired",
                "not_delivered": "return_not_delivered", "not_shipped": "return_processing",
                "closed": "return_closed"}.get(call.result, "return_closed")  # fmt: skip
        text = template(name, lang, status=status, **{"delivered_date": "", "deadline": ""} |
                        call.facts)  # fmt: skip
        facts = facts | {k: call.facts[k] for k in ("deadline", "days") if k in call.facts}
        reply = Reply(text, lang, "return_request", conf, order=facts, tools=[call.to_dict()])
        return _Plan(reply)

    def _confirm_cancel(self, session, message, lang) -> _Plan:
        session.pending_intent = None
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        if not YES.match(message.strip()):
            return _Plan(Reply(template("cancel_kept", lang, order_id=order_id), lang,
                               "cancel_order", 1.0))  # fmt: skip
        call = self.tools.cancel_order(order_id, email)
        order = call.order
        if call.ok:
            text = template("cancel_done", lang, order_id=order_id)
        elif order is not None:
            text = order_status_text(order, lang) + template("cancel_too_late", lang)
        else:
            text = template("order_not_found", lang)
        facts = {"order_id": order_id, "status": order["status"]} if order else None
        return _Plan(Reply(text, lang, "cancel_order", 1.0, order=facts, tools=[call.to_dict()]))

    def _new_address(self, session, message, lang, conf) -> _Plan:
        """The new address, read back for a yes before anything is written."""
        session.pending_intent = None
        order_id = session.slots.get("order_id")
        address = address_reply(message)
        if address is None:
            text = template("address_kept", lang, order_id=order_id)
            return _Plan(Reply(text, lang, "change_address", conf))
        session.pending_intent = "change_address_confirm"
        session.slots["new_address"] = address
        text = template("address_confirm", lang, order_id=order_id, address=address)
        return _Plan(Reply(text, lang, "change_address", conf, clarify=True))

    def _confirm_address(self, session, message, lang, conf) -> _Plan:
        """Write the address read back in `_new_address` only after an explicit yes."""
        session.pending_intent = None
        order_id, email = session.slots.get("order_id"), session.slots.get("email")
        address = session.slots.pop("new_address", None)
        if address is None or not YES.match(message.strip()):
            text = template("address_kept", lang, order_id=order_id)
            return _Plan(Reply(text, lang, "change_address", conf))
        try:
            call = self.tools.change_address(order_id, email, address)
        except ValueError:
            call = None
        name = "address_done" if call is not None and call.ok else "address_failed"
        tools = [call.to_dict()] if call is not None else []
        return _Plan(Reply(template(name, lang, order_id=order_id), lang, "change_address", conf,
                           tools=tools))  # fmt: skip

    def _products(self, session, message, lang, slots, intent, conf, follow=None) -> _Plan:
        k = self.config.products_shown
        ordinal = self._ordinal(message)
        if intent == "product_question" and ordinal is not None and session.shown:
            try:
                item_id = session.shown[ordinal]
            except IndexError:
                item_id = None
            if item_id:
                return _Plan(self._product_detail(item_id, lang, intent, conf))
        query, wanted = message, {key: slots[key] for key in PRODUCT_SLOTS if key in slots}
        if (
            follow is None
            and not session.last_search
            and not wanted
            and CHEAPER.search(message)
            and len(message.split()) <= 4
        ):
            # "cheaper ones" with nothing searched yet: searching for those words would show
            # random products; ask what the shopper is after instead.
            return _Plan(
                Reply(template("cheaper_than_what", lang), lang, intent, conf, clarify=True)
            )
        if BUDGET.search(message) and "max_price" in slots:
            session.slots["budget"] = slots["max_price"]
        if follow is not None:
            query, wanted = follow.query, dict(follow.slots)
        elif "max_price" not in wanted and session.slots.get("budget") is not None:
            wanted["max_price"] = session.slots["budget"]
        bounds = self._cheaper_bounds(session) if follow is not None and follow.cheaper else []
        if bounds:
            # "Cheaper" replaces both bounds: a lower bound from the last search would hide
            # exactly the cheaper products asked for.
            wanted["max_price"] = bounds[0]
            wanted.pop("min_price", None)
        has_filter = any(key in wanted for key in PRODUCT_SLOTS)
        if intent == "product_recommendation" and not has_filter:
            cards = self.recommend(session, k)
            reply = Reply(template("recommendations", lang), lang, intent, conf, products=cards)
            categories = [c.category for c in cards]
            top = Counter(categories).most_common(1)[0][0] if categories else None
            wanted = {"category": top} if top else {}
            query = top.replace("-", " ") if top else ""
        else:
            hits = self._search(query, wanted)
            if not hits and len(bounds) > 1:
                # Nothing under the cheapest one shown: try under their average price.
                wanted["max_price"] = bounds[1]
                hits = self._search(query, wanted)
            if intent == "product_question" and hits:
                return _Plan(self._product_detail(hits[0].product.item_id, lang, intent, conf))
            cards = self._rank_hits(session, hits, k)
            what = " ".join(
                filter(
                    None,
                    [wanted.get("colour"), wanted.get("category", "products").replace("-", " ")],
                )
            )
            extra = f" in size {wanted['size']}" if wanted.get("size") else ""
            name = ("products_found" if len(cards) > 1 else "product_found_one") if cards else (
                "products_none")  # fmt: skip
            text = template(name, lang, n=len(cards), what=what,
                            price=extra + self._price_words(wanted))  # fmt: skip
            reply = Reply(text, lang, intent, conf, products=cards, query=query)
        session.shown = [c.item_id for c in reply.products]
        session.last_search = {"query": query} | wanted
        if not reply.products:
            return self._failure(session, reply, "no_products")
        return _Plan(reply)

    def _search(self, query: str, wanted: dict) -> list:
        """Catalogue search with the category and price filters, then colour and size."""
        refine = "colour" in wanted or "size" in wanted
        hits = self.product_search.search_products(
            query or wanted.get("category", "products"), top_k=120 if refine else 40,
            category=wanted.get("category"), min_price=wanted.get("min_price"),
            max_price=wanted.get("max_price"),
        )  # fmt: skip
        kept = []
        for hit in hits:
            product = self.products.get(hit.product.item_id)
            if product is None:
                continue
            if "colour" in wanted and not has_colour(
                product.attributes, product.title, wanted["colour"]
            ):
                continue
            if "size" in wanted and not fits_size(product.attributes, wanted["size"]):
                continue
            kept.append(hit)
        return kept

    def _cheaper_bounds(self, session) -> list[float]:
        """Price bounds for "cheaper ones": under the cheapest product shown, then under
        their average; empty when nothing with a price is on screen."""
        prices = [self.products[i].price for i in session.shown if i in self.products]
        if not prices:
            return []
        cheapest = round(min(prices) - 0.01, 2)
        return [cheapest, round(sum(prices) / len(prices) - 0.01, 2)]

    def _rank_hits(self, session, hits, k) -> list[ProductCard]:
        """Order search hits by text match and by the recommender's score for this session."""
        if not hits:
            return []
        hits = [h for h in hits if h.product.item_id in self.products]
        ids = [h.product.item_id for h in hits]
        sem = np.array([h.fused or h.score for h in hits])  # fused: dense + keyword rank
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
