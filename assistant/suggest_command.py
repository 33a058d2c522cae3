"""`shop-assistant suggest`: agent assist for one conversation, printed as JSON.

The conversation comes from a JSON file (a list of {"role", "content"} messages, an object
with "messages", or a dialogue with "turns" as in the dialogue JSONL format) or from a
session id: a saved session (`chat --session`) or, failing that, the session in the turn log.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HELP = "suggest replies for a conversation (agent assist), as JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "conversation",
        nargs="?",
        help='JSON file: [{"role": "user", "content": "..."}, ...], {"messages": [...]} '
        'or a dialogue with "turns"',
    )
    parser.add_argument("--session", default=None, help="a saved or logged session id instead")
    parser.add_argument("-n", type=int, default=3, help="how many suggestions (default 3)")


def read_conversation(path: str | Path) -> list[dict]:
    """The messages of a conversation file; ValueError names the file (and line) at fault."""
    from assistant.agent_assist import as_messages

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    if isinstance(data, dict):
        data = data.get("messages", data.get("turns"))
    try:
        return as_messages(data if data is not None else "")
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def session_conversation(config: Any, session_id: str) -> Any:
    """A saved session, else the logged conversation of `session_id`; ValueError when neither."""
    from assistant.session_store import load_session

    session = load_session(Path(config.data_dir) / "sessions", session_id)
    if session.history:
        return session
    log = config.resolved_log_path()
    if log is not None and Path(log).exists():
        from assistant.turn_log import read_dialogues

        for dialogue in read_dialogues(log):
            if dialogue["session_id"] == session_id:
                return [{"role": t["role"], "content": t["content"]} for t in dialogue["turns"]]
    raise ValueError(f"no saved or logged conversation with session id {session_id!r}")


def run(config: Any, args: argparse.Namespace) -> int:
    if (args.conversation is None) == (args.session is None):
        raise ValueError("give a CONVERSATION.json file or --session ID (one of them)")
    if args.conversation is not None:
        conversation = read_conversation(args.conversation)
    else:
        conversation = session_conversation(config, args.session)
    from assistant.agent_assist import assist
    from assistant.assistant import Assistant

    view = assist(Assistant.from_config(config), conversation, n=args.n)
    print(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
    return 0
