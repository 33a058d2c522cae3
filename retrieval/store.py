"""Vector index of FAQ entries and products, kept in Chroma (the only module importing chromadb).

Each stored record carries a hash of its content, so syncing the same data again embeds
nothing, and a store reopened from disk (or a Chroma server) is reused as it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.embeddings import Embedder
from retrieval.records import FaqEntry, Product

logger = logging.getLogger(__name__)

__all__ = ["FaqHit", "ProductHit", "SourceState", "SyncSummary", "VectorStore"]

# Bump when the document text or metadata layout changes, so old indexes are rebuilt.
_LAYOUT_VERSION = 1
_HASH_KEY = "content_hash"
_RECORD_KEY = "record"


@dataclass(frozen=True)
class SyncSummary:
    """What a sync changed: counts of records added, updated, removed and left unchanged."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def __str__(self) -> str:
        return (
            f"added={self.added} updated={self.updated} "
            f"removed={self.removed} unchanged={self.unchanged}"
        )


@dataclass(frozen=True)
class SourceState:
    """Where a collection's records came from, kept in the collection's metadata.

    kind: "shop" (synced from the shop folder at start-up), "ingest" (written by
    ``shop-assistant ingest``) or "" (unknown: a store built before this was recorded).
    complete: False while a write is under way, so an interrupted one can be noticed.
    """

    kind: str = ""
    path: str = ""
    file_hash: str = ""
    complete: bool = True


@dataclass(frozen=True)
class FaqHit:
    entry: FaqEntry
    score: float  # 1 - cosine distance, clipped to [0, 1]; higher is better
    keyword: float = 0.0  # share of the query's keywords in the entry's text (hybrid search)
    fused: float = 0.0  # reciprocal-rank-fusion score (hybrid search); higher is better


@dataclass(frozen=True)
class ProductHit:
    product: Product
    score: float  # 1 - cosine distance, clipped to [0, 1]; higher is better
    keyword: float = 0.0  # share of the query's keywords in the product's text (hybrid search)
    fused: float = 0.0  # reciprocal-rank-fusion score (hybrid search); higher is better


@register_embedding_function
class ShopEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by our :class:`Embedder`.

    Attached to the collections so that Chroma never falls back to its default function
    (which downloads a model). The store itself passes precomputed vectors.
    """

    def __init__(self, embedder: Embedder | None = None, source: str | None = None) -> None:
        self._embedder = embedder
        self._source = source if source is not None else getattr(embedder, "source", None)

    def __call__(self, input: Documents) -> Embeddings:
        if self._embedder is None:  # built from a stored config: load the model on first use
            self._embedder = Embedder(self._source)
        return list(self._embedder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "shop_assistant_embedder"

    def get_config(self) -> dict[str, Any]:
        return {"source": self._source}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ShopEmbeddingFunction:
        # Lazy on purpose: Chroma calls this while merely checking the configuration.
        return ShopEmbeddingFunction(source=config.get("source"))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


def _content_hash(document: str, metadata: dict[str, Any]) -> str:
    payload = json.dumps(
        {"v": _LAYOUT_VERSION, "doc": document, "meta": metadata},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _faq_document(entry: FaqEntry) -> str:
    return f"{entry.question}\n{entry.answer}"


def _faq_metadata(entry: FaqEntry) -> dict[str, Any]:
    return {
        "language": entry.language,
        "category": entry.category,
        "topic": entry.topic,
        _RECORD_KEY: json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True),
    }


def _product_document(product: Product) -> str:
    parts = [f"{product.title}.", product.description]
    parts.append(f"Category: {product.category.replace('-', ' ')}.")
    parts.append(f"Brand: {product.brand}.")
    if product.attributes:
        attrs = ", ".join(f"{key}: {value}" for key, value in sorted(product.attributes.items()))
        parts.append(f"{attrs}.")
    return " ".join(part for part in parts if part)


def _product_metadata(product: Product) -> dict[str, Any]:
    return {
        "title": product.title,
        "category": product.category,
        "brand": product.brand,
        "price": float(product.price),
        "stock": int(product.stock),
        "currency": product.currency,
        "language": product.language,
        _RECORD_KEY: json.dumps(product.to_dict(), ensure_ascii=False, sort_keys=True),
    }


def _faq_from_metadata(metadata: dict[str, Any]) -> FaqEntry:
    return FaqEntry(**json.loads(metadata[_RECORD_KEY]))


def _product_from_metadata(metadata: dict[str, Any]) -> Product:
    return Product(**json.loads(metadata[_RECORD_KEY]))


def _score(distance: float) -> float:
    return float(min(1.0, max(0.0, 1.0 - distance)))


def _and(conditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not conditions:
        return None
    if len(conditions) == 1:
        return conditions[0]
    return {"$and": conditions}


def _check_top_k(top_k: int) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise ValueError(f"top_k must be a positive integer, got {top_k!r}")


def _check_price(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


class VectorStore:
    """FAQ and product collections in Chroma, searched with cosine similarity.

    ``path`` selects an on-disk store; ``host`` (and ``port``) a Chroma server instead;
    neither gives an in-memory store. ``prefix`` names the two collections
    (``{prefix}_faq`` and ``{prefix}_products``).
    """

    def __init__(
        self,
        path: str | Path | None,
        embedder: Embedder,
        host: str | None = None,
        port: int | None = None,
        prefix: str = "shop",
        batch_size: int = 128,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if not isinstance(prefix, str) or not prefix.strip():
            raise ValueError(f"prefix must be a non-empty string, got {prefix!r}")
        self._embedder = embedder
        settings = Settings(anonymized_telemetry=False)
        if host:
            port = 8000 if port is None else int(port)
            logger.info("using Chroma server at %s:%s", host, port)
            self._client = chromadb.HttpClient(host=host, port=port, settings=settings)
            self.location = f"http://{host}:{port}"
        elif path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=settings)
            self.location = str(path)
        else:
            self._client = chromadb.EphemeralClient(settings=settings)
            self.location = ":memory:"
        self._batch_size = min(batch_size, self._client.get_max_batch_size())
        self._function = ShopEmbeddingFunction(embedder)
        self._faq = self._open_collection(f"{prefix}_faq")
        self._products = self._open_collection(f"{prefix}_products")

    # ------------------------------------------------------------------ setup

    def _index_identity(self) -> dict[str, Any]:
        """Collection metadata that must match for stored vectors to be reusable."""
        return {
            "embedder": str(getattr(self._embedder, "model_id", type(self._embedder).__name__)),
            "dim": int(self._embedder.dim),
            "layout": _LAYOUT_VERSION,
        }

    def _open_collection(self, name: str):
        identity = self._index_identity()
        options = {
            "metadata": identity,
            "configuration": {"hnsw": {"space": "cosine"}},
            "embedding_function": self._function,
        }
        collection = self._client.get_or_create_collection(name, **options)
        stored = collection.metadata or {}
        if any(stored.get(key) != value for key, value in identity.items()):
            # Vectors from another model (or layout) cannot be compared with ours: rebuild.
            logger.warning(
                "collection %s was built with %s; rebuilding it for %s", name, stored, identity
            )
            self._client.delete_collection(name)
            collection = self._client.create_collection(name, **options)
        return collection

    def close(self) -> None:
        """Release the Chroma client (frees the on-disk store for other processes)."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sync

    def _stored_hashes(self, collection) -> dict[str, str]:
        hashes: dict[str, str] = {}
        offset = 0
        page = max(self._batch_size, 1000)
        while True:
            got = collection.get(include=["metadatas"], limit=page, offset=offset)
            for item_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True):
                hashes[item_id] = (metadata or {}).get(_HASH_KEY, "")
            if len(got["ids"]) < page:
                return hashes
            offset += page

    def _collection(self, kind: str):
        if kind not in ("faq", "catalogue"):
            raise ValueError(f"kind must be 'faq' or 'catalogue', got {kind!r}")
        return self._faq if kind == "faq" else self._products

    def source_state(self, kind: str) -> SourceState:
        """Where the records of the ``"faq"`` or ``"catalogue"`` collection came from."""
        collection = self._collection(kind)
        # Read afresh: another process (an ingest) may have changed it since we opened it.
        meta = self._client.get_collection(collection.name, embedding_function=self._function)
        meta = meta.metadata or {}
        return SourceState(
            kind=str(meta.get("source_kind", "")),
            path=str(meta.get("source_path", "")),
            file_hash=str(meta.get("source_hash", "")),
            complete=bool(meta.get("source_complete", True)),
        )

    def set_source_state(self, kind: str, state: SourceState) -> None:
        """Record where the collection's records came from (see :class:`SourceState`)."""
        collection = self._collection(kind)
        collection.modify(
            metadata={
                **self._index_identity(),
                "source_kind": state.kind,
                "source_path": state.path,
                "source_hash": state.file_hash,
                "source_complete": state.complete,
            }
        )

    def _sync(self, collection, records: dict[str, tuple[str, dict[str, Any]]]) -> SyncSummary:
        """Upsert new and changed records in batches, then delete the ones that left.

        Deleting last keeps an interrupted sync harmless: the collection then holds every
        old record plus some new ones, and a rerun skips the batches already written
        (their content hashes match) and finishes the rest.
        """
        stored = self._stored_hashes(collection)
        todo: list[tuple[str, str, dict[str, Any]]] = []
        added = updated = unchanged = 0
        for item_id, (document, metadata) in records.items():
            digest = _content_hash(document, metadata)
            if item_id not in stored:
                added += 1
            elif stored[item_id] != digest:
                updated += 1
            else:
                unchanged += 1
                continue
            todo.append((item_id, document, {**metadata, _HASH_KEY: digest}))
        for start in range(0, len(todo), self._batch_size):
            batch = todo[start : start + self._batch_size]
            vectors = self._embedder.encode([document for _, document, _ in batch])
            collection.upsert(
                ids=[item_id for item_id, _, _ in batch],
                embeddings=vectors,
                documents=[document for _, document, _ in batch],
                metadatas=[metadata for _, _, metadata in batch],
            )
            logger.info(
                "%s: wrote %d of %d new or changed records",
                collection.name,
                min(start + len(batch), len(todo)),
                len(todo),
            )
        removed = [item_id for item_id in stored if item_id not in records]
        for start in range(0, len(removed), self._batch_size):
            collection.delete(ids=removed[start : start + self._batch_size])
        summary = SyncSummary(added, updated, len(removed), unchanged)
        logger.info("synced collection %s: %s", collection.name, summary)
        return summary

    def sync_faq(self, entries: Iterable[FaqEntry]) -> SyncSummary:
        """Make the FAQ collection hold exactly ``entries``; only changes are embedded."""
        records: dict[str, tuple[str, dict[str, Any]]] = {}
        for entry in entries:
            if not isinstance(entry, FaqEntry):
                raise TypeError(f"expected FaqEntry, got {type(entry).__name__}")
            if entry.faq_id in records:
                raise ValueError(f"duplicate faq_id {entry.faq_id!r}")
            records[entry.faq_id] = (_faq_document(entry), _faq_metadata(entry))
        return self._sync(self._faq, records)

    def sync_products(self, products: Iterable[Product]) -> SyncSummary:
        """Make the product collection hold exactly ``products``; only changes are embedded."""
        records: dict[str, tuple[str, dict[str, Any]]] = {}
        for product in products:
            if not isinstance(product, Product):
                raise TypeError(f"expected Product, got {type(product).__name__}")
            if product.item_id in records:
                raise ValueError(f"duplicate item_id {product.item_id!r}")
            records[product.item_id] = (_product_document(product), _product_metadata(product))
        return self._sync(self._products, records)

    # ------------------------------------------------------------------ search

    def _query(self, collection, query: str, top_k: int, where: dict[str, Any] | None):
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, got {type(query).__name__}")
        _check_top_k(top_k)
        total = collection.count()
        if not query.strip() or total == 0:
            return []
        vector = self._embedder.encode([query])
        result = collection.query(
            query_embeddings=vector,
            n_results=min(top_k, total),
            where=where,
            include=["metadatas", "distances"],
        )
        return list(zip(result["metadatas"][0], result["distances"][0], strict=True))

    def search_faq(
        self,
        query: str,
        top_k: int = 3,
        language: str | None = None,
        category: str | None = None,
    ) -> list[FaqHit]:
        """The ``top_k`` FAQ entries closest to ``query``, optionally in one language and
        category."""
        conditions = [{"language": {"$eq": language}}] if language else []
        if category:
            conditions.append({"category": {"$eq": category}})
        where = _and(conditions)
        return [
            FaqHit(_faq_from_metadata(metadata), _score(distance))
            for metadata, distance in self._query(self._faq, query, top_k, where)
        ]

    def search_products(
        self,
        query: str,
        top_k: int = 20,
        category: str | Sequence[str] | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
        language: str | None = None,
    ) -> list[ProductHit]:
        """The ``top_k`` products closest to ``query`` that pass the given filters.

        ``category`` may be one slug or several; prices are inclusive bounds;
        ``in_stock=True`` keeps items with stock > 0, ``False`` only sold-out ones.
        """
        conditions: list[dict[str, Any]] = []
        if language:
            conditions.append({"language": {"$eq": language}})
        if isinstance(category, str):
            conditions.append({"category": {"$eq": category}})
        elif category is not None:
            categories = list(category)
            if categories:
                conditions.append({"category": {"$in": categories}})
        low = _check_price("min_price", min_price)
        high = _check_price("max_price", max_price)
        if low is not None:
            conditions.append({"price": {"$gte": low}})
        if high is not None:
            conditions.append({"price": {"$lte": high}})
        if in_stock is True:
            conditions.append({"stock": {"$gt": 0}})
        elif in_stock is False:
            conditions.append({"stock": {"$lte": 0}})
        return [
            ProductHit(_product_from_metadata(metadata), _score(distance))
            for metadata, distance in self._query(self._products, query, top_k, _and(conditions))
        ]

    # ------------------------------------------------------------------ contents

    def _all_metadata(self, collection) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = max(self._batch_size, 1000)
        while True:
            got = collection.get(include=["metadatas"], limit=page, offset=len(rows))
            rows.extend(got["metadatas"] or [])
            if len(got["ids"]) < page:
                return rows

    def faq_entries(self) -> list[FaqEntry]:
        """Every FAQ entry in the store, ordered by ``faq_id``."""
        entries = [_faq_from_metadata(meta) for meta in self._all_metadata(self._faq)]
        return sorted(entries, key=lambda e: e.faq_id)

    def products(self) -> list[Product]:
        """Every product in the store, ordered by ``item_id``."""
        products = [_product_from_metadata(meta) for meta in self._all_metadata(self._products)]
        return sorted(products, key=lambda p: p.item_id)

    # ------------------------------------------------------------------ counts

    def faq_count(self) -> int:
        return self._faq.count()

    def product_count(self) -> int:
        return self._products.count()
