"""Bring FAQ and catalogue files into the vector store, and decide what start-up syncs.

Two ways fill a collection:

- ``ingest_file`` (``shop-assistant ingest``): validate the whole file first (nothing is
  written when any row is bad), then upsert new and changed records in batches and delete the
  ones that left the file last. The collection is marked incomplete while this runs, so an
  interrupted ingest is reported at start-up; rerunning it finishes the work without
  embedding again what was already written.
- ``sync_shop_file`` (start-up): the shop folder's ``faq.jsonl`` / ``catalogue.jsonl`` is
  synced when the collection is empty or was last filled from that file and the file has
  changed since. A collection filled by ``ingest`` is left alone, so restarting the assistant
  never overwrites ingested data with the demo files.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from retrieval.records import FaqEntry, Product, load_catalogue, load_faq
from retrieval.store import SourceState, SyncSummary, VectorStore

logger = logging.getLogger(__name__)

__all__ = ["KINDS", "file_hash", "ingest_file", "load_records", "sync_shop_file"]

KINDS = ("faq", "catalogue")


def file_hash(path: str | Path) -> str:
    """SHA-256 of the file's bytes: tells whether a file changed since it was last synced."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_records(kind: str, path: str | Path) -> list[FaqEntry] | list[Product]:
    """Read and validate a whole FAQ or catalogue file; raises ``DataFileError``."""
    if kind == "faq":
        return load_faq(path)
    if kind == "catalogue":
        return load_catalogue(path)
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def _count(store: VectorStore, kind: str) -> int:
    return store.faq_count() if kind == "faq" else store.product_count()


def _write(store: VectorStore, kind: str, records, state: SourceState) -> SyncSummary:
    """Sync `records` into the collection, marked incomplete until the sync has finished."""
    previous = store.source_state(kind)
    store.set_source_state(kind, SourceState(state.kind, state.path, state.file_hash, False))
    try:
        summary = store.sync_faq(records) if kind == "faq" else store.sync_products(records)
    except Exception:
        # A write that failed by itself (not an interrupt, which leaves the marker on the file
        # being written so a rerun resumes it) would fail again on a rerun: point the marker
        # back at the previous source, still incomplete, so start-up re-syncs the shop file
        # or asks to rerun the previous ingest instead of this one.
        store.set_source_state(
            kind, SourceState(previous.kind, previous.path, previous.file_hash, False)
        )
        raise
    store.set_source_state(kind, state)
    return summary


def ingest_file(store: VectorStore, kind: str, path: str | Path, records=None) -> SyncSummary:
    """Make the ``kind`` collection hold exactly the records of `path`.

    `records` may be passed when the caller has already read and validated the file.
    """
    path = Path(path)
    if records is None:
        records = load_records(kind, path)
    state = SourceState("ingest", str(path.resolve()), file_hash(path), True)
    return _write(store, kind, records, state)


def sync_shop_file(store: VectorStore, kind: str, path: str | Path) -> SyncSummary | None:
    """Start-up sync of the shop folder's file; None when the collection is left as it is."""
    path = Path(path)
    state = store.source_state(kind)
    count = _count(store, kind)
    if count and state.kind == "ingest":
        if state.complete:
            logger.info("%s: %d records ingested from %s; %s is not synced over them",
                        kind, count, state.path, path)  # fmt: skip
        else:
            logger.warning(
                "%s: the ingest of %s did not finish; the store holds the old records plus "
                "part of the new ones. Run `shop-assistant ingest %s %s` again to complete it",
                kind, state.path, kind, state.path,
            )  # fmt: skip
        return None
    digest = file_hash(path)
    if count and state.kind == "shop" and state.complete and state.file_hash == digest:
        return SyncSummary(unchanged=count)
    records = load_records(kind, path)
    summary = _write(store, kind, records, SourceState("shop", str(path.resolve()), digest, True))
    logger.info("%s synced from %s: %s", kind, path, summary)
    return summary
