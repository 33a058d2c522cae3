"""`shop-assistant handoff SESSION`: the agent's view of a handed-over chat, and its release.

Reads the saved session (var/sessions/SESSION.json, already redacted), prints the handoff
summary as JSON and, with --release, gives the chat back to the bot. Loads no model.
"""

from __future__ import annotations

import argparse
import json

from assistant.config import AssistantConfig
from assistant.session import handoff_summary
from assistant.session_store import load_session, save_session

HELP = "show the handoff summary of a saved session; --release gives it back to the bot"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", help="the session id (as given to chat --session)")
    parser.add_argument("--release", action="store_true", help="the bot answers again")


def run(config: AssistantConfig, args: argparse.Namespace) -> int:
    folder = config.data_dir / "sessions"
    if not (folder / f"{args.session}.json").exists():
        raise ValueError(f"no saved session {args.session!r} in {folder}")
    session = load_session(folder, args.session)
    summary = handoff_summary(session) | {"handed_off": session.handed_off}
    if args.release:
        session.release_handoff()
        save_session(folder, session)
        summary["released"] = True
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0
