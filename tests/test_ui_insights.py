"""Insights metrics from a turn log with known answers, and the charts built from them."""

from __future__ import annotations

import json

from ui import insights


def turn(sid, intent, items=(), handoff=False):
    return {"event": "turn", "session_id": sid, "time": "t", "turn": 1, "intent": intent,
            "item_ids": list(items), "handoff": handoff}  # fmt: skip


def click(sid, item, kind="view", shown=True):
    return {"event": "click", "session_id": sid, "time": "t", "item_id": item, "kind": kind,
            "shown": shown}  # fmt: skip


def feedback(sid, value):
    return {"event": "feedback", "session_id": sid, "time": "t", "turn": 1, "value": value}


RECORDS = [
    turn("a", "product_search", ["P1", "P2", "P3"]),
    click("a", "P2"),
    click("a", "P2"),  # a second view of the same listed item is not a second click-through
    click("a", "P9", shown=False),
    click("a", "P2", "cart"),
    turn("b", "shipping_info"),
    feedback("b", "up"),
    turn("b", "human_agent", handoff=True),
    feedback("b", "down"),
    turn("c", "shipping_info", ["P4"]),
    click("c", "P4", "purchase"),
    feedback("c", "up"),
    click("d", "P1"),  # a session with clicks but no turn
]


def test_metrics_have_the_known_values():
    m = insights.compute(RECORDS)
    assert (m.sessions, m.turns) == (3, 4)
    assert m.intents == {"shipping_info": 2, "product_search": 1, "human_agent": 1}
    assert m.handoff_rate == 1 / 3
    assert (m.reply_views, m.impressions, m.click_through) == (1, 4, 0.25)
    assert (m.shown_views, m.views) == (3, 4)
    assert m.conversion == 2 / 3  # a (cart) and c (purchase)
    assert m.feedback == {"up": 2, "down": 1} and m.feedback_up == 2 / 3


def test_empty_log_gives_no_rates():
    m = insights.compute([])
    assert m.handoff_rate is None and m.click_through is None and m.conversion is None
    assert "n/a" in insights.metrics_html(m)


def test_load_reads_the_file_and_explains_a_missing_one(tmp_path):
    path = tmp_path / "turns.jsonl"
    m, note = insights.load(path)
    assert m.turns == 0 and "No turn log yet" in note
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    m, note = insights.load(path)
    assert m.turns == 4 and str(path) in note
    path.write_text('{"event": "nonsense"}\n', encoding="utf-8")
    m, note = insights.load(path)
    assert m.turns == 0 and "turns.jsonl:1" in note
    assert "switched off" in insights.load(None)[1]


def test_html_escapes_and_charts_draw(tmp_path):
    m = insights.compute(RECORDS + [turn("e", "<b>x</b>")])
    assert "<b>x</b>" not in insights.metrics_html(m, note="<script>")
    assert "&lt;script&gt;" in insights.metrics_html(m, note="<script>")
    bars = insights.intent_chart(m).axes[0].patches
    assert sorted(round(b.get_width()) for b in bars) == [1, 1, 1, 2]
    sessions, votes = insights.outcome_chart(m).axes
    assert [round(b.get_height()) for b in sessions.patches] == [4, 1, 2]
    assert [round(b.get_height()) for b in votes.patches] == [2, 1]
    insights.intent_chart(insights.Metrics()).savefig(tmp_path / "empty.png")
