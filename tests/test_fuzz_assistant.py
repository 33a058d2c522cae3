"""Property-based tests: whatever a shopper types, `Assistant.respond` answers with a well-formed
Reply (no exception escapes), and the UI's HTML shows shopper and catalogue text as text.

About 1,200 generated messages (1,000 examples) go through the real Assistant on the tiny
shop: most through a lean configuration (extractive replies, intents from the labelled
examples alone; every other stage runs: cleaning, the token cap with the real tokenizer,
language, slots, FAQ and product search, orders, recommender), and a share through the tiny
random LM's label scoring and streamed generation with the fact check. Examples are
derandomised, so a run is repeatable.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Assistant, AssistantConfig, Reply
from assistant.assistant import ProductCard
from assistant.intents import INTENT_NAMES
from ui import render

pytestmark = pytest.mark.slow  # ~45 s of CPU for ~1,250 messages

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HTML_SNIPPETS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</div><h1>big</h1>",
    '"><svg onload=alert(1)>', "<iframe src='javascript:alert(1)'>", "&lt;b&gt;&amp;",
    "<!-- comment -->", "<style>*{display:none}</style>", "<a href=\"javascript:x\">click</a>",
]  # fmt: skip
SQL_SNIPPETS = [
    "'; DROP TABLE orders; --", "10023' OR '1'='1", "1; DELETE FROM orders",
    "\" OR 1=1 --", "UNION SELECT email FROM orders", "order 10023; --",
]  # fmt: skip
WORDS = [
    "shipping", "envío", "退货", "заказ", "الشحن", "משלוח", "配送", "🚚", "order", "pedido",
    "10023", "ana@example.com", "ऑर्डर", "배송", "ship­ping", "ｆｕｌｌｗｉｄｔｈ",
]  # fmt: skip
FIXED = [
    "", " ", "\t\n\r \u3000", "\x00", "\x00\x00hello\x00", "\u200b\u200c\u200d\u2060\ufeff",
    "a" * 100_000, "🚚" * 100_000, "x " * 50_000, "9" * 100_000, "\n" * 100_000,
    "\u202eredro ym si erehw", "\ud800", "\udfff order 10023 \ud83d", "\ud83d\ude9a",
]  # fmt: skip


def chars(low: int, high: int) -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=low, max_codepoint=high)


MESSAGES = st.one_of(
    st.sampled_from(FIXED),
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=60),
    st.lists(st.characters(categories=["Cs"]), min_size=1, max_size=4).map("".join),
    st.tuples(st.text(max_size=40), st.characters(categories=["Cs"]), st.text(max_size=40)).map(
        "".join
    ),
    st.text(alphabet=chars(0x1F300, 0x1FAFF), min_size=1, max_size=80),  # emoji
    st.text(alphabet=chars(0x0590, 0x06FF), min_size=1, max_size=120),  # Hebrew, Arabic
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),  # mixed scripts
    st.tuples(st.sampled_from(HTML_SNIPPETS + SQL_SNIPPETS), st.text(max_size=30)).map(
        lambda pair: f"{pair[1]} {pair[0]}"
    ),
    st.integers(min_value=10**15, max_value=10**600).map(str),  # very long numbers
    st.from_regex(
        r"(order|where is) #?\d{4,40}( email [a-z]{1,8}@[a-z]{1,8}\.com)?", fullmatch=True
    ),
    st.text(min_size=1, max_size=30).map(lambda s: s * (6_000 // len(s))),  # over the limit
)


@pytest.fixture(scope="module")
def lean(tiny_shop, tiny_lm, tmp_path_factory) -> Assistant:
    """The tiny-model assistant without the slow LM stages (see the module docstring)."""
    config = AssistantConfig(
        shop_dir=tiny_shop, data_dir=tmp_path_factory.mktemp("lean"), adapter_dir=None,
        intent_lm_weight=0.0, reply_mode="extractive", max_requests_per_second=1000.0,
    )  # fmt: skip
    return Assistant.from_config(config, lm=tiny_lm)


def check_reply(reply: Reply) -> None:
    """A reply the UI, the CLI and the turn log can all use."""
    assert isinstance(reply, Reply)
    assert isinstance(reply.text, str) and reply.text.strip()
    assert re.fullmatch(r"[a-z]{2,3}", reply.language), reply.language
    assert reply.intent in INTENT_NAMES
    assert isinstance(reply.confidence, float | int) and 0.0 <= reply.confidence <= 1.0
    assert all(isinstance(i, str) for i in reply.faq_ids)
    assert all(isinstance(p, ProductCard) for p in reply.products)
    assert reply.order is None or isinstance(reply.order, dict)
    for flag in (reply.handoff, reply.clarify, reply.guarded):
        assert isinstance(flag, bool)
    assert all(isinstance(v, float) for v in reply.latency_ms.values())
    # Strict UTF-8: a lone surrogate in the reply would break the log and the HTTP answer.
    json.dumps(reply.to_dict(), ensure_ascii=False, allow_nan=False).encode("utf-8")
    for card in reply.products:
        assert_text_only(render.card_html(card), card.title)


def stream_matches(assistant: Assistant, session, message: str) -> Reply:
    pieces = list(assistant.respond_stream(session, message))
    assert all(isinstance(p, str) for p in pieces[:-1])
    return pieces[-1]


@settings(max_examples=820, **SETTINGS)
@given(message=MESSAGES)
def test_any_message_gets_a_well_formed_reply(lean, message):
    session = lean.new_session()
    check_reply(lean.respond(session, message))
    for turn in session.history:  # what is kept is clean text within the limit
        assert turn.content.encode("utf-8")
    # (Redaction may swap a short email for a longer placeholder: a little slack.)
    bound = lean.config.max_message_chars + 100
    assert all(len(t.content) <= bound for t in session.history if t.role == "user")


@settings(max_examples=100, **SETTINGS)
@given(messages=st.lists(MESSAGES, min_size=2, max_size=3))
def test_conversations_of_odd_messages(lean, messages):
    session = lean.new_session()
    for message in messages:
        check_reply(lean.respond(session, message))
    json.dumps(session.to_dict(), ensure_ascii=False).encode("utf-8")  # a session file


@settings(max_examples=80, **SETTINGS)
@given(message=MESSAGES)
def test_any_message_through_the_language_model(tiny_assistant, message):
    reply = stream_matches(tiny_assistant, tiny_assistant.new_session(), message)
    check_reply(reply)


# ----------------------------------------------------------------- the UI's HTML
ALLOWED_TAGS = {"div", "h3", "p", "ul", "li", "table", "tr", "th", "td"}


@dataclass
class _Collect(HTMLParser):
    tags: set = field(default_factory=set)
    text: list = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def assert_text_only(markup: str, *values: str) -> None:
    """Only render's own tags, and each value shows up as text, character for character."""
    parser = _Collect()
    parser.feed(markup)
    parser.close()
    assert parser.tags <= ALLOWED_TAGS, (parser.tags, markup[:300])
    shown = "".join(parser.text)
    for value in values:
        assert value.strip() in shown
        if "<" in value:
            assert html.escape(value.strip()) in markup


@dataclass
class Item:
    item_id: str
    title: str
    description: str
    category: str
    brand: str
    price: float = 9.5
    currency: str = "USD"
    stock: int = 3
    attributes: dict = field(default_factory=dict)
    reason: str = ""


FIELD_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HTML_SNIPPETS),
    st.tuples(st.sampled_from(HTML_SNIPPETS), st.text(max_size=20)).map("".join),
)


@settings(max_examples=200, **SETTINGS)
@given(title=FIELD_TEXT, description=FIELD_TEXT, other=FIELD_TEXT)
def test_render_shows_every_field_as_text(title, description, other):
    item = Item(other or "P1", title, description, other, other, currency=other,
                attributes={other: title}, reason=description)  # fmt: skip
    assert_text_only(render.card_html(item), title, description)
    assert_text_only(render.detail_html(item), title, description)
    assert_text_only(render.cart_html([item, item]), title)
    assert_text_only(render.heading_html(title), title)
    assert_text_only(render.order_html({"order_id": title, "status": description}), title)
