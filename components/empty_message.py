"""NLU component: a message with nothing in it is not understood, never "yes".

DIET has to put every message in some intent: an empty or blank text (a REST client's empty
"message", a WhatsApp text of spaces or zero-width joiners, which the normaliser drops) came out
as `affirm` at 0.58, so at a complaint's summary it would have filed the complaint. After DIET,
such a message gets `nlu_fallback`, which the rules answer by asking to rephrase in the
conversation's language, and no entities.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import StatelessComponent

FALLBACK = "nlu_fallback"


def is_empty(text: object) -> bool:
    """Nothing but white space (the normaliser has already dropped zero-width characters)."""
    return not isinstance(text, str) or not text.strip()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmptyMessageClassifier(StatelessComponent):
    """Gives an empty message `nlu_fallback` with full confidence (see the module docstring)."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_empty(message.get(TEXT)):
                fallback = {"name": FALLBACK, "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
        return messages
