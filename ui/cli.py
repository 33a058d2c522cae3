"""The `shop-assistant` console script: the assistant's CLI plus the `serve` sub-command."""

from __future__ import annotations

import argparse
import sys

from assistant.cli import main as assistant_main


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7860)


def _serve(config, args: argparse.Namespace) -> int:
    from ui.app import serve

    serve(config, host=args.host, port=args.port)
    return 0


COMMANDS = {"serve": ("serve the Gradio app", _serve_arguments, _serve)}


def main(argv: list[str] | None = None) -> int:
    return assistant_main(argv, extra_commands=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
