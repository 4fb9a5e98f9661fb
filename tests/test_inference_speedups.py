"""components.fast_inference and components.cached_ted: faster, with the very same predictions.

The model-level checks need the trained model (`make train`; `make test` trains it first).
Whole conversations replayed through both policies are in test_conversation.py.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.utils.tensorflow.models import RasaModel

from components import fast_inference
from components.cached_ted import PredictionCache, state_key
from conftest import REPO

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


def test_fast_inference_is_installed_with_the_components() -> None:
    import components  # noqa: F401  (installs it)

    assert RasaModel._rasa_predict is fast_inference.rasa_predict
