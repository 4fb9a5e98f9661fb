"""components.sparse_fingerprints: cheaper fingerprints that still tell feature matrices apart."""

from __future__ import annotations

import importlib

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from components import sparse_fingerprints


def _features(matrix) -> Features:
    return Features(matrix, "sequence", "text", "CountVectorsFeaturizer")


def _matrix(values=(1.0, 2.0), columns=(3, 7), shape=(2, 10)) -> scipy.sparse.coo_matrix:
    return scipy.sparse.coo_matrix((values, ([0, 1], columns)), shape=shape)


def test_installed_with_the_components() -> None:
    importlib.import_module("components")
    assert Features.fingerprint is sparse_fingerprints.fingerprint


def test_equal_matrices_have_equal_fingerprints_whatever_their_format() -> None:
    assert _features(_matrix()).fingerprint() == _features(_matrix().tocsr()).fingerprint()


def test_a_different_value_position_or_shape_changes_the_fingerprint() -> None:
    original = _features(_matrix()).fingerprint()
    assert _features(_matrix(values=(1.0, 3.0))).fingerprint() != original
    assert _features(_matrix(columns=(3, 8))).fingerprint() != original
    assert _features(_matrix(shape=(2, 11))).fingerprint() != original


def test_the_feature_kind_is_part_of_the_fingerprint() -> None:
    other_origin = Features(_matrix(), "sequence", "text", "LexicalSyntacticFeaturizer")
    other_type = Features(_matrix(), "sentence", "text", "CountVectorsFeaturizer")
    fingerprints = {_features(_matrix()).fingerprint(), other_origin.fingerprint(), other_type.fingerprint()}
    assert len(fingerprints) == 3


def test_combined_features_are_fingerprinted_again() -> None:
    features = _features(_matrix())
    before = features.fingerprint()
    features.combine_with_features(_features(_matrix(values=(5.0, 6.0))))
    assert features.fingerprint() != before


def test_dense_features_keep_rasas_fingerprint() -> None:
    dense = Features(np.ones((2, 3)), "sentence", "text", "LanguageModelFeaturizer")
    assert dense.fingerprint() == sparse_fingerprints.rasa_fingerprint(
        Features(np.ones((2, 3)), "sentence", "text", "LanguageModelFeaturizer"))
