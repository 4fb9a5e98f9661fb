"""Dialogue policy: Rasa's TEDPolicy, with its predictions remembered per dialogue state.

TED runs a TensorFlow model for every action the assistant takes, two or three times per message,
even when a rule or a memorised story decides. Its answer depends only on the last `max_history`
dialogue states (intent, entities present, slots as featurised, previous action, active form),
and citizens walk the same few paths (complaint form, tracking, COVID questions), so the same
states come back all the time. This policy keeps the last predictions per state and answers a
state it has seen from memory: the same probabilities TED would compute, without running it.

Models trained with end-to-end stories read the message text too; for them nothing is cached.
Training and persistence are TEDPolicy's own.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Hashable, List, Optional, Text

from rasa.core.featurizers.precomputation import MessageContainerForCoreFeaturization
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

# Distinct states seen in a day of a city's conversations fit many times over; each entry is one
# probability per action (about 100 floats).
CACHE_SIZE = 10_000


def state_key(states: List[State]) -> Hashable:
    """The dialogue states as a hashable value: equal states, equal keys."""
    return tuple(
        tuple(sorted((part, tuple(sorted(features.items()))) for part, features in state.items()))
        for state in states
    )


class PredictionCache:
    """The most recently used predictions, at most `size` of them."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: "OrderedDict[Hashable, PolicyPrediction]" = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Optional[PolicyPrediction]:
        prediction = self._entries.get(key)
        if prediction is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return prediction

    def put(self, key: Hashable, prediction: PolicyPrediction) -> None:
        self._entries[key] = prediction
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class CachedTEDPolicy(TEDPolicy):
    """TEDPolicy that answers dialogue states it has already predicted from memory."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prediction_cache = PredictionCache()

    def _reads_text(self) -> bool:
        return self.only_e2e or TEXT in self.fake_features

    def _key(self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Optional[Dict[Text, Any]]) -> Hashable:
        # The same states TED featurises (last max_history turns, rule-only turns left out).
        return state_key(self._prediction_states(tracker, domain, rule_only_data=rule_only_data))

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        precomputations: Optional[MessageContainerForCoreFeaturization] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if self.model is None or self._reads_text():
            return super().predict_action_probabilities(tracker, domain, rule_only_data, precomputations, **kwargs)
        key = self._key(tracker, domain, rule_only_data)
        known = self.prediction_cache.get(key)
        if known is None:
            known = super().predict_action_probabilities(tracker, domain, rule_only_data, precomputations, **kwargs)
            self.prediction_cache.put(key, known)
        # A new prediction object each time: the ensemble must not share one between conversations.
        return self._prediction(
            list(known.probabilities),
            is_end_to_end_prediction=known.is_end_to_end_prediction,
            diagnostic_data=known.diagnostic_data,
        )
