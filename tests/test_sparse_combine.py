"""components.sparse_combine: the same combined features as scipy's hstack."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from components import sparse_combine


def _random(columns: int, dtype, seed: int, fmt: str = "coo") -> scipy.sparse.spmatrix:
    return scipy.sparse.random(5, columns, density=0.3, format=fmt, dtype=dtype, random_state=seed)


def test_installed_with_the_components() -> None:
    importlib.import_module("components")
    assert Features._combine_sparse_features is sparse_combine._combine_sparse_features


@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.float32, np.float64), (np.int64, np.float32)])
@pytest.mark.parametrize("formats", [("coo", "coo"), ("csr", "coo"), ("coo", "csc"), ("csr", "csr"), ("csc", "csc")])
def test_the_same_matrix_as_hstack_entry_for_entry(dtypes, formats) -> None:
    left, right = _random(7, dtypes[0], 1, formats[0]), _random(40, dtypes[1], 2, formats[1])
    ours, scipys = sparse_combine.side_by_side(left, right), scipy.sparse.hstack([left, right])
    assert ours.format == scipys.format and ours.shape == scipys.shape == (5, 47)
    ours, scipys = ours.tocoo(), scipys.tocoo()
    for name in ("row", "col", "data"):
        assert getattr(ours, name).dtype == getattr(scipys, name).dtype
        assert np.array_equal(getattr(ours, name), getattr(scipys, name))


def test_features_of_four_featurisers_combine_as_before() -> None:
    parts = [Features(_random(n, np.float32, n), "sequence", "text", f"F{n}") for n in (3, 20, 300, 50)]
    combined = Features.combine(parts, expected_origins=[f"F{n}" for n in (3, 20, 300, 50)])
    expected = scipy.sparse.hstack([part.features for part in parts])
    assert combined.features.shape == (5, 373)
    assert (combined.features != expected).nnz == 0
    assert combined.origin == ["F3", "F20", "F300", "F50"]


def test_sequence_lengths_must_match() -> None:
    short = Features(scipy.sparse.coo_matrix((2, 4)), "sequence", "text", "a")
    with pytest.raises(ValueError, match="sequence dimensions"):
        short.combine_with_features(Features(scipy.sparse.coo_matrix((3, 4)), "sequence", "text", "b"))
