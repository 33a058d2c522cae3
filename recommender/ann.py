"""Approximate maximum-inner-product top-k over item vectors, with Chroma's HNSW index.

Exact scoring (one matrix product over all items) stays the default up to a million items;
beyond that the service asks this index for a short list of candidates instead. The index is
in memory and rebuilt from the model's vectors; it is never the source of truth.
"""

from __future__ import annotations

import itertools
import logging

import numpy as np

logger = logging.getLogger(__name__)

_names = itertools.count()


class InnerProductIndex:
    """HNSW over rows of `vectors` (n, d); query(v, n) returns rows by descending <row, v>."""

    def __init__(self, vectors: np.ndarray, ef_search: int = 200) -> None:
        # Imported here: only the big-catalogue path needs chromadb.
        import chromadb
        from chromadb.config import Settings

        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] == 0:
            raise ValueError(f"vectors must be a non-empty (n, d) array, got {vectors.shape}")
        self.size = vectors.shape[0]
        self._client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
        self._collection = self._client.create_collection(
            f"recommender_items_{next(_names)}",
            configuration={
                "hnsw": {
                    "space": "ip",
                    "ef_search": ef_search,
                    "ef_construction": max(ef_search, 100),
                }
            },  # fmt: skip
            embedding_function=None,
        )
        step = self._client.get_max_batch_size()
        for first in range(0, self.size, step):
            rows = range(first, min(first + step, self.size))
            self._collection.add(ids=[str(r) for r in rows], embeddings=vectors[first : rows.stop])
        logger.info("HNSW inner-product index over %d items (dim %d)", *vectors.shape)

    def query(self, vector: np.ndarray, n: int) -> np.ndarray:
        """Up to n rows with the highest inner product with `vector`, best first."""
        n = max(1, min(int(n), self.size))
        found = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=n, include=[]
        )
        return np.array([int(i) for i in found["ids"][0]], dtype=np.int64)
