"""The NLU data meets the coverage the contract needs, and stays clean."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Dict, List

import pytest
from rasa.shared.nlu.training_data.message import Message

from conftest import ALL_INTENTS, CATEGORIES, COVID_FAQ, ENTITIES, NLU_GROUPS, REPO
from nagarik.references import canonical_reference
from nagarik.text import normalize_text

_WORD = re.compile(r"[\w\u0900-\u09ff]+")
EXTERNAL_EVAL = REPO.parent / "shared" / "eval" / "external.jsonl"


def _label(example: Message) -> str:
    return example.get("intent_response_key") or example.get("intent")


def _categories(example: Message) -> List[str]:
    return [e["value"] for e in example.get("entities", []) if e["entity"] == "complaint_category"]


def _fold(text: str) -> str:
    """Lower case, words only: two texts equal under this are copies.

    `\w` alone would cut Hindi and Bengali words at their vowel signs.
    """
    return " ".join(_WORD.findall(normalize_text(text).lower()))


@pytest.mark.parametrize("group", NLU_GROUPS)
def test_every_intent_has_fifteen_examples(group: str, training_examples) -> None:
    counts = Counter(_label(example) for example in training_examples[group])
    wanted = [i for i in ALL_INTENTS if i != "covid_faq"] + [f"covid_faq/{sub}" for sub in COVID_FAQ]
    short = {label: counts[label] for label in wanted if counts[label] < 15}
    assert not short, f"{group}: fewer than 15 examples for {short}"
    assert set(counts) <= set(wanted), f"{group}: unknown intents {set(counts) - set(wanted)}"


@pytest.mark.parametrize("group", NLU_GROUPS)
def test_every_category_has_eight_complaints(group: str, training_examples) -> None:
    # Annotated ones only: the message-level category classifier learns `other` from its annotations.
    counts: Counter = Counter()
    for example in training_examples[group]:
        if example.get("intent") == "report_complaint":
            counts.update(set(_categories(example)))
    short = {category: counts[category] for category in CATEGORIES if counts[category] < 8}
    assert not short, f"{group}: fewer than 8 annotated complaints for {short}"


@pytest.mark.parametrize("group", NLU_GROUPS)
def test_examples_are_distinct(group: str, training_examples) -> None:
    folded = Counter(_fold(example.get("text")) for example in training_examples[group])
    assert not [text for text, n in folded.items() if n > 1]


def test_entity_names_and_values_are_canonical(training_examples, heldout_examples) -> None:
    allowed_values = {
        "complaint_category": set(CATEGORIES),
        "language": {"en", "hi", "bn"},
    }
    for examples in list(training_examples.values()) + list(heldout_examples.values()):
        for example in examples:
            for entity in example.get("entities", []):
                assert entity["entity"] in ENTITIES, example.get("text")
                if entity["entity"] in allowed_values:
                    assert entity["value"] in allowed_values[entity["entity"]], example.get("text")
                if entity["entity"] == "complaint_id":
                    assert canonical_reference(entity["value"]), example.get("text")


def test_one_surface_text_means_one_category(training_examples) -> None:
    meanings: Dict[str, set] = defaultdict(set)
    for examples in training_examples.values():
        for example in examples:
            for entity in example.get("entities", []):
                if entity["entity"] == "complaint_category":
                    surface = example.get("text")[entity["start"] : entity["end"]].lower()
                    meanings[surface].add(entity["value"])
    assert not {surface: values for surface, values in meanings.items() if len(values) > 1}


def test_every_group_has_heldout_examples_for_every_intent(heldout_examples) -> None:
    for group, examples in heldout_examples.items():
        intents = {example.get("intent") for example in examples}
        assert set(ALL_INTENTS) <= intents, f"{group} held-out lacks {set(ALL_INTENTS) - intents}"


def test_heldout_is_not_in_training(training_examples, heldout_examples) -> None:
    trained = {_fold(example.get("text")) for examples in training_examples.values() for example in examples}
    copies = [e.get("text") for examples in heldout_examples.values() for e in examples if _fold(e.get("text")) in trained]
    assert not copies


def _near_copy(a: set, b: set) -> bool:
    return len(a) >= 4 and len(b) >= 4 and len(a & b) / len(a | b) >= 0.8


@pytest.mark.skipif(not EXTERNAL_EVAL.exists(), reason="shared/eval is not beside the repository")
def test_training_data_does_not_copy_the_external_evaluation_set(training_examples) -> None:
    external = [json.loads(line)["text"] for line in EXTERNAL_EVAL.read_text(encoding="utf-8").splitlines() if line]
    external_folded = {_fold(text) for text in external}
    external_words = [set(_fold(text).split()) for text in external]
    offending = []
    for examples in training_examples.values():
        for example in examples:
            folded = _fold(example.get("text"))
            words = set(folded.split())
            if folded in external_folded or any(_near_copy(words, other) for other in external_words):
                offending.append(example.get("text"))
    # Lists our own training lines only, so fixing them never shows the evaluation texts.
    assert not offending, offending
