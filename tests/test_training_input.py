"""components.training_input: Keras reads Rasa's batches through tf.data without autotuning, and reads the same."""

from __future__ import annotations

import importlib

import keras
import numpy as np
import tensorflow as tf
from keras.engine.data_adapter import GeneratorDataAdapter, KerasSequenceAdapter

from components import training_input


class Batches(keras.utils.Sequence):
    """Three batches of a Sequence, as Rasa's batch generator is one."""

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int):
        return np.full((2, 4), index, dtype=np.float32), None


def _first_values(dataset: tf.data.Dataset) -> list:
    return [float(tf.nest.flatten(batch)[0].numpy()[0, 0]) for batch in dataset]


def test_keras_datasets_for_sequences_have_autotuning_off() -> None:
    importlib.import_module("components")  # installs it
    assert KerasSequenceAdapter.get_dataset is training_input.get_dataset
    dataset = KerasSequenceAdapter(Batches()).get_dataset()
    assert dataset.options().autotune.enabled is False
    keras_own = GeneratorDataAdapter.get_dataset(KerasSequenceAdapter(Batches()))
    assert keras_own.options().autotune.enabled is not False  # tf.data's default: on


def test_the_batches_are_the_same() -> None:
    adapter = KerasSequenceAdapter(Batches())
    assert _first_values(training_input.get_dataset(adapter)) == [0.0, 1.0, 2.0]
    assert _first_values(GeneratorDataAdapter.get_dataset(KerasSequenceAdapter(Batches()))) == [0.0, 1.0, 2.0]


def test_a_model_trains_on_it_with_keras_fit() -> None:
    importlib.import_module("components")
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")

    class Pairs(keras.utils.Sequence):
        def __len__(self) -> int:
            return 2

        def __getitem__(self, index: int):
            return np.ones((2, 4), dtype=np.float32), np.zeros((2, 1), dtype=np.float32)

    history = model.fit(Pairs(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
