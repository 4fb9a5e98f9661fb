"""NLU component: canonical values for the `ward`, `complaint_id` and `complaint_category` entities."""

from __future__ import annotations

import re
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


def _not_a_number(entity: Dict) -> bool:
    """A `ward` that no reading turns into a number ("been", "असल"): a fragment DIET tagged."""
    return entity.get(ENTITY_ATTRIBUTE_TYPE) == "ward" and parse_number(str(entity.get(ENTITY_ATTRIBUTE_VALUE))) is None


# Words that open or soften a sentence ("असल में", "actually", "আসলে") and never name a place on
# their own; DIET tags them as a `locality` when they stand where a place name usually stands.
_FILLER_WORDS = frozenset(
    "asal asli actually really basically please pls sir madam ji bhai bhaiya dada didi haan ha yes no me mein "
    "असल असली दरअसल वैसे सच में जी भाई भैया हाँ हां नहीं "
    "আসলে সত্যি আসল দাদা দিদি জি হ্যাঁ না".split()
)


def _filler_locality(entity: Dict) -> bool:
    """A `locality` made only of filler words ("असल", "actually"): no citizen names a place that way."""
    if entity.get(ENTITY_ATTRIBUTE_TYPE) != "locality":
        return False
    words = str(entity.get(ENTITY_ATTRIBUTE_VALUE) or "").lower().split()
    return all(word in _FILLER_WORDS for word in words)


# A number followed by a unit of time is how long, not which ward: "तीन दिन से", "for 3 days", "২ সপ্তাহ".
_DURATION = re.compile(
    r"^\s*(?:din|dino|dinon|days?|weeks?|months?|years?|hours?|hafte|hafton|mahine|mahino|saal|ghante|ghanto|"
    r"दिन|दिनों|हफ्ते|हफ़्ते|हफ्तों|सप्ताह|महीने|महीनों|साल|सालों|घंटे|घंटों|"
    r"দিন|দিনের|সপ্তাহ|মাস|বছর|ঘণ্টা|ঘন্টা)(?![\w\u0900-\u09ff])",
    re.IGNORECASE,
)


# "ward", "ward no." in the three scripts (input is NFC: Bengali য় stays য + nukta).
_WARD_WORD = r"(?:\bward|\bvard|वार्ड|ওয়ার্ড)\s*(?:no\.?|number|num|नंबर|नम्बर|নম্বর|নং)?\s*[:#-]?\s*"
# ...unless the word "ward" comes just before it ("ward 3 Din Dayal Nagar").
_AFTER_WARD = re.compile(_WARD_WORD + "$", re.IGNORECASE)


# "ward 9", "वार्ड नंबर 12", "ওয়ার্ড ১৪": unambiguous, so found here even when DIET misses the number.
_WARD_NUMBER = re.compile(_WARD_WORD + r"([0-9०-९০-৯]{1,3})(?![0-9०-९০-৯])", re.IGNORECASE)


def _written_ward(text: str) -> List[Dict]:
    match = _WARD_NUMBER.search(text)
    if not match:
        return []
    return [{"entity": "ward", "value": match.group(1), "start": match.start(1), "end": match.end(1),
             "extractor": "EntityNormalizer"}]


def _is_duration(entity: Dict, text: str) -> bool:
    start, end = entity.get("start"), entity.get("end")
    if entity.get(ENTITY_ATTRIBUTE_TYPE) != "ward" or not isinstance(start, int) or not isinstance(end, int):
        return False
    return bool(_DURATION.match(text[end:])) and not _AFTER_WARD.search(text[:start])


def _dropped(entity: Dict, text: str) -> bool:
    return _unknown_category(entity) or _not_a_number(entity) or _is_duration(entity, text) or _filler_locality(entity)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityNormalizer(StatelessComponent):
    """Rewrites entity values after extraction and synonym mapping.

    Wards written as १२, ১২, "twelve", "baarah" or "বারো" become "12";
    references typed as "ng 104 233" become "NG104233". Synonyms cannot do
    this: they only map strings seen in training.

    A `complaint_category` whose value is not one of the contract's codes is
    dropped: DIET sometimes tags a fragment it never saw as a whole ("असल",
    "পাইপ"), and the synonym mapper then has nothing to map it to. So is a
    `ward` that is not a number at all ("been", "असल"), a `ward` that is a duration ("तीन दिन से पानी नहीं"):
    DIET tags number words, and a `locality` made of filler words only ("असल", "actually").
    A ward written as "ward 9" / "वार्ड 9" that DIET did not tag is added.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            text = message.get("text") or ""
            kept = [e for e in entities if not _dropped(e, text)]
            if not any(e.get(ENTITY_ATTRIBUTE_TYPE) == "ward" for e in kept):
                kept += _written_ward(text)
            if kept != entities:
                message.set(ENTITIES, kept, add_to_output=True)
            for entity in kept:
                normalize = _NORMALIZERS.get(entity.get(ENTITY_ATTRIBUTE_TYPE))
                value = entity.get(ENTITY_ATTRIBUTE_VALUE)
                canonical = normalize(str(value)) if normalize and value is not None else None
                if canonical and canonical != value:
                    entity[ENTITY_ATTRIBUTE_VALUE] = canonical
                    entity.setdefault("processors", []).append(self.__class__.__name__)
        return messages
