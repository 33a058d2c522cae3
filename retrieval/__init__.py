"""Retrieval for the shop assistant: records and readers, embeddings, vector store, hybrid
search, ingestion.

Names are loaded on first use, so ``import retrieval.records`` does not pull in
chromadb or torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "DataFileError": "retrieval.records",
    "FaqEntry": "retrieval.records",
    "Product": "retrieval.records",
    "load_faq": "retrieval.records",
    "load_catalogue": "retrieval.records",
    "Embedder": "retrieval.embeddings",
    "ModelNotFoundError": "retrieval.embeddings",
    "bundled_model_dir": "retrieval.embeddings",
    "VectorStore": "retrieval.store",
    "SyncSummary": "retrieval.store",
    "FaqHit": "retrieval.store",
    "ProductHit": "retrieval.store",
    "SourceState": "retrieval.store",
    "HybridSearch": "retrieval.hybrid",
}

__all__ = [
    "DataFileError",
    "Embedder",
    "FaqEntry",
    "FaqHit",
    "HybridSearch",
    "ModelNotFoundError",
    "Product",
    "ProductHit",
    "SourceState",
    "SyncSummary",
    "VectorStore",
    "bundled_model_dir",
    "load_catalogue",
    "load_faq",
]

if TYPE_CHECKING:
    from retrieval.embeddings import Embedder, ModelNotFoundError, bundled_model_dir
    from retrieval.hybrid import HybridSearch
    from retrieval.records import DataFileError, FaqEntry, Product, load_catalogue, load_faq
    from retrieval.store import FaqHit, ProductHit, SourceState, SyncSummary, VectorStore


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
