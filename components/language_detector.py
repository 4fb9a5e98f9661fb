"""NLU component: detects the language of each message (en, hi, bn)."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import StatelessComponent
from nagarik.language import detect

# Key of the detection in the parse data (`tracker.latest_message["language"]`).
LANGUAGE_PROPERTY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LanguageDetector(StatelessComponent):
    """Adds `{"code", "confidence", "clear", "script", "romanized"}` to the parse data.

    The `language` slot is filled from it by the custom slot mapping action
    `action_update_language`, which keeps the conversation's language unless
    the detection is clear (an NLU component sees one message, not the
    conversation).
    """


    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Nothing to learn and nothing to featurise: the detector is rule based.
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text is not None:
                message.set(LANGUAGE_PROPERTY, detect(text).as_dict(), add_to_output=True)
        return messages
