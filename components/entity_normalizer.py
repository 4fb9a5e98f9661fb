"""NLU component: canonical values for the `ward`, `complaint_id` and `complaint_category` entities."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message

from components.base import StatelessComponent
from nagarik.numbers import parse_number
from nagarik.references import canonical_reference
from nagarik.vocabulary import CATEGORY_NAMES


def _ward_value(value: str) -> Optional[str]:
    number = parse_number(value)
    return str(number) if number else None


# entity type -> function returning the canonical value, or None to keep the extracted one
_NORMALIZERS: Dict[str, Callable[[str], Optional[str]]] = {
    "ward": _ward_value,
    "complaint_id": canonical_reference,
}


def _unknown_category(entity: Dict) -> bool:
    return entity.get(ENTITY_ATTRIBUTE_TYPE) == "complaint_category" and entity.get(ENTITY_ATTRIBUTE_VALUE) not in CATEGORY_NAMES


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityNormalizer(StatelessComponent):
    """Rewrites entity values after extraction and synonym mapping.

    Wards written as १२, ১২, "twelve", "baarah" or "বারো" become "12";
    references typed as "ng 104 233" become "NG104233". Synonyms cannot do
    this: they only map strings seen in training.

    A `complaint_category` whose value is not one of the contract's codes is
    dropped: DIET sometimes tags a fragment it never saw as a whole ("असल",
    "পাইপ"), and the synonym mapper then has nothing to map it to.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            kept = [e for e in entities if not _unknown_category(e)]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
            for entity in kept:
                normalize = _NORMALIZERS.get(entity.get(ENTITY_ATTRIBUTE_TYPE))
                value = entity.get(ENTITY_ATTRIBUTE_VALUE)
                canonical = normalize(str(value)) if normalize and value is not None else None
                if canonical and canonical != value:
                    entity[ENTITY_ATTRIBUTE_VALUE] = canonical
                    entity.setdefault("processors", []).append(self.__class__.__name__)
        return messages
