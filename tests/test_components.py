"""The custom NLU components, on Rasa messages and on the real training data."""

from __future__ import annotations

import copy

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.category_classifier import GUESS_PROPERTY, CategoryClassifier
from components.entity_normalizer import EntityNormalizer
from components.language_detector import LanguageDetector, example_language
from components.normalizer import UnicodeNormalizer
from nagarik.text import normalize_text, normalize_with_spans


def _message(text: str, entities=None) -> Message:
    data = {"text": text}
    if entities is not None:
        data["entities"] = entities
    return Message(data=data)


def test_normalizer_rewrites_live_messages() -> None:
    [message] = UnicodeNormalizer().process([_message("वार्ड  १२ मे\u200dं")])
    assert message.get("text") == "वार्ड 12 में"


def test_normalizer_moves_entity_spans_and_values_in_training_data() -> None:
    text = "  वार्ड  १२ में   ला\u200dइट नहीं"
    ward_start = text.index("१२")
    light_start = text.index("ला")
    entities = [
        {"entity": "ward", "value": "१२", "start": ward_start, "end": ward_start + 2},
        {"entity": "complaint_category", "value": "street_light", "start": light_start, "end": light_start + 5},
    ]
    example = _message(text, entities)
    UnicodeNormalizer().process_training_data(TrainingData([example]))
    new_text = example.get("text")
    assert new_text == "वार्ड 12 में लाइट नहीं"
    ward, light = example.get("entities")
    assert new_text[ward["start"] : ward["end"]] == "12" and ward["value"] == "12"
    assert new_text[light["start"] : light["end"]] == "लाइट"


def test_normalizer_accepts_story_entities_without_spans() -> None:
    example = Message(data={"intent": "set_language", "entities": [{"entity": "language", "value": "hi"}]})
    UnicodeNormalizer().process_training_data(TrainingData([example]))
    assert example.get("entities") == [{"entity": "language", "value": "hi"}]


def test_every_training_annotation_survives_normalisation(training_examples) -> None:
    for examples in training_examples.values():
        for example in examples:
            entities = [e for e in example.get("entities", []) if "start" in e]
            text = example.get("text")
            spans = [(e["start"], e["end"]) for e in entities]
            new_text, moved = normalize_with_spans(text, spans)
            assert new_text == normalize_text(text)
            for (start, end), (new_start, new_end) in zip(spans, moved):
                assert new_text[new_start:new_end] == normalize_text(text[start:end])


@pytest.mark.parametrize(
    "text, code, clear",
    [("जल्दी से लाइट ठीक करवाइए", "hi", True), ("amader parar light jolche na", "bn", True), ("ok", None, False)],
)
def test_language_detector_adds_its_verdict_to_the_parse_data(text: str, code, clear: bool, tmp_path) -> None:
    [message] = _created(LanguageDetector, tmp_path).process([_message(text)])
    verdict = message.as_dict(only_output_properties=True)["language"]
    assert verdict["code"] == code and verdict["clear"] is clear


def _created(cls, tmp_path, config=None):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return cls.create({**cls.get_default_config(), **(config or {})}, storage, Resource(cls.__name__), context)


def _trained_and_loaded(cls, tmp_path, training_data: TrainingData):
    """Trained, persisted and loaded back, as `rasa train` and `rasa run` do."""
    from rasa.engine.graph import ExecutionContext, GraphSchema

    component = _created(cls, tmp_path)
    resource = component.train(training_data)
    context = ExecutionContext(GraphSchema({}), "test")
    return cls.load(cls.get_default_config(), component._storage, resource, context)


@pytest.fixture(scope="module")
def all_training_data(training_examples) -> TrainingData:
    return TrainingData([example for examples in training_examples.values() for example in examples])


def test_every_intent_block_declares_its_files_language(training_examples) -> None:
    expected = {"en": "en", "hi": "hi", "bn": "bn", "hi_latn": "hi", "bn_latn": "bn"}
    for group, examples in training_examples.items():
        undeclared = {e.get("intent") for e in examples if example_language(e) != expected[group]}
        assert not undeclared, f"data/nlu/{group}.yml: intents without `metadata: {{language: {expected[group]}}}`"


def test_language_detector_learns_short_romanized_messages(all_training_data, tmp_path) -> None:
    detector = _trained_and_loaded(LanguageDetector, tmp_path, all_training_data)
    # Grammar words alone say None and Hindi for these; neither is a training example.
    messages = detector.process([_message("menu ta ekbar pathao"), _message("option gulo pathiye din")])
    assert [m.get("language")["code"] for m in messages] == ["bn", "bn"]


class TestCategoryClassifier:
    @pytest.fixture(scope="class")
    def classifier(self, all_training_data, tmp_path_factory) -> CategoryClassifier:
        return _trained_and_loaded(CategoryClassifier, tmp_path_factory.mktemp("category"), all_training_data)

    @staticmethod
    def _parsed(classifier, text: str, intent: str, entities=None) -> Message:
        message = _message(text, entities or [])
        message.set("intent", {"name": intent, "confidence": 0.9})
        [message] = classifier.process([message])
        return message

    def test_a_complaint_without_a_category_word_gets_one_for_the_whole_message(self, classifier) -> None:
        text = "it is completely dark in our lane at night, the bulb on the pole is dead"
        message = self._parsed(classifier, text, "report_complaint")
        [entity] = message.get("entities")
        assert entity["entity"] == "complaint_category" and entity["value"] == "street_light"
        assert (entity["start"], entity["end"], entity["extractor"]) == (0, len(text), "CategoryClassifier")

    def test_a_span_it_agrees_with_is_left_as_tagged(self, classifier) -> None:
        span = {"entity": "complaint_category", "value": "sewerage", "start": 0, "end": 4, "extractor": "DIETClassifier"}
        message = self._parsed(classifier, "नाली जाम है पानी सड़क पर बह रहा है", "report_complaint", [dict(span)])
        assert message.get("entities") == [span]

    def test_an_answer_gets_a_guess_but_no_entity(self, classifier) -> None:
        message = self._parsed(classifier, "nal se bas patli si dhaar aati hai", "inform")
        assert message.get("entities") == []
        guess = message.as_dict(only_output_properties=True)[GUESS_PROPERTY]
        assert guess["value"] == "water_supply" and guess["accepted"] is True

    def test_other_intents_are_left_alone(self, classifier) -> None:
        message = self._parsed(classifier, "what are the symptoms of covid", "covid_faq")
        assert message.get(GUESS_PROPERTY) is None and message.get("entities") == []

    def test_without_training_data_it_changes_nothing(self, tmp_path) -> None:
        classifier = _trained_and_loaded(CategoryClassifier, tmp_path, TrainingData([]))
        message = self._parsed(classifier, "street light off", "report_complaint")
        assert message.get("entities") == []


@pytest.mark.parametrize(
    "entity, value, canonical",
    [
        ("ward", "१२", "12"), ("ward", "baarah", "12"), ("ward", "বারো", "12"), ("ward", "twelve", "12"),
        ("ward", "12", "12"),
        ("complaint_id", "ng 104233", "NG104233"), ("complaint_id", "Ng104233", "NG104233"),
        ("locality", "shastri nagar", "shastri nagar"), ("complaint_category", "street_light", "street_light"),
    ],
)
def test_entity_normalizer(entity: str, value: str, canonical: str) -> None:
    message = _message("x", [{"entity": entity, "value": value, "start": 0, "end": 1}])
    [processed] = EntityNormalizer().process([copy.deepcopy(message)])
    assert processed.get("entities")[0]["value"] == canonical


def test_entity_normalizer_drops_a_category_that_is_not_a_contract_code() -> None:
    entities = [
        {"entity": "complaint_category", "value": "असल", "start": 0, "end": 3},
        {"entity": "ward", "value": "२०", "start": 10, "end": 12},
        {"entity": "complaint_category", "value": "roads", "start": 14, "end": 18},
    ]
    [processed] = EntityNormalizer().process([_message("असल में वार्ड २० सड़क", entities)])
    assert [(e["entity"], e["value"]) for e in processed.get("entities")] == [("ward", "20"), ("complaint_category", "roads")]


def test_entity_normalizer_drops_a_ward_that_is_not_a_number() -> None:
    entities = [
        {"entity": "ward", "value": "२०", "start": 10, "end": 12},
        {"entity": "ward", "value": "असल", "start": 0, "end": 3},
    ]
    [processed] = EntityNormalizer().process([_message("असल में वार्ड २० है", entities)])
    assert [(e["entity"], e["value"]) for e in processed.get("entities")] == [("ward", "20")]


@pytest.mark.parametrize(
    "text, value, kept",
    [
        ("असल में वार्ड २० है", "असल", False), ("actually it is ward 20", "actually", False), ("আসলে ওয়ার্ড ২০", "আসলে", False),
        ("सच में गली नंबर ४", "सच में", False), ("near Gandhi park", "Gandhi park", True), ("असलम चौक के पास", "असलम चौक", True),
    ],
)
def test_entity_normalizer_drops_a_locality_made_of_filler_words(text: str, value: str, kept: bool) -> None:
    start = text.index(value)
    entities = [{"entity": "locality", "value": value, "start": start, "end": start + len(value)}]
    [processed] = EntityNormalizer().process([_message(text, entities)])
    assert any(e["entity"] == "locality" for e in processed.get("entities")) is kept


@pytest.mark.parametrize(
    "text, start, end, kept",
    [
        ("तीन दिन से पानी नहीं आया", 0, 3, False), ("light off for 3 days in ward 5", 14, 15, False),
        ("৩ দিন ধরে জল নেই", 0, 1, False), ("paani 2 hafte se nahi", 6, 7, False),
        ("ward 3 din dayal nagar", 5, 6, True), ("ward 3 mein paani nahi", 5, 6, True), ("वार्ड ३ दिन", 6, 7, True),
        ("वार्ड तीन में", 6, 9, True), ("ward 7", 5, 6, True), ("ward 12 dinesh colony", 5, 7, True),
    ],
)
def test_a_number_of_days_is_not_a_ward(text: str, start: int, end: int, kept: bool) -> None:
    entity = {"entity": "ward", "value": text[start:end], "start": start, "end": end}
    [processed] = EntityNormalizer().process([_message(text, [entity])])
    assert any(e["start"] == start for e in processed.get("entities") or []) == kept


@pytest.mark.parametrize(
    "text, ward",
    [("ward 9 me naali jam hai", "9"), ("वार्ड नंबर १२ में कूड़ा", "12"), ("ওয়ার্ড ১৪-তে আলো নেই", "14"),
     ("ward no. 7", "7"), ("forward 3 messages", None), ("ward 1234", None), ("no ward here", None)],
)
def test_a_written_ward_number_missed_by_diet_is_added(text: str, ward) -> None:
    [processed] = EntityNormalizer().process([_message(text, [])])
    assert [e["value"] for e in processed.get("entities", [])] == ([ward] if ward else [])


def _ranked(*intents: str) -> Message:
    ranking = [{"name": name, "confidence": 0.9 - 0.1 * rank} for rank, name in enumerate(intents)]
    return Message(data={"text": "x", "intent": ranking[0], "intent_ranking": ranking})


def test_retrieval_selector_only_runs_where_its_intent_is_in_the_top_two(monkeypatch) -> None:
    from rasa.nlu.selectors.response_selector import ResponseSelector

    from components.retrieval import RetrievalIntentSelector

    selected = []
    monkeypatch.setattr(ResponseSelector, "process", lambda self, messages: selected.extend(messages) or messages)
    selector = RetrievalIntentSelector.__new__(RetrievalIntentSelector)  # the choice needs no trained model
    selector.retrieval_intent = "covid_faq"
    top, second, third = _ranked("covid_faq", "greet"), _ranked("covid_update", "covid_faq"), _ranked("greet", "deny", "covid_faq")
    assert selector.process([top, second, third]) == [top, second, third]
    assert selected == [top, second]

    selected.clear()
    selector.retrieval_intent = None  # one selector for every retrieval intent: always runs
    selector.process([third])
    assert selected == [third]


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_message_is_not_understood(text) -> None:
    from components.empty_message import EmptyMessageClassifier

    message = Message(data={"text": text, "intent": {"name": "affirm", "confidence": 0.58},
                            "entities": [{"entity": "ward", "value": "1"}]})
    [message] = EmptyMessageClassifier().process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0} and message.get("entities") == []


def test_a_message_with_words_keeps_its_intent() -> None:
    from components.empty_message import EmptyMessageClassifier

    message = Message(data={"text": "haan ji", "intent": {"name": "affirm", "confidence": 0.9}})
    [message] = EmptyMessageClassifier().process([message])
    assert message.get("intent")["name"] == "affirm"


def test_a_model_that_cannot_be_read_leaves_the_assistant_working(tmp_path) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema

    detector = _created(LanguageDetector, tmp_path)
    with detector._storage.write_to(detector._resource) as directory:
        (directory / LanguageDetector.MODEL_FILE).write_bytes(b"not a pickle")
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LanguageDetector.load({}, detector._storage, detector._resource, context)
    [message] = loaded.process([_message("amader parar light jolche na")])
    assert message.get("language")["code"] == "bn"  # grammar words alone
