"""Hybrid search: dense similarity from the vector store plus BM25 keywords, fused by rank.

Dense search finds paraphrases ("parcel" for "delivery"); BM25 finds the literal words a
shopper copies from a product title or uses in a language the English embedder reads poorly.
Reciprocal rank fusion needs no score calibration between the two. The same metadata filters
(language, category, price range, in stock) apply to both sides, so a filtered-out record
can never come back through the other one.

A hit is relevant when its dense similarity reaches ``min_score`` or it holds at least
``min_coverage`` of the query's keywords; when no hit is relevant the search returns nothing
and the caller answers "not found".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from retrieval.keyword import KeywordIndex, fused_scores
from retrieval.records import FaqEntry, Product
from retrieval.store import FaqHit, ProductHit, VectorStore

logger = logging.getLogger(__name__)

__all__ = ["HybridSearch", "faq_keyword_text", "product_keyword_text"]


def faq_keyword_text(entry: FaqEntry) -> str:
    """The text BM25 indexes for an entry; the question counts twice, as it is the best cue."""
    return f"{entry.question} {entry.question} {entry.answer}"


def product_keyword_text(product: Product) -> str:
    """Title twice (shoppers name products), then category, brand, attributes, description."""
    attributes = " ".join(product.attributes.values())
    category = product.category.replace("-", " ")
    return f"{product.title} {product.title} {category} {product.brand} {attributes} " + (
        product.description
    )


def _check_bar(name: str, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")


class HybridSearch:
    """Dense + BM25 search over the records of a :class:`VectorStore`.

    The keyword indexes are built from `faq` and `products` (default: everything in the
    store, read once here), so build a new one after the store's contents change.
    `rrf_k` and `dense_weight` set the fusion (see ``retrieval.keyword.fused_scores``).
    """

    def __init__(
        self,
        store: VectorStore,
        faq: Iterable[FaqEntry] | None = None,
        products: Iterable[Product] | None = None,
        rrf_k: float = 60,
        dense_weight: float = 0.5,
        pool: int = 40,
    ) -> None:
        _check_bar("dense_weight", dense_weight)
        if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
            raise ValueError(f"pool must be a positive integer, got {pool!r}")
        self.store = store
        self.faq = {e.faq_id: e for e in (store.faq_entries() if faq is None else faq)}
        items = store.products() if products is None else products
        self.products = {p.item_id: p for p in items}
        self.rrf_k = rrf_k
        self.weights = (dense_weight, 1.0 - dense_weight)
        self.pool = pool  # candidates taken from each side before fusion
        self._faq_index = KeywordIndex([(i, faq_keyword_text(e)) for i, e in self.faq.items()])
        self._product_index = KeywordIndex(
            [(i, product_keyword_text(p)) for i, p in self.products.items()]
        )

    def _fuse(self, dense: Sequence, keyword: Sequence, key: Callable) -> list:
        """(record id, dense score, keyword coverage, fused score), best first."""
        dense_score = {key(hit): hit.score for hit in dense}
        coverage = {hit.doc_id: hit.coverage for hit in keyword}
        fused = fused_scores(
            [list(dense_score), [hit.doc_id for hit in keyword]], self.rrf_k, self.weights
        )
        ranked = sorted(fused, key=lambda i: -fused[i])
        return [(i, dense_score.get(i, 0.0), coverage.get(i, 0.0), fused[i]) for i in ranked]

    def _depth(self, top_k: int) -> int:
        """Candidates taken from each side: the pool, or more when more hits are wanted."""
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {top_k!r}")
        return max(self.pool, top_k)

    @staticmethod
    def _relevant(rows: list, min_score: float | None, min_coverage: float | None) -> list:
        _check_bar("min_score", min_score)
        _check_bar("min_coverage", min_coverage)
        if min_score is None and min_coverage is None:
            return rows
        score_bar = 2.0 if min_score is None else min_score  # None: this signal never accepts
        coverage_bar = 2.0 if min_coverage is None else min_coverage
        return [row for row in rows if row[1] >= score_bar or row[2] >= coverage_bar]

    def search_faq(
        self,
        query: str,
        top_k: int = 5,
        language: str | None = None,
        category: str | None = None,
        min_score: float | None = None,
        min_coverage: float | None = None,
    ) -> list[FaqHit]:
        """Best FAQ entries for `query` in `language` / `category` (None: any).

        Entries below both bars are dropped; an empty list means "not found".
        """
        depth = self._depth(top_k)
        dense = self.store.search_faq(query, depth, language=language, category=category)
        allowed = None
        if language or category:
            allowed = {
                i
                for i, e in self.faq.items()
                if (not language or e.language == language)
                and (not category or e.category == category)
            }
        keyword = self._faq_index.search(query, depth, allowed=allowed)
        entries = self.faq | {hit.entry.faq_id: hit.entry for hit in dense}
        rows = self._relevant(self._fuse(dense, keyword, lambda h: h.entry.faq_id),
                              min_score, min_coverage)  # fmt: skip
        return [FaqHit(entries[i], s, c, f) for i, s, c, f in rows[:top_k] if i in entries]

    def search_products(
        self,
        query: str,
        top_k: int = 20,
        category: str | Sequence[str] | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
        language: str | None = None,
        min_score: float | None = None,
        min_coverage: float | None = None,
    ) -> list[ProductHit]:
        """Best products for `query` that pass every given filter (see
        ``VectorStore.search_products``); products below both bars are dropped."""
        filters = dict(category=category, min_price=min_price, max_price=max_price,
                       in_stock=in_stock, language=language)  # fmt: skip
        depth = self._depth(top_k)
        dense = self.store.search_products(query, depth, **filters)
        categories = {category} if isinstance(category, str) else set(category or [])
        allowed = None
        if any(value is not None for value in filters.values()):
            allowed = {
                i
                for i, p in self.products.items()
                if (not categories or p.category in categories)
                and (min_price is None or p.price >= min_price)
                and (max_price is None or p.price <= max_price)
                and (in_stock is None or p.in_stock == in_stock)
                and (not language or p.language == language)
            }
        keyword = self._product_index.search(query, depth, allowed=allowed)
        products = self.products | {hit.product.item_id: hit.product for hit in dense}
        rows = self._relevant(self._fuse(dense, keyword, lambda h: h.product.item_id),
                              min_score, min_coverage)  # fmt: skip
        return [ProductHit(products[i], s, c, f) for i, s, c, f in rows[:top_k] if i in products]
