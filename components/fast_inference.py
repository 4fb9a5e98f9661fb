"""Runs Rasa's TensorFlow models (DIET, the response selector, TED) without `tf.function`'s per-call checks.

Rasa 3.6 wraps each model's `predict_step` in a `tf.function` with a fixed input signature and calls
it with a list of numpy arrays. On every call TensorFlow then canonicalises the arguments, converts
each array, matches them against the signature and looks the traced graph up again: about 4 ms of
Python per call on this machine, more than the graph itself takes to run (`make bench` profile). A
message costs three to five such calls, all on the rasa server's one event loop.

After the first call has traced the graph as usual, this calls the traced graph directly with the
arrays converted to the signature's dtypes. The graph, its inputs and its outputs are the same, so
the predictions are identical (tests/test_tensorflow_speedups.py compares them). Anything unusual (eager
mode, a batch that does not fit the signature) goes the original way.

Installed when the `components` package is imported, that is whenever a Nagarik model is loaded.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Text

import numpy as np
import tensorflow as tf
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel

_original_rasa_predict = RasaModel._rasa_predict
_TRACED = "_nagarik_traced_predict"


def _traced_graph(model: RasaModel) -> Optional[Any]:
    """The concrete function behind `model._tf_predict_step`, once Rasa has traced it."""
    traced = model.__dict__.get(_TRACED)
    if traced is None and model._tf_predict_step is not None:
        traced = model._tf_predict_step.get_concrete_function()
        model.__dict__[_TRACED] = traced
    return traced


def _as_inputs(traced: Any, batch_in: Sequence[np.ndarray]) -> Optional[list]:
    """The batch as the graph's input tensors, or None when it does not fit the traced signature."""
    specs = traced.structured_input_signature[0][0]
    if len(specs) != len(batch_in):
        return None
    tensors = []
    for spec, array in zip(specs, batch_in):
        tensor = tf.convert_to_tensor(array, dtype=spec.dtype)
        if not spec.shape.is_compatible_with(tensor.shape):
            return None
        tensors.append(tensor)
    return tensors


def rasa_predict(self: RasaModel, batch_in: Sequence[np.ndarray]) -> Dict[Text, Any]:
    """Same contract as RasaModel._rasa_predict."""
    traced = None if self._run_eagerly or not self.prepared_for_prediction else _traced_graph(self)
    inputs = _as_inputs(traced, batch_in) if traced is not None else None
    if inputs is None:
        return _original_rasa_predict(self, batch_in)
    self._training = False
    outputs = tf_utils.sync_to_numpy_or_python_type(traced._call_flat(inputs, traced.captured_inputs))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    RasaModel._rasa_predict = rasa_predict
