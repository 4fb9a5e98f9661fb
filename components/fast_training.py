"""Lighter TensorFlow training for Rasa's models: fewer gradients to trace, and one trace, not two.

Entity decoding. DIET's training graph is built without gradients for the entity tags it only
decodes for a metric.

During training Rasa 3.6 decodes the entity tags with the CRF (Viterbi) on every batch, only to show
the entity F1 in the progress bar, and it does so inside the gradient tape. TensorFlow then builds
gradient functions for every branch of the decoder while tracing the training step: about a third
of the 35 s that DIET's first epoch takes on this machine (py-spy), spent on gradients nobody asks
for. Here the decoding runs with the tape stopped. The loss, and with it every gradient and weight
update, is computed from exactly the same operations as before; only the metric's decoding is not
recorded. The same trace runs when the rasa server loads the model, which starts sooner too.

One trace. Keras compiles the training step into a graph when the first batch arrives. Rasa's
layers and Adam's slots do not exist yet, so the first trace creates them, and TensorFlow then
traces the whole step a second time without variable creation: 12-14 s of DIET's first epoch on
this 2-core machine (the ResponseSelector's model is a DIET too). Here the variables are made
first, by one forward pass over the first batch outside the graph and Adam's `build`, so the step
is traced once. Training is as deterministic as before (same random seed, same model, tested), but
the initial weights are drawn outside the graph, so they are not the values Rasa would draw: the
held-out quality was measured again with this in place.

Installed when the `components` package is imported, that is whenever a Nagarik model is trained
or loaded.
"""

from __future__ import annotations

from typing import Any, Optional, Text, Tuple

import numpy as np
import tensorflow as tf
from keras import Model
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.models import RasaModel, TransformerRasaModel
from tensorflow.python.eager import tape

rasa_calculate_entity_loss = TransformerRasaModel._calculate_entity_loss


def calculate_entity_loss(
    self: TransformerRasaModel,
    inputs: tf.Tensor,
    tag_ids: tf.Tensor,
    mask: tf.Tensor,
    sequence_lengths: tf.Tensor,
    tag_name: Text,
    entity_tags: Optional[tf.Tensor] = None,
) -> Tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Same contract and same loss as TransformerRasaModel._calculate_entity_loss."""
    tag_ids = tf.cast(tag_ids[:, :, 0], tf.int32)
    if entity_tags is not None:
        inputs = tf.concat([inputs, self._tf_layers[f"embed.{tag_name}.tags"](entity_tags)], axis=-1)
    logits = self._tf_layers[f"embed.{tag_name}.logits"](inputs)
    crf = self._tf_layers[f"crf.{tag_name}"]
    # The decoded tags feed the F1 metric only, never the loss.
    with tape.stop_recording():
        pred_ids, _ = crf(logits, sequence_lengths)  # also builds the layer's weights on the first call
    loss = crf.loss(logits, tag_ids, sequence_lengths)
    f1 = crf.f1_score(tag_ids, pred_ids, mask)
    return loss, f1, logits


def _as_tensor(array: Any) -> tf.Tensor:
    """What Keras makes of a batch array: floating point arrays become float32."""
    array = np.asarray(array)
    return tf.constant(array, tf.float32 if np.issubdtype(array.dtype, np.floating) else None)


def create_variables(model: RasaModel, batch: Tuple[Any, ...]) -> None:
    """Makes the layers' and the optimizer's variables, so that tracing the step creates none."""
    model._training = True  # the layers build as they will train (dropout included)
    try:
        model.batch_loss(tuple(_as_tensor(array) for array in batch))
    finally:
        model._training = None
    model.optimizer.build(model.trainable_variables)
    model.reset_metrics()  # the first epoch's progress bar starts from zero, as in Rasa


def fit(self: DIET, x: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Keras' fit, after creating the variables from the first batch when Rasa's generator gives one.

    Only for DIET and the ResponseSelector's model: the branches of their training step are
    chosen in Python, so one batch run outside the graph builds every layer the step uses. TED
    chooses some in the graph (tf.cond), where one batch leaves layers unbuilt that the trace then
    creates, after the optimizer was built without them; it keeps Rasa's two traces.
    """
    if isinstance(x, RasaBatchDataGenerator) and len(x) > 0 and not self.run_eagerly:
        batch, _ = x[0]  # indexing does not advance or reshuffle the generator
        create_variables(self, batch)
    return Model.fit(self, x, *args, **kwargs)


def install() -> None:
    TransformerRasaModel._calculate_entity_loss = calculate_entity_loss
    DIET.fit = fit
