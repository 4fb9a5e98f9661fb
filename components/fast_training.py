"""Builds DIET's training graph without gradients for the entity tags it only decodes for a metric.

During training Rasa 3.6 decodes the entity tags with the CRF (Viterbi) on every batch, only to show
the entity F1 in the progress bar, and it does so inside the gradient tape. TensorFlow then builds
gradient functions for every branch of the decoder while tracing the training step: about a third
of the 35 s that DIET's first epoch takes on this machine (py-spy), spent on gradients nobody asks
for. Here the decoding runs with the tape stopped. The loss, and with it every gradient and weight
update, is computed from exactly the same operations as before; only the metric's decoding is not
recorded. The same trace runs when the rasa server loads the model, which starts sooner too.

Installed when the `components` package is imported, that is whenever a Nagarik model is trained
or loaded.
"""

from __future__ import annotations

from typing import Optional, Text, Tuple

import tensorflow as tf
from rasa.utils.tensorflow.models import TransformerRasaModel
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


def install() -> None:
    TransformerRasaModel._calculate_entity_loss = calculate_entity_loss
