"""NLU component: the complaint category decided from the whole message (`nagarik.category`).

Comes after DIET, the synonym mapper and the EntityNormalizer. For a `report_complaint` message
it keeps, adds or replaces the `complaint_category` entity as `nagarik.category.decide` says; an
entity it adds spans the whole message and names this component as its extractor. For every
message of `CATEGORY_INTENTS` it also puts its guess in the parse data
(`complaint_category_guess`: value, confidence, and whether it reaches `accept`), which the complaint form reads when it has
asked for the category and the answer names no category word.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import TrainedModelComponent
from components.training_code import files_digest, module_files
from nagarik import category, numbers, textclass, transliterate, vocabulary
from nagarik import text as normalisation

ENTITY = "complaint_category"
# Key of the message-level guess in the parse data (`tracker.latest_message[GUESS_PROPERTY]`).
GUESS_PROPERTY = "complaint_category_guess"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CategoryClassifier(TrainedModelComponent):
    """Decides `complaint_category` from the whole message; see the module docstring."""

    MODEL_FILE = "category_classifier.joblib"
    WITHOUT_MODEL = "categories come from DIET alone"

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Rasa's cache knows the training data and the configuration, not this code.
        return files_digest(module_files(category, normalisation, numbers, textclass, transliterate, vocabulary) + [__file__])

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"accept": category.DEFAULT_ACCEPT, "overrule": category.DEFAULT_OVERRULE}

    def _threshold(self, name: str) -> float:
        return float(self._config[name])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            (message.get(TEXT), message.get(INTENT),
             [e["value"] for e in message.get(ENTITIES, []) if e.get("entity") == ENTITY])
            for message in training_data.nlu_examples
        ]
        return self._keep(category.train(examples))

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = message.get(TEXT)
            if intent in category.CATEGORY_INTENTS and text:
                self._decide(message, intent, text)
        return messages

    def _decide(self, message: Message, intent: str, text: str) -> None:
        guess = self._model.guess(text)
        accepted = guess.label != category.NO_CATEGORY and guess.confidence >= self._threshold("accept")
        message.set(GUESS_PROPERTY, {"value": guess.label, "confidence": round(guess.confidence, 3),
                                     "accepted": accepted}, add_to_output=True)
        if intent != "report_complaint":
            return  # an answer: the form decides whether it answers the category question
        entities = message.get(ENTITIES, [])
        spans = [entity for entity in entities if entity.get("entity") == ENTITY]
        span_value = spans[0].get("value") if spans else None
        decision = category.decide(span_value, guess, self._threshold("accept"), self._threshold("overrule"))
        if decision.source != "message":
            return
        others = [entity for entity in entities if entity.get("entity") != ENTITY]
        whole_message = {
            "entity": ENTITY,
            "value": decision.value,
            "start": 0,
            "end": len(text),
            "confidence_entity": round(guess.confidence, 3),
            "extractor": type(self).__name__,
        }
        message.set(ENTITIES, others + [whole_message], add_to_output=True)
