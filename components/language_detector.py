"""NLU component: detects the language of each message (en, hi, bn)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import TrainedModelComponent
from components.training_code import files_digest, module_files
from nagarik import language, numbers, textclass, transliterate
from nagarik import text as normalisation
from nagarik.language import detect, train_latin_model

# Key of the detection in the parse data (`tracker.latest_message["language"]`).
LANGUAGE_PROPERTY = "language"
# Each intent block of data/nlu/<group>.yml says its language: `metadata: {language: bn}`.
METADATA_KEY = "language"


def example_language(message: Message) -> Optional[str]:
    """The language a training example's intent block declares in its metadata, if any."""
    metadata = message.get(METADATA) or {}
    declared = (metadata.get(METADATA_INTENT) or {}) if isinstance(metadata, dict) else {}
    return declared.get(METADATA_KEY) if isinstance(declared, dict) else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class LanguageDetector(TrainedModelComponent):
    """Adds `{"code", "confidence", "clear", "script", "romanized"}` to the parse data.

    Script and grammar words decide most messages (`nagarik.language`); for Latin script, a
    classifier trained on the examples whose intent block declares its language adds evidence
    for short messages. The `language` slot is filled from the detection by the custom slot
    mapping action `action_update_language`, which keeps the conversation's language unless the
    detection is clear (an NLU component sees one message, not the conversation).
    """

    MODEL_FILE = "latin_language_model.joblib"
    WITHOUT_MODEL = "grammar words alone decide"

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Rasa's cache knows the training data and the configuration, not this code.
        return files_digest(module_files(language, normalisation, numbers, textclass, transliterate) + [__file__])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(message.get(TEXT), example_language(message)) for message in training_data.nlu_examples]
        return self._keep(train_latin_model((text, code) for text, code in examples if code))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # nothing to featurise: the detection is for the dialogue

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text is not None:
                message.set(LANGUAGE_PROPERTY, detect(text, self._model).as_dict(), add_to_output=True)
        return messages
