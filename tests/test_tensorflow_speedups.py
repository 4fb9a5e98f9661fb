"""components.fast_inference, fast_training and cached_ted: faster, with the very same results.

The model-level checks need the trained model (`make train`; `make test` trains it first).
Whole conversations replayed through both policies are in test_conversation.py.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.utils.tensorflow.models import RasaModel

from components import fast_inference, fast_training
from components.cached_ted import PredictionCache, state_key
from conftest import REPO, graph_component

MODEL = REPO / "models" / "nagarik.tar.gz"
TEXTS = ("mere ward 12 me street light kharab hai", "পানি আসছে না তিন দিন ধরে", "covid vaccine kahan lagega",
         "NG104233 ka status", "hello", "ওয়ার্ড ৫ এর নোটিশ")


def _prediction(*probabilities: float) -> PolicyPrediction:
    return PolicyPrediction(list(probabilities), "TEDPolicy")


def test_equal_states_give_equal_keys_whatever_their_order() -> None:
    one = [{"user": {"intent": "inform", "entities": ("ward",)}, "prev_action": {"action_name": "action_listen"}}]
    same = [{"prev_action": {"action_name": "action_listen"}, "user": {"entities": ("ward",), "intent": "inform"}}]
    other = [{"user": {"intent": "inform"}, "prev_action": {"action_name": "action_listen"}}]
    assert state_key(one) == state_key(same)
    assert state_key(one) != state_key(other)
    assert state_key(one) != state_key(one + one)


def test_the_cache_keeps_the_most_recently_used_predictions() -> None:
    cache = PredictionCache(size=2)
    cache.put("a", _prediction(1.0))
    cache.put("b", _prediction(0.5))
    assert cache.get("a").probabilities == [1.0]  # "a" is now the most recent
    cache.put("c", _prediction(0.2))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert (cache.hits, cache.misses) == (3, 1)


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    assert MODEL.exists(), "no trained model: run `make train` first"
    return Agent.load(str(MODEL))


def _model_calls(agent, monkeypatch) -> List[Any]:
    """Every (model, batch) Rasa runs through TensorFlow while parsing and predicting TEXTS."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    calls = []
    monkeypatch.setattr(RasaModel, "_rasa_predict", lambda model, batch: calls.append((model, batch))
                        or fast_inference._original_rasa_predict(model, batch))
    loop = asyncio.new_event_loop()
    try:
        for text in TEXTS:
            parsed = loop.run_until_complete(agent.parse_message(text))
            events = [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"], parsed)]
            tracker = DialogueStateTracker.from_events("speedups", events, slots=agent.domain.slots)
            agent.processor._predict_next_with_tracker(tracker)
    finally:
        loop.close()
    return calls


def _same(first: Dict[str, Any], second: Dict[str, Any]) -> bool:
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(_same(first[k], second[k]) for k in first)
    if first is None or second is None:
        return first is second
    return np.array_equal(np.asarray(first), np.asarray(second))


def test_direct_graph_calls_give_exactly_rasas_outputs(agent, monkeypatch) -> None:
    calls = _model_calls(agent, monkeypatch)
    kinds = {type(model).__name__ for model, _ in calls}
    assert {"DIET", "TED"} <= kinds, kinds  # the intent classifier and the dialogue policy
    for model, batch in calls:
        assert _same(fast_inference._original_rasa_predict(model, batch), fast_inference.rasa_predict(model, batch))


def test_a_batch_that_does_not_fit_the_traced_graph_goes_rasas_way(agent, monkeypatch) -> None:
    model, batch = _model_calls(agent, monkeypatch)[0]
    taken = []
    monkeypatch.setattr(fast_inference, "_original_rasa_predict", lambda m, b: taken.append(len(b)) or {})
    assert fast_inference.rasa_predict(model, list(batch)[:-1]) == {}
    assert taken == [len(batch) - 1]


def test_the_speedups_are_installed_with_the_components() -> None:
    from rasa.utils.tensorflow.models import TransformerRasaModel

    importlib.import_module("components")  # installs them

    assert RasaModel._rasa_predict is fast_inference.rasa_predict
    assert TransformerRasaModel._calculate_entity_loss is fast_training.calculate_entity_loss


def _entity_loss_and_gradients(calculate, diet, inputs, tags, mask, lengths):
    import tensorflow as tf

    diet._tf_layers["crf.entity"].f1_score_metric.reset_state()  # the metric accumulates over calls
    with tf.GradientTape() as tape:
        loss, f1, logits = calculate(diet, inputs, tags, mask, lengths, "entity")
    variables = diet.trainable_variables
    gradients = [g for g in tape.gradient(loss, variables) if g is not None]
    return loss.numpy(), f1.numpy(), logits.numpy(), [tf.convert_to_tensor(g).numpy() for g in gradients]


def test_training_computes_rasas_entity_loss_and_gradients(agent) -> None:
    """The tape only stops for the decoding: loss, metric and every gradient are Rasa's own."""
    import tensorflow as tf
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.utils.tensorflow.models import TransformerRasaModel

    diet = graph_component(agent, DIETClassifier).model
    width = diet._tf_layers["embed.entity.logits"]._dense.kernel.shape[0]
    tag_count = diet._tf_layers["crf.entity"].transition_params.shape[0]
    rng = np.random.default_rng(7)
    inputs = tf.constant(rng.normal(size=(3, 6, width)), dtype=tf.float32)
    tags = tf.constant(rng.integers(0, tag_count, size=(3, 6, 1)), dtype=tf.float32)
    lengths = tf.constant([6, 4, 2], dtype=tf.int32)
    mask = tf.sequence_mask(lengths, 6, dtype=tf.float32)[:, :, tf.newaxis]
    assert TransformerRasaModel._calculate_entity_loss is fast_training.calculate_entity_loss
    rasas = _entity_loss_and_gradients(fast_training.rasa_calculate_entity_loss, diet, inputs, tags, mask, lengths)
    ours = _entity_loss_and_gradients(fast_training.calculate_entity_loss, diet, inputs, tags, mask, lengths)
    assert len(ours[3]) == len(rasas[3]) > 0
    for mine, theirs in zip(ours[:3] + tuple(ours[3]), rasas[:3] + tuple(rasas[3])):
        assert np.allclose(mine, theirs, atol=1e-6)


def _tiny_diet_weights(tmp_path, name: str):
    """Trains a small DIET (2 epochs) on made-up sparse features; its weights and its traces."""
    import scipy.sparse
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    rng = np.random.default_rng(3)
    messages = []
    for index in range(40):
        message = Message(data={"text": f"example {index}", "intent": f"intent_{index % 3}"})
        tokens = int(rng.integers(2, 6))
        sequence = scipy.sparse.random(tokens, 30, density=0.2, random_state=index, format="coo")
        message.add_features(Features(sequence, "sequence", "text", "test"))
        message.add_features(Features(scipy.sparse.coo_matrix(sequence.sum(axis=0)), "sentence", "text", "test"))
        messages.append(message)
    config = {**DIETClassifier.get_default_config(), "epochs": 2, "entity_recognition": False,
              "number_of_transformer_layers": 1, "transformer_size": 16, "random_seed": 11}
    (tmp_path / name).mkdir()
    diet = DIETClassifier.create(config, LocalModelStorage(tmp_path / name), Resource(name),
                                 ExecutionContext(GraphSchema({}), name))
    diet.train(TrainingData(messages))
    return [v.numpy() for v in diet.model.trainable_variables], diet.model.train_function.experimental_get_tracing_count()


def test_training_traces_the_step_once_and_stays_deterministic(tmp_path) -> None:
    from rasa.nlu.classifiers.diet_classifier import DIET

    importlib.import_module("components")
    assert DIET.fit is fast_training.fit
    first, traces = _tiny_diet_weights(tmp_path, "first")
    second, _ = _tiny_diet_weights(tmp_path, "second")
    assert traces == 1  # Keras alone traces it twice: once creating the variables, once without
    assert len(first) == len(second) > 0
    assert all(np.array_equal(one, two) for one, two in zip(first, second))
