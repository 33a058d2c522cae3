"""The `shop-assistant` command: chat in the terminal, or prepare the caches.

Layers above this one add their own sub-commands through `main(extra_commands=...)`:
`ui.cli` adds `serve`, so this module never imports the UI.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.config import AssistantConfig, ConfigError

logger = logging.getLogger(__name__)


def _config(args: argparse.Namespace) -> AssistantConfig:
    values: dict = {}
    if args.config:
        import yaml

        try:
            loaded = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read config file {args.config}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{args.config}: expected a mapping of settings")
        values.update(loaded)
    for key in ("shop_dir", "data_dir", "base_model", "adapter_dir", "chroma_host",
                "chroma_port", "reply_mode"):  # fmt: skip
        value = getattr(args, key, None)
        if value is not None:
            values[key] = value
    return AssistantConfig.from_mapping(values, source=args.config or "command line")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML file of settings (see README); flags override it")
    p.add_argument("--shop-dir", dest="shop_dir", help="folder with the shop's data files")
    p.add_argument("--data-dir", dest="data_dir", help="folder for caches (default: var/)")
    p.add_argument("--base-model", dest="base_model", help="HF model id or path")
    p.add_argument("--adapter-dir", dest="adapter_dir", help="LoRA adapter folder, or 'none'")
    p.add_argument("--chroma-host", dest="chroma_host", help="use a Chroma server")
    p.add_argument("--chroma-port", dest="chroma_port", type=int)
    p.add_argument("--reply-mode", dest="reply_mode", choices=["generate", "extractive"])
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")


# name -> (help, add_arguments(parser), run(config, args) -> exit code)
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[..., int]]

# Sub-commands that live in modules of their own, one line each: name -> module. The module
# defines HELP, add_arguments(parser) and run(config, args) -> exit code.
MODULE_COMMANDS: dict[str, str] = {
    "ingest": "assistant.ingest",
    "evaluate": "assistant.evaluate",
    "suggest": "assistant.suggest_command",
    "handoff": "assistant.handoff_command",
}


def _module_commands() -> dict[str, Command]:
    import importlib

    commands: dict[str, Command] = {}
    for name, module_name in MODULE_COMMANDS.items():
        module = importlib.import_module(module_name)
        commands[name] = (module.HELP, module.add_arguments, module.run)
    return commands


def build_parser(extra_commands: dict[str, Command] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop-assistant", description="The shop assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="answer one message as JSON, or chat in the terminal")
    chat.add_argument("message", nargs="?", help="the shopper's message; none for a chat")
    chat.add_argument("--session", default=None, help="session id; continues a saved session")
    _add_common(chat)
    for name, (help_text, add_arguments, _) in (extra_commands or {}).items():
        extra = sub.add_parser(name, help=help_text)
        add_arguments(extra)
        _add_common(extra)
    prepare = sub.add_parser("prepare", help="convert the model, build the index and recommender")
    _add_common(prepare)
    return parser


def _chat(args, assistant) -> int:
    from assistant.session_store import load_session, save_session

    folder = assistant.config.data_dir / "sessions"
    session = load_session(folder, args.session) if args.session else assistant.new_session()
    if args.message is not None:
        reply = assistant.respond(session, args.message)
        save_session(folder, session)
        out = reply.to_dict() | {"session_id": session.session_id}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print("Chat with the shop assistant. An empty line or Ctrl-D ends it.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, UnicodeDecodeError):
            break
        if not message.strip():
            break
        print("bot> ", end="", flush=True)
        shown = []
        for piece in assistant.respond_stream(session, message):
            if isinstance(piece, str):
                shown.append(piece)
                print(piece, end="", flush=True)
            else:
                reply = piece
        if not "".join(shown).strip():  # nothing streamed (a template, or the FAQ text)
            print(reply.text)
        else:
            print()
            if "".join(shown).strip() != reply.text.strip():
                # The draft failed the fact check; the shopper must see the safe final text.
                print(f"bot> (corrected) {reply.text}")
        if reply.faq_ids:
            print(f"     sources: {', '.join(reply.faq_ids)}")
        for card in reply.products:
            print(f"     - {card.title}  {card.price:.2f} {card.currency}  ({card.reason})")
        save_session(folder, session)
    return 0


def main(argv: list[str] | None = None, extra_commands: dict[str, Command] | None = None) -> int:
    extra_commands = _module_commands() | (extra_commands or {})
    args = build_parser(extra_commands).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        config = _config(args)
        from assistant.assistant import Assistant

        if args.command in extra_commands:
            logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
            return extra_commands[args.command][2](config, args)
        if args.command == "prepare":
            logging.getLogger().setLevel(logging.INFO)
        if args.command == "chat" and args.session is not None:
            from assistant.session_store import check_session_id

            check_session_id(args.session)  # before the model loads: a bad id fails at once
        assistant = Assistant.from_config(config)
        if args.command == "prepare":
            print(f"ready: data in {config.data_dir}")
            return 0
        return _chat(args, assistant)
    except (ConfigError, ValueError, OSError, KeyError) as exc:
        print(f"shop-assistant: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
