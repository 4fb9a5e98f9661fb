"""Rasa's training batches reach Keras through a tf.data pipeline without autotuning: no stalls.

Rasa hands Keras its batch generator (a `keras.utils.Sequence`), and Keras feeds it to the model
through `tf.data.Dataset.from_generator(...)`, a new iterator every epoch. With tf.data's default
options each iterator gets an autotuning thread that sleeps between its rounds for a period that
doubles up to 60 s. When an iterator is dropped, the main thread waits for that thread to end,
and sometimes it waits out the thread's whole sleep: `rasa train` then sat at 0% CPU for 16 to 60 s
(`vmstat`), in three of about fifteen runs on this machine, each time right after DIET's last
epoch; `py-spy dump` caught the main thread in `~LogicalThreadWrapper` under
`RootDataset::Iterator::~Iterator`, waiting for a tf.data thread. Nothing in the pipeline is
autotuned (the generator is a Python function and Keras prefetches one batch), so the thread has
nothing to tune: the dataset Keras builds for a Rasa model now has autotuning off, and TensorFlow
does not start it (fewer threads in the process, the same batches and weights).

Applies to every Keras `Sequence` in the process, that is to Rasa's models: DIET, the
ResponseSelector and TED.
"""

from __future__ import annotations

import tensorflow as tf
from keras.engine.data_adapter import GeneratorDataAdapter, KerasSequenceAdapter


def without_autotuning(dataset: tf.data.Dataset) -> tf.data.Dataset:
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def get_dataset(self: KerasSequenceAdapter) -> tf.data.Dataset:
    """Keras' dataset for a Sequence, with tf.data's autotuning off."""
    return without_autotuning(GeneratorDataAdapter.get_dataset(self))


def install() -> None:
    KerasSequenceAdapter.get_dataset = get_dataset
