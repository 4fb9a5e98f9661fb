"""NLU component: Unicode and digit normalisation before tokenisation."""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import StatelessComponent
from nagarik.text import normalize_text, normalize_with_spans


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class UnicodeNormalizer(StatelessComponent):
    """Rewrites the message text with `nagarik.text.normalize_text`.

    Must come first in the pipeline: the tokenizer and featurizers then see
    NFC text with ASCII digits, in training and at run time alike.

    In annotated training examples the entity spans move with the text, and
    entity values are normalised too: otherwise `[१२](ward)` would teach the
    synonym mapper to turn "12" back into "१२".
    """


    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(ENTITIES):
                self._normalize_annotated(example)
        self.process([example for example in training_data.training_examples if not example.get(ENTITIES)])
        return training_data

    @staticmethod
    def _normalize_annotated(example: Message) -> None:
        # Entities from stories (`entities: [language: hi]`) have no span.
        entities = example.get(ENTITIES)
        located = [e for e in entities if ENTITY_ATTRIBUTE_START in e and ENTITY_ATTRIBUTE_END in e]
        spans = [(e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]) for e in located]
        if example.get(TEXT):
            text, moved = normalize_with_spans(example.get(TEXT), spans)
            example.set(TEXT, text)
            for entity, (start, end) in zip(located, moved):
                entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
        for entity in entities:
            if isinstance(entity.get(ENTITY_ATTRIBUTE_VALUE), str):
                entity[ENTITY_ATTRIBUTE_VALUE] = normalize_text(entity[ENTITY_ATTRIBUTE_VALUE])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                message.set(TEXT, normalize_text(text))
        return messages
