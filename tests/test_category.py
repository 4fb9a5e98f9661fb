"""The complaint category from the whole message (nagarik/category.py), on the real training data."""

from __future__ import annotations

from typing import Dict, List

import pytest
from rasa.shared.nlu.training_data.message import Message

from nagarik.category import NO_CATEGORY, decide, train, training_label
from nagarik.textclass import Guess, TextClassifier


def _guess(label: str, confidence: float) -> Guess:
    return Guess(label, confidence, {label: confidence})


@pytest.fixture(scope="module")
def classifier(training_examples: Dict[str, List[Message]]) -> TextClassifier:
    examples = [
        (example.get("text"), example.get("intent"),
         [e["value"] for e in example.get("entities", []) if e["entity"] == "complaint_category"])
        for group in training_examples.values()
        for example in group
    ]
    trained = train(examples)
    assert trained is not None
    return trained


class TestDecide:
    def test_a_span_it_agrees_with_stays(self) -> None:
        decision = decide("street_light", _guess("street_light", 0.95))
        assert (decision.value, decision.source) == ("street_light", "span")

    def test_without_a_span_a_sure_guess_is_taken(self) -> None:
        decision = decide(None, _guess("roads", 0.5), accept=0.4)
        assert (decision.value, decision.source) == ("roads", "message")

    def test_without_a_span_an_unsure_guess_leaves_it_to_the_form(self) -> None:
        assert decide(None, _guess("roads", 0.3), accept=0.4).value is None

    def test_a_span_is_overruled_only_by_a_very_sure_guess(self) -> None:
        assert decide("water_supply", _guess("roads", 0.7), overrule=0.8).value == "water_supply"
        decision = decide("water_supply", _guess("roads", 0.9), overrule=0.8)
        assert (decision.value, decision.source) == ("roads", "message")

    def test_no_classifier_keeps_the_span(self) -> None:
        assert decide("sewerage", None).value == "sewerage"
        assert decide(None, None).value is None

    def test_a_sure_none_gives_no_category_but_keeps_a_span(self) -> None:
        assert decide(None, _guess(NO_CATEGORY, 0.9)).value is None
        assert decide("roads", _guess(NO_CATEGORY, 0.9)).value == "roads"


def test_training_labels() -> None:
    assert training_label("report_complaint", ["street_light"]) == "street_light"
    assert training_label("inform", ["roads", "roads"]) == "roads"
    assert training_label("report_complaint", ["roads", "sewerage"]) is None  # two problems: nothing single to learn
    assert training_label("report_complaint", ["not_a_category"]) is None
    assert training_label("report_complaint", []) == NO_CATEGORY  # a complaint that names no problem
    assert training_label("inform", []) is None and training_label("greet", []) is None


def test_too_little_data_gives_no_classifier() -> None:
    examples = [("street light off", "report_complaint", ["street_light"]), ("I want to complain", "report_complaint", [])]
    assert train(examples) is None


@pytest.mark.parametrize(
    "text, category",
    [
        # Phrasings without the annotated keyword, one per script.
        ("it is completely dark in our lane at night, the bulb on the pole is dead", "street_light"),
        ("मरा हुआ कुत्ता सड़ रहा है बदबू आ रही है", "sanitation"),
        ("রাস্তায় বড় বড় গর্ত হয়ে গেছে", "roads"),
        ("makaan ka dakhil kharij karwana hai", "house_tax"),
        ("pipe theke jol beriye jacche", "water_leakage"),
        ("कर्मचारी आए ही नहीं बस कागज़ पर बंद कर दिया", NO_CATEGORY),  # a reopen complaint names no problem
    ],
)
def test_learns_problems_in_every_script(classifier: TextClassifier, text: str, category: str) -> None:
    assert classifier.guess(text).label == category


def test_the_classifier_survives_pickling(classifier: TextClassifier) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(classifier))
    assert copy.guess("नाली जाम है").probabilities == classifier.guess("नाली जाम है").probabilities
