"""Metrics and charts for the Insights tab, computed from the turn log (assistant/turn_log.py).

Definitions (all per log file):
- intent mix: turns per detected intent;
- handoff rate: sessions with at least one handed-off turn / sessions with a turn;
- recommendation click-through: views of a product from the session's latest reply list /
  products listed in replies (`item_ids` of turn records, the impressions the log records;
  the side panel's recommendations are not logged as impressions, hence the next line);
- on-screen share: views of a product that was on screen (`shown`) / all views;
- conversion: sessions with an add-to-cart or purchase / sessions with a turn;
- feedback: thumbs up and down, and the share of up.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Metrics:
    sessions: int = 0
    turns: int = 0
    intents: Counter = field(default_factory=Counter)
    handoff_sessions: int = 0
    impressions: int = 0
    reply_views: int = 0  # views of a product from the session's latest reply list
    views: int = 0
    shown_views: int = 0  # views of a product that was on screen
    clicks: Counter = field(default_factory=Counter)  # kind -> count
    converted_sessions: int = 0
    feedback: Counter = field(default_factory=Counter)  # "up" / "down" -> count

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def handoff_rate(self) -> float | None:
        return self._share(self.handoff_sessions, self.sessions)

    @property
    def click_through(self) -> float | None:
        return self._share(self.reply_views, self.impressions)

    @property
    def on_screen_share(self) -> float | None:
        return self._share(self.shown_views, self.views)

    @property
    def conversion(self) -> float | None:
        return self._share(self.converted_sessions, self.sessions)

    @property
    def feedback_up(self) -> float | None:
        return self._share(self.feedback["up"], sum(self.feedback.values()))


def compute(records: list[dict[str, Any]]) -> Metrics:
    """Metrics of turn-log records (as `turn_log.read_records` returns them)."""
    m = Metrics()
    with_turns, handed, converted = set(), set(), set()
    listed: dict[str, set] = {}  # session -> items of its latest reply list not yet viewed
    for r in records:
        event, sid = r.get("event"), r.get("session_id")
        if event == "turn":
            m.turns += 1
            with_turns.add(sid)
            m.intents[str(r.get("intent", "unknown"))] += 1
            items = list(r.get("item_ids") or [])
            m.impressions += len(items)
            listed[sid] = set(items)
            if r.get("handoff"):
                handed.add(sid)
        elif event == "click":
            kind = r.get("kind")
            m.clicks[kind] += 1
            if kind == "view":
                m.views += 1
                m.shown_views += bool(r.get("shown"))
                if r.get("item_id") in listed.get(sid, set()):
                    m.reply_views += 1
                    listed[sid].discard(r.get("item_id"))  # one click per impression
            if kind in ("cart", "purchase"):
                converted.add(sid)
        elif event == "feedback" and r.get("value") in ("up", "down"):
            m.feedback[r["value"]] += 1
    m.sessions = len(with_turns)
    m.handoff_sessions = len(handed & with_turns)
    m.converted_sessions = len(converted & with_turns)
    return m


def load(path: Path | None) -> tuple[Metrics, str]:
    """(metrics, note) for the log at `path`; an absent or unreadable log gives empty metrics
    and a note that says why."""
    if path is None:
        return Metrics(), 'The turn log is switched off (log_path: "").'
    path = Path(path)
    if not path.exists():
        return Metrics(), f"No turn log yet at {path}: chat in the Shopper tab first."
    from assistant.turn_log import read_records

    try:
        return compute(read_records(path)), f"From {path}."
    except (OSError, ValueError) as exc:
        return Metrics(), f"Cannot read the turn log: {exc}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def metrics_html(m: Metrics, note: str = "") -> str:
    rows = [
        ("Sessions", str(m.sessions)),
        ("Turns", str(m.turns)),
        ("Handoff rate", f"{_pct(m.handoff_rate)} ({m.handoff_sessions} sessions)"),
        (
            "Recommendation click-through (reply lists)",
            f"{_pct(m.click_through)} ({m.reply_views} viewed / {m.impressions} listed)",
        ),
        (
            "Views of products on screen",
            f"{_pct(m.on_screen_share)} ({m.shown_views} of {m.views} views)",
        ),
        (
            "Conversion (cart or purchase)",
            f"{_pct(m.conversion)} ({m.converted_sessions} sessions)",
        ),
        (
            "Feedback",
            f"{m.feedback['up']} up, {m.feedback['down']} down ({_pct(m.feedback_up)} up)",
        ),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="metrics">{body}</table><p class="empty">{html.escape(note)}</p>'


def intent_chart(m: Metrics):
    """Horizontal bars: turns per intent, most frequent on top."""
    from matplotlib.figure import Figure

    items = m.intents.most_common()[::-1] or [("no turns yet", 0)]
    fig = Figure(figsize=(6, max(2.0, 0.3 * len(items) + 1)), layout="constrained")
    ax = fig.subplots()
    ax.barh([k for k, _ in items], [v for _, v in items], color="#4f7cac")
    ax.set_xlabel("turns")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Intent mix")
    return fig


def outcome_chart(m: Metrics):
    """Bars of the session outcomes and the feedback counts."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.bar(
        ["sessions", "handed off", "converted"],
        [m.sessions, m.handoff_sessions, m.converted_sessions],
        color=["#4f7cac", "#c0504d", "#9bbb59"],
    )
    left.set_title("Sessions")
    right.bar(["up", "down"], [m.feedback["up"], m.feedback["down"]], color=["#9bbb59", "#c0504d"])
    right.set_title("Feedback")
    return fig
