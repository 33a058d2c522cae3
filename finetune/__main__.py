"""`python -m finetune`: train (default), merge an adapter, or evaluate a model.

    python -m finetune --config finetune/configs/demo-shop.yaml [--resume]
    python -m finetune merge --adapter finetune/adapters/demo-shop --output var/merged
    python -m finetune eval --config finetune/configs/demo-shop.yaml [--adapter DIR]

Multi-process: `accelerate launch -m finetune --config ...` runs the same training under DDP.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

COMMANDS = ("train", "merge", "eval")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m finetune",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="fine-tune as a YAML config says (the default command)")
    train.add_argument("--config", required=True, help="YAML file of FinetuneConfig settings")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint")
    train.add_argument("--max-steps", type=int, help="override max_steps")
    train.add_argument("--output-dir", help="override output_dir")
    train.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    merge = sub.add_parser("merge", help="fold a LoRA adapter into its base model")
    merge.add_argument("--adapter", required=True, help="adapter folder (PEFT format)")
    merge.add_argument("--output", required=True, help="folder for the merged model")
    merge.add_argument(
        "--base-model", help="base model (default: the one the adapter was trained on)"
    )
    merge.add_argument(
        "--cache-dir", default="var/models", help="where the bundled model is converted"
    )
    merge.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    ev = sub.add_parser("eval", help="intent accuracy / macro-F1 and loss of a model")
    ev.add_argument("--config", required=True, help="YAML config (base model, data, max_length)")
    group = ev.add_mutually_exclusive_group()
    group.add_argument("--adapter", help="adapter folder (default: the config's output_dir)")
    group.add_argument("--no-adapter", action="store_true", help="evaluate the base model alone")
    ev.add_argument("--data", nargs="+", help="data files instead of the config's validation data")
    ev.add_argument("--limit", type=int, help="at most N examples of each kind")
    ev.add_argument("--json", dest="json_out", help="also write the metrics to this file")
    ev.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "train")
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Nothing is downloaded at run time: models come from local folders.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from finetune.config import FinetuneConfig, FinetuneConfigError
    from finetune.data import DataFormatError

    try:
        if args.command == "train":
            from finetune.train import train

            config = FinetuneConfig.from_yaml(args.config)
            overrides = {"max_steps": args.max_steps, "output_dir": args.output_dir}
            overrides = {k: v for k, v in overrides.items() if v is not None}
            if overrides:
                config = FinetuneConfig.from_mapping({**config.to_dict(), **overrides}, args.config)
            result = train(config, resume=args.resume)
            if int(os.environ.get("RANK", "0")) != 0:  # one summary under DDP, from rank 0
                return 0
            print(
                json.dumps(
                    {
                        "output_dir": str(result.output_dir),
                        "steps": result.steps,
                        "best_step": result.best_step,
                        "best": result.best_metrics,
                        "base": result.base_metrics,
                        "tokens_per_second": round(result.tokens_per_second, 1),
                        "peak_memory_mib": result.peak_memory_mib,
                        "seconds": round(result.seconds, 1),
                        "stopped_early": result.stopped_early,
                    },
                    indent=2,
                )
            )
        elif args.command == "merge":
            from finetune.merge import merge_adapter

            out = merge_adapter(args.adapter, args.output, args.base_model, args.cache_dir)
            print(out)
        else:
            from finetune.config import DataSource
            from finetune.train import evaluate_saved

            config = FinetuneConfig.from_yaml(args.config)
            adapter = None if args.no_adapter else (args.adapter or config.output_dir)
            sources = [DataSource(path=p) for p in args.data] if args.data else None
            metrics = evaluate_saved(config, adapter, sources, args.limit)
            text = json.dumps(metrics, indent=2)
            print(text)
            if args.json_out:
                with open(args.json_out, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
    except (FinetuneConfigError, DataFormatError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
