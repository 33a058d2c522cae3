"""Event handlers of the Agent tab: pick a conversation, read the assist view, choose a reply.

A conversation is a live session of this server (from the `SessionRegistry`) or a logged one
(from the turn log, `turn_log.read_dialogues`). Choices are keyed "live:<id>" and "log:<id>".
Accept / edit / reject are appended to the preferences log as (prompt, chosen, rejected).
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import agent_assist
from ui import render

logger = logging.getLogger(__name__)

N_SUGGESTIONS = 3
LIVE, LOGGED = "live:", "log:"


def agent_keys(n: int = N_SUGGESTIONS) -> list[str]:
    """Names of the values `AgentHandlers.show` returns, in the order of the app's outputs."""
    return [
        "view",
        "conversation",
        "header",
        "summary",
        "order",
        "products",
        "status",
        *(f"suggestion_{i}" for i in range(n)),
        *(f"sources_{i}" for i in range(n)),
        *(f"group_{i}" for i in range(n)),
    ]


def _log_path(assistant: Any) -> Path | None:
    config = assistant.config
    resolve = getattr(config, "resolved_log_path", None)
    return resolve() if resolve is not None else Path(config.data_dir) / "logs" / "turns.jsonl"


class AgentHandlers:
    """The agent tab's behaviour around the shared assistant and the live sessions."""

    def __init__(self, assistant: Any, registry: Any, n: int = N_SUGGESTIONS) -> None:
        self.assistant = assistant
        self.registry = registry
        self.n = n

    # ----------------------------------------------------------------- picking
    def logged(self) -> dict[str, dict]:
        """Logged conversations by session id ({} when there is no readable log)."""
        path = _log_path(self.assistant)
        if path is None or not path.exists():
            return {}
        from assistant.turn_log import read_dialogues

        try:
            return {d["session_id"]: d for d in read_dialogues(path)}
        except (OSError, ValueError) as exc:
            gr.Warning(f"Cannot read the turn log: {exc}")
            return {}

    def choices(self) -> list[tuple[str, str]]:
        """(label, value) pairs: live sessions first, newest first, then logged ones."""
        live = [(f"live · {i.label()}", LIVE + i.session_id) for i in self.registry.infos()]
        live_ids = {value[len(LIVE) :] for _, value in live}
        logged = [
            (f"log · {sid[:8]} · {sum(t['role'] == 'user' for t in d['turns'])} msg", LOGGED + sid)
            for sid, d in self.logged().items()
            if sid not in live_ids
        ]
        return live + logged[::-1]

    def refresh(self) -> dict:
        return gr.update(choices=self.choices(), value=None)

    def conversation(self, choice: str | None) -> Any:
        """The live Session, or the logged conversation's messages; None when gone."""
        if not choice:
            return None
        if choice.startswith(LIVE):
            return self.registry.get(choice[len(LIVE) :])
        if choice.startswith(LOGGED):
            dialogue = self.logged().get(choice[len(LOGGED) :])
            if dialogue is None:
                return None
            return [{"role": t["role"], "content": t["content"]} for t in dialogue["turns"]]
        return None

    # ----------------------------------------------------------------- the view
    def show(self, choice: str | None) -> dict[str, Any]:
        """Intent, summary, order facts, products and the suggestions for `choice`."""
        conversation = self.conversation(choice)
        if conversation is None:
            return self._empty(
                "Pick a conversation."
                if not choice
                else "That conversation is no longer available."
            )
        try:
            view = agent_assist.assist(self.assistant, conversation, self.n)
        except ValueError as exc:
            return self._empty(str(exc))
        except Exception:
            logger.exception("agent assist failed for %s", choice)
            return self._empty("Suggestions are unavailable right now.")
        session_id = choice.split(":", 1)[1]
        result = {
            "view": {
                "session_id": session_id,
                "prompt": view.prompt,
                "suggestions": [s.text for s in view.suggestions],
            },
            "conversation": view.messages,
            "header": f"**Intent:** {view.intent} ({view.confidence:.2f}) · "
            f"**language:** {view.language}",
            "summary": self._summary(conversation, view.summary),
            "order": render.order_html(view.order),
            "products": "".join(render.card_html(c) for c in view.products[:4])
            or '<div class="empty">No products.</div>',
            "status": "",
        }
        for i in range(self.n):
            s = view.suggestions[i] if i < len(view.suggestions) else None
            result[f"group_{i}"] = gr.update(visible=s is not None)
            result[f"suggestion_{i}"] = s.text if s else ""
            result[f"sources_{i}"] = self._sources(s)
        return result

    def _summary(self, conversation: Any, summary: str) -> str:
        """A handed-off live chat leads with why it was handed over (session.handoff_summary)."""
        if getattr(conversation, "handed_off", False):
            return f"{self.assistant.handoff_summary(conversation)['text']}\n{summary}"
        return summary

    def release(self, choice: str | None) -> str:
        """Give a handed-off live chat back to the bot; a status line."""
        session = self.conversation(choice)
        if not getattr(session, "handed_off", False):
            return "Only a live conversation that was handed to a person can be given back."
        self.assistant.release_handoff(session)
        return "The bot answers this conversation again."

    @staticmethod
    def _sources(s: Any) -> str:
        if s is None:
            return ""
        where = render.sources_line(s.sources) or "no FAQ source"
        return f"<small>{html.escape(s.kind)} · {html.escape(where)}</small>"

    def _empty(self, status: str) -> dict[str, Any]:
        result = {
            "view": None,
            "conversation": [],
            "header": "",
            "summary": "",
            "order": "",
            "products": "",
            "status": status,
        }
        for i in range(self.n):
            result[f"group_{i}"] = gr.update(visible=False)
            result[f"suggestion_{i}"] = ""
            result[f"sources_{i}"] = ""
        return result

    # ----------------------------------------------------------------- choices
    def choose(self, action: str, index: int | None, view: dict | None, text: str | None) -> str:
        """Log accept (of suggestion `index`), edit (its edited `text`) or reject; a status."""
        if not view or not view.get("suggestions"):
            return "Pick a conversation first."
        if action == "edit" and (text or "").strip() == view["suggestions"][index].strip():
            action, text = "accept", None  # unchanged text: the agent accepted it as it was
        try:
            record = agent_assist.preference_record(
                view["session_id"], view["prompt"], view["suggestions"], action, index, text
            )
        except ValueError as exc:
            return f"Not logged: {exc}"
        agent_assist.record_choice(agent_assist.preferences_path(self.assistant.config), record)
        what = {
            "accept": f"accepted suggestion {(index or 0) + 1}",
            "edit": f"sent an edit of suggestion {(index or 0) + 1}",
            "reject": "rejected the suggestions",
        }[action]
        return f"Logged: {what}. Reply: {json.dumps(record['chosen'], ensure_ascii=False)}"
