"""`shop-assistant ingest faq|catalogue FILE`: load a shop's FAQ or catalogue into its store.

The store is the one the assistant reads (``data_dir/chroma``, or the Chroma server of
``chroma_host``/``chroma_port``), opened through :func:`open_store` by both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import AssistantConfig

HELP = "add, update and remove FAQ entries or products from a JSONL, CSV or Markdown file"


def open_store(config: AssistantConfig, embedder, batch_size: int = 128):
    """The shop's vector store: a Chroma server when `chroma_host` is set, else on disk."""
    from retrieval.store import VectorStore

    return VectorStore(
        None if config.chroma_host else config.data_dir / "chroma",
        embedder,
        host=config.chroma_host,
        port=config.chroma_port,
        batch_size=batch_size,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=["faq", "catalogue"], help="what the file holds")
    parser.add_argument(
        "file", help="FAQ: .jsonl, .csv or .md; catalogue: .jsonl or .csv (docs/data-format.md)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help="records embedded and written per batch (an interrupted ingest keeps whole batches)",
    )


def run(config: AssistantConfig, args: argparse.Namespace) -> int:
    """Validate the whole file, then sync it; prints what changed. Exit 2 on a bad file."""
    from retrieval.embeddings import Embedder
    from retrieval.ingest import ingest_file, load_records
    from retrieval.records import DataFileError

    if args.batch_size < 1:
        print(f"shop-assistant: error: --batch-size must be >= 1, got {args.batch_size}",
              file=sys.stderr)  # fmt: skip
        return 2
    path = Path(args.file)
    try:  # the whole file is read first: a bad row stops the ingest before any write
        records = load_records(args.kind, path)
    except (DataFileError, OSError) as exc:
        print(f"shop-assistant: error: {exc}", file=sys.stderr)
        return 2
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with open_store(config, Embedder(config.embedding_model), args.batch_size) as store:
        summary = ingest_file(store, args.kind, path, records)
        total = store.faq_count() if args.kind == "faq" else store.product_count()
        where = store.location
    print(
        f"{args.kind}: {len(records)} records in {path}: added {summary.added}, "
        f"updated {summary.updated}, removed {summary.removed}, unchanged {summary.unchanged}; "
        f"{total} in the store at {where}"
    )
    return 0
