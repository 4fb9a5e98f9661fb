"""Rasa's training batches reach Keras through a tf.data pipeline without autotuning: no stalls.

Rasa hands Keras its batch generator (a `keras.utils.Sequence`), and Keras feeds it to the model
through `tf.data.Dataset.from_generator(...)`, a new iterator every epoch. When `fit` dropped the
last iterator, `rasa train` sometimes sat at 0% CPU for 16 to 60 s (`vmstat`) before going on: in
at least five of about twenty-five training runs on this machine, each time right after DIET's
last epoch. `py-spy dump` caught the main thread in the iterator's destructor
(`RootDataset::Iterator::~Iterator`, `~LogicalThreadWrapper`) waiting for one of tf.data's
threads. With tf.data's default options each iterator also runs an autotuning thread, which sleeps
between its rounds for a period that grows to a minute; waiting out that sleep would explain
stalls of up to 60 s. Nothing in this pipeline can be tuned (the generator is a Python function
and Keras prefetches one batch), so the dataset Keras builds for a Rasa model now has autotuning
off: the same batches and weights, fewer threads (14 instead of 18 at the same point of a
training run), and no stall in the five runs since (three `make train` and two fresh-clone CI runs).
A first attempt, running the generator without Keras' prefetch thread (`workers=0`), still
stalled.

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
