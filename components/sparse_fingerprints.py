"""Fingerprints of sparse features from the matrix's arrays, not from its printout.

`rasa train` fingerprints the training data after every pipeline step, for its cache of trained
components. Rasa 3.6 fingerprints a sparse feature matrix by formatting each of its values as a
line of text ("  (0, 17)\t1.0") and hashing the text: the character n-gram and word features of
4,545 examples, formatted again for each featuriser, took about 7 s of `make train` (py-spy). The
same coordinates and values are hashed here as bytes. Equal matrices still give equal
fingerprints and a changed value, position or shape a different one; the fingerprints are not
Rasa's, so a cache filled before this module was installed is not reused (retrained once).

Installed when the `components` package is imported.
"""

from __future__ import annotations

import hashlib
from typing import Text

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.io import deep_container_fingerprint

rasa_fingerprint = Features.fingerprint


def sparse_matrix_digest(matrix: scipy.sparse.spmatrix) -> Text:
    """A hash of the matrix's shape and of the position and value of each stored entry."""
    coo = matrix.tocoo()
    digest = hashlib.md5(usedforsecurity=False)
    for array in (np.asarray(coo.shape, np.int64), coo.row.astype(np.int64), coo.col.astype(np.int64),
                  coo.data.astype(np.float64)):
        digest.update(array.tobytes())
    return digest.hexdigest()


def fingerprint(self: Features) -> Text:
    """Rasa's Features.fingerprint with sparse matrices hashed as arrays."""
    if self.is_dense():
        return rasa_fingerprint(self)
    if self._cached_fingerprint is None:
        self._cached_fingerprint = deep_container_fingerprint(
            [self.type, self.origin, self.attribute, sparse_matrix_digest(self.features)]
        )
    return self._cached_fingerprint


def install() -> None:
    Features.fingerprint = fingerprint
