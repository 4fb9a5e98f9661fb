"""components.synchronous_batches: Keras gets Rasa's batches without a prefetch thread, for every Rasa model."""

from __future__ import annotations

import importlib
from typing import Any, Dict, List

import keras
import numpy as np
import pytest
import tensorflow as tf
from rasa.core.policies.ted_policy import TED
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.nlu.selectors.response_selector import DIET2DIET
from rasa.utils.tensorflow.models import RasaModel

from components import synchronous_batches


@pytest.fixture
def keras_fit_calls(monkeypatch) -> List[Dict[str, Any]]:
    calls: List[Dict[str, Any]] = []
    monkeypatch.setattr(keras.Model, "fit", lambda self, *args, **kwargs: calls.append(kwargs))
    return calls


@pytest.mark.parametrize("model_class", [DIET, DIET2DIET, TED])
def test_rasas_models_read_their_batches_on_the_training_thread(model_class, keras_fit_calls) -> None:
    importlib.import_module("components")
    model = model_class.__new__(model_class)  # fit is looked up on the class; no model is built
    model.run_eagerly = True  # fast_training's variable creation is for graph mode only
    model.fit(None, epochs=2, verbose=False)
    assert keras_fit_calls == [{"epochs": 2, "verbose": False, "workers": 0}]


def test_a_callers_own_choice_of_workers_is_kept(keras_fit_calls) -> None:
    synchronous_batches.fit(RasaModel.__new__(RasaModel), None, workers=3)
    assert keras_fit_calls == [{"workers": 3}]


def test_keras_makes_no_prefetch_thread_with_it() -> None:
    """What the setting means in this Keras: the generator's dataset is not prefetched."""
    from keras.engine.data_adapter import KerasSequenceAdapter

    class Batches(keras.utils.Sequence):
        def __len__(self) -> int:
            return 2

        def __getitem__(self, index: int):
            return np.full((3, 2), index, dtype=np.float32), None

    with_thread = KerasSequenceAdapter(Batches(), workers=1).get_dataset()
    on_demand = KerasSequenceAdapter(Batches(), workers=synchronous_batches.ON_THE_TRAINING_THREAD).get_dataset()
    assert "Prefetch" in type(with_thread).__name__
    assert "Prefetch" not in type(on_demand).__name__
    assert [tf.nest.flatten(batch)[0].numpy()[0, 0] for batch in on_demand] == [0.0, 1.0]
