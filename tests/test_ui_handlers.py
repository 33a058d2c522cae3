"""The shopper tab's handlers, called directly with a rule-based fake assistant."""

from __future__ import annotations

from itertools import pairwise

import pytest

from assistant.assistant import ProductCard, Reply
from ui import render
from ui.fake import CATALOGUE, SHIPPING, FakeAssistant, FakeProduct
from ui.handlers import APOLOGY, ShopHandlers, final_text, panel_keys

SKIP = {"__type__": "update"}


@pytest.fixture
def fake():
    return FakeAssistant()


@pytest.fixture
def handlers(fake):
    return ShopHandlers(fake)


def last_text(history):
    return history[-1]["content"]


def test_chat_streams_growing_text_then_final_text_with_sources(handlers):
    steps = list(handlers.chat("How long does shipping take?", [], None))
    texts = [last_text(history) for _, history, _, _ in steps]
    assert steps[0][1][0] == {"role": "user", "content": "How long does shipping take?"}
    assert texts[0] == ""
    streamed = texts[1:-1]
    assert len(streamed) == len(SHIPPING.split(" "))
    assert all(b.startswith(a) and len(b) > len(a) for a, b in pairwise(streamed))
    assert texts[-1] == f"{SHIPPING}\n\nSources: shipping-times.en"
    box, history, session, reply = steps[-1]
    assert box == "" and isinstance(reply, Reply) and reply.faq_ids == ["shipping-times.en"]
    assert [t.role for t in session.history] == ["user", "assistant"]
    assert all(step[3] is None for step in steps[:-1])  # the Reply arrives with the last step


def test_final_reply_text_replaces_the_streamed_draft(fake, handlers):
    def stream(session, message):
        yield "Shipping takes 10 days"  # a draft that failed the fact check
        yield Reply("Standard shipping takes 3-5 business days.", faq_ids=[])

    fake.respond_stream = stream
    *_, (_, history, _, _) = handlers.chat("shipping?", [], None)
    assert last_text(history) == "Standard shipping takes 3-5 business days."
    assert final_text(Reply("x", faq_ids=["a.en", "b.en"])) == "x\n\nSources: a.en, b.en"


def test_chat_keeps_earlier_messages_and_ignores_blank_input(handlers):
    earlier = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    *_, (_, history, _, _) = handlers.chat("shoes please", earlier, None)
    assert history[:2] == earlier and len(history) == 4
    steps = list(handlers.chat("   ", earlier, None))
    assert len(steps) == 1 and steps[0][1] == earlier and steps[0][3] is None


def test_assistant_error_becomes_a_warning_and_an_apology(fake, handlers):
    with pytest.warns(UserWarning, match="went wrong"):
        steps = list(handlers.chat("boom", [], None))
    _, history, session, reply = steps[-1]
    assert last_text(history) == APOLOGY and reply is None
    assert session.history == []  # the failed turn is not remembered
    panel = handlers.after_reply(session, None)  # the panel still shows recommendations
    assert panel["panel_ids"]


def test_reply_products_fill_the_cards(handlers):
    *_, (_, _, session, reply) = handlers.chat("show me running shoes", [], None)
    panel = handlers.after_reply(session, reply)
    assert set(panel) == set(panel_keys())
    assert panel["panel_ids"] == ["P001", "P002", "P003"] == session.shown
    assert "Stride Runner 2" in panel["card_0"] and "59.00 USD" in panel["card_0"]
    assert "5 in stock" in panel["card_0"] and "matches your search" in panel["card_0"]
    assert "out of stock" in panel["card_2"]
    assert panel["cart_btn_2"]["interactive"] is False
    assert panel["cart_btn_0"]["interactive"] is True
    assert [panel[f"box_{i}"]["visible"] for i in range(6)] == [True] * 3 + [False] * 3
    assert panel["card_5"] == "" and panel["detail"] == SKIP
    assert "Products for your question" in panel["heading"]


def test_without_reply_products_the_panel_shows_recommendations(handlers):
    *_, (_, _, session, reply) = handlers.chat("how long is shipping", [], None)
    panel = handlers.after_reply(session, reply)
    assert panel["panel_ids"] == [p.item_id for p in CATALOGUE[:6]]
    assert "Recommended for you" in panel["heading"]
    assert "Your cart is empty" in panel["cart"] and panel["notice"] == ""


def test_view_changes_recommendations_and_shows_details(handlers):
    first = handlers.load(None)
    session = first["session"]
    slot = first["panel_ids"].index("P005")  # a hiking boot
    panel = handlers.product_action(slot, "view", session, first["panel_ids"])
    assert session.viewed == ["P005"]
    assert panel["panel_ids"] != first["panel_ids"]
    assert panel["panel_ids"][:2] == ["P005", "P006"]  # same category first
    assert "similar to Summit Hiker" in panel["card_1"]
    assert "Summit Hiker" in panel["detail"] and "Waterproof hiking boot." in panel["detail"]


def test_add_to_cart_updates_cart_and_cards(handlers):
    first = handlers.load(None)
    session = first["session"]
    panel = handlers.product_action(0, "cart", session, first["panel_ids"])
    assert session.carted == ["P001"]
    assert "Stride Runner 2" in panel["cart"] and "Total: 59.00 USD" in panel["cart"]
    assert "P001" not in panel["panel_ids"]  # the fake, like the real one, skips carted items
    panel = handlers.product_action(0, "cart", session, panel["panel_ids"])
    assert session.carted == ["P001", "P002"]
    assert "Total: 134.50 USD" in panel["cart"]
    assert panel["detail"] == SKIP


def test_carted_item_on_screen_shows_in_cart(fake, handlers):
    session = fake.new_session()
    session.carted.append("P001")
    panel = handlers.after_reply(session, Reply("x", products=[fake._card("P001", "")]))
    assert panel["cart_btn_0"] == {"__type__": "update", "value": "In cart", "interactive": False}


def test_out_of_stock_and_stale_slots_are_refused_with_a_warning(handlers):
    first = handlers.load(None)
    session, ids = first["session"], first["panel_ids"]
    with pytest.warns(UserWarning, match="out of stock"):
        panel = handlers.product_action(ids.index("P003"), "cart", session, ids)
    assert session.carted == [] and panel["cart"] == SKIP and panel["session"] is session
    with pytest.warns(UserWarning, match="no longer on screen"):
        panel = handlers.product_action(4, "view", session, ["P001"])
    assert session.viewed == [] and panel["panel_ids"] == SKIP


def test_record_event_failure_is_a_warning(fake, handlers):
    def broken(session, item_id, event):
        raise RuntimeError("recommender down")

    fake.record_event = broken
    first = handlers.load(None)
    with pytest.warns(UserWarning, match="went wrong"):
        panel = handlers.product_action(0, "view", first["session"], first["panel_ids"])
    assert panel["panel_ids"] == SKIP


def test_reset_starts_a_new_session(handlers):
    *_, (_, _, session, reply) = handlers.chat("show me running shoes", [], None)
    handlers.product_action(0, "cart", session, ["P001"])
    result = handlers.reset(session)
    fresh = result["session"]
    assert fresh is not session and fresh.session_id != session.session_id
    assert fresh.history == [] and fresh.carted == []
    assert result["chatbot"] == [] and result["message"] == "" and result["reply"] is None
    assert "Your cart is empty" in result["cart"] and result["detail"] == ""
    assert session.carted == ["P001"]  # the old session is left alone


def test_two_browsers_do_not_share_a_session(handlers):
    *_, (_, history_a, a, _) = handlers.chat("shipping?", [], None)
    *_, (_, history_b, b, _) = handlers.chat("show me shoes", [], None)
    assert a is not b and a.session_id != b.session_id
    assert [t.content for t in a.history][0] == "shipping?"
    assert [t.content for t in b.history][0] == "show me shoes"
    assert history_a[0]["content"] == "shipping?" and history_b[0]["content"] == "show me shoes"
    handlers.product_action(0, "view", a, ["P001"])
    assert a.viewed == ["P001"] and b.viewed == []


def test_handoff_shows_a_notice(handlers):
    *_, (_, _, session, reply) = handlers.chat("I want a person", [], None)
    assert reply.handoff
    panel = handlers.after_reply(session, reply)
    assert "member of our team will take over" in panel["notice"]


def test_catalogue_and_shopper_text_is_escaped():
    evil = "<script>alert(1)</script>"
    product = FakeProduct("X1", evil, f"<img src=x onerror=alert(2)>{evil}", "t-shirts", evil,
                          9.5, attributes={"<b>": "<i>"})  # fmt: skip
    fake = FakeAssistant(products=[product])
    handlers = ShopHandlers(fake)
    card = ProductCard("X1", evil, 9.5, "USD", 3, "t-shirts", reason=evil)
    session = fake.new_session()
    panel = handlers.after_reply(session, Reply("x", products=[card]))
    viewed = handlers.product_action(0, "view", session, panel["panel_ids"])
    carted = handlers.product_action(0, "cart", session, ["X1"])
    for html in (panel["card_0"], viewed["detail"], carted["cart"]):
        assert "<script>" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert render.card_html(card).count("<div") == 6  # card, thumb, title, price, stock, reason
    assert '"' not in render.esc('" onmouseover="x')


@pytest.mark.slow
def test_handlers_with_the_real_assistant(tiny_shop, tiny_lm, tmp_path):
    """The handlers against the real Assistant on the tiny shop (random LM, real MiniLM)."""
    from assistant import Assistant, AssistantConfig

    config = AssistantConfig(shop_dir=tiny_shop, data_dir=tmp_path, adapter_dir=None,
                             intent_lm_weight=0.05, max_new_tokens=8)  # fmt: skip
    handlers = ShopHandlers(Assistant.from_config(config, lm=tiny_lm))
    *_, (_, history, session, reply) = handlers.chat("How long does shipping take?", [], None)
    assert reply.faq_ids == ["shipping-times.en"]
    assert last_text(history) == f"{reply.text}\n\nSources: shipping-times.en"
    panel = handlers.after_reply(session, reply)
    assert panel["panel_ids"] and all(panel[f"card_{i}"] for i in range(len(panel["panel_ids"])))
    viewed = handlers.product_action(0, "view", session, panel["panel_ids"])
    assert session.viewed == panel["panel_ids"][:1] and viewed["detail"] != SKIP
    carted = handlers.product_action(0, "cart", session, viewed["panel_ids"])
    assert session.carted == viewed["panel_ids"][:1] and "Total:" in carted["cart"]


class Recorder(FakeAssistant):
    """The fake assistant, remembering the feedback it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.feedback = []

    def record_feedback(self, session, turn, value):
        super().record_feedback(session, turn, value)
        self.feedback.append((session.session_id, turn, value))


def like(index, liked):
    import gradio as gr

    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


def test_thumbs_on_a_reply_are_recorded_for_its_turn():
    fake = Recorder()
    handlers = ShopHandlers(fake)
    *_, (_, history, session, _) = handlers.chat("How long does shipping take?", [], None)
    *_, (_, history, session, _) = handlers.chat("show me shoes", history, session)
    handlers.feedback(session, history, like(3, False))  # the second reply
    handlers.feedback(session, history, like(1, True))  # the first reply
    handlers.feedback(session, history, like(0, True))  # a shopper message: ignored
    handlers.feedback(session, history, like(9, True))  # out of range: ignored
    sid = session.session_id
    assert fake.feedback == [(sid, 2, "down"), (sid, 1, "up")]


def test_thumbs_without_record_feedback_or_session_do_nothing(handlers):
    *_, (_, history, session, _) = handlers.chat("shipping?", [], None)
    handlers.assistant.record_feedback = None  # an assistant without the method
    handlers.feedback(session, history, like(1, True))
    handlers.feedback(None, history, like(1, True))


def test_sessions_are_registered_for_the_agent_tab(fake):
    from ui.sessions import SessionRegistry

    registry = SessionRegistry()
    handlers = ShopHandlers(fake, registry=registry)
    *_, (_, _, session, _) = handlers.chat("shipping?", [], None)
    assert registry.get(session.session_id) is session
    fresh = handlers.reset(session)["session"]
    assert registry.get(fresh.session_id) is fresh and fresh is not session


def test_page_loads_do_not_take_places_among_live_sessions(fake):
    """A flood of first paints must not fill the registry and lock other shoppers out."""
    from ui.sessions import SessionRegistry

    registry = SessionRegistry(max_sessions=3)
    handlers = ShopHandlers(fake, registry=registry)
    loaded = [handlers.load(None)["session"] for _ in range(10)]
    assert all(registry.get(s.session_id) is None for s in loaded)
    *_, (_, _, session, _) = handlers.chat("shipping?", [], loaded[0])
    assert registry.get(session.session_id) is session  # writing registers it


def test_an_over_long_message_is_not_echoed_whole(fake):
    handlers = ShopHandlers(fake)
    huge = "where is my order? " * 10_000
    *_, (_, history, _, _) = handlers.chat(huge, [], None)
    user = history[0]["content"]
    assert len(user) < 2100 and user.endswith("[...]")


def test_thumbs_after_a_failed_turn_count_only_kept_turns():
    fake = Recorder()
    handlers = ShopHandlers(fake)
    *_, (_, history, session, _) = handlers.chat("shipping?", [], None)
    with pytest.warns(UserWarning):
        *_, (_, history, session, _) = handlers.chat("boom", history, session)
    *_, (_, history, session, _) = handlers.chat("show me shoes", history, session)
    handlers.feedback(session, history, like(5, True))  # the third reply: session turn 2
    assert fake.feedback == [(session.session_id, 2, "up")]
