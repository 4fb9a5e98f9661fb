"""The evaluation's scoring: entity F1 by value, reply language, stories per language group."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import nlu, replies, stories
from evaluation.__main__ import markdown

TESTS = Path(__file__).resolve().parent
HELDOUT = TESTS / "nlu_heldout"
INDEPENDENT = TESTS / "independent" / "messages.jsonl"


def _item(group: str, intent: str, **entities) -> nlu.Item:
    values = {name: [] for name in nlu.SCORED_ENTITIES}
    values.update(entities)
    return nlu.Item(group, "text", intent, entities=values)


def _prediction(intent: str, **entities) -> nlu.Prediction:
    return nlu.Prediction(intent, None, entities.get("complaint_category", []), dict(entities))


def test_wards_are_compared_as_numbers() -> None:
    parsed = nlu.prediction_of({"intent": {"name": "inform"}, "entities": [
        {"entity": "ward", "value": "४०"}, {"entity": "complaint_category", "value": "roads"}]})
    assert parsed.entities == {"ward": ["40"], "complaint_category": ["roads"]}
    assert nlu._values([{"entity": "ward", "value": "forty"}])["ward"] == ["40"]


def test_the_faq_answer_is_read_from_either_selector() -> None:
    for key in ("covid_faq", "default"):  # Nagarik's selector, Rasa's default one
        parsed = {"intent": {"name": "covid_faq"}, "entities": [],
                  "response_selector": {key: {"response": {"intent_response_key": "covid_faq/symptoms"}}}}
        assert nlu.prediction_of(parsed).retrieval == "covid_faq/symptoms"


def test_entity_f1_counts_found_missed_and_extra_values() -> None:
    items = [_item("hi", "inform", ward=["12"]), _item("hi", "inform", ward=["7"]), _item("hi", "greet")]
    predictions = [_prediction("inform", ward=["12"]), _prediction("inform"), _prediction("greet", ward=["3"])]
    report = nlu.score(items, predictions)
    # one found, one missed, one extra: precision 1/2, recall 1/2
    assert report["hi"]["ward_f1"] == 0.5
    assert report["hi"]["complaint_category_f1"] is None  # nothing annotated


def test_entity_f1_is_none_for_sets_without_annotations() -> None:
    items = [nlu.Item("en", "street light off", "report_complaint", category="street_light")]
    report = nlu.score(items, [_prediction("report_complaint", complaint_category=["street_light"])])
    assert report["en"]["ward_f1"] is None and report["en"]["category_accuracy"] == 1.0


def test_the_reply_language_is_read_from_the_script() -> None:
    assert replies.reply_language(["नमस्ते! मैं नागरिक हूँ", "NG104233"]) == "hi"
    assert replies.reply_language(["নমস্কার"]) == "bn"
    assert replies.reply_language(["Hello, ward 12"]) == "en"
    assert replies.reply_language(["", "12"]) is None


def test_romanized_messages_are_expected_in_their_own_script() -> None:
    result = replies.shares(["hi_latn", "hi_latn", "bn", "en"], ["hi", "en", "bn", None])
    assert result["hi_latn"] == {"messages": 2, "reply_language_share": 0.5}
    assert result["bn"]["reply_language_share"] == 1.0 and result["en"]["reply_language_share"] == 0.0
    assert result["all"] == {"messages": 4, "reply_language_share": 0.5}


def test_stories_are_counted_per_language_group(tmp_path: Path) -> None:
    assert stories.groups_of(stories.STORIES).keys() >= {"en", "hi", "bn", "hi_latn", "bn_latn"}
    failed = tmp_path / "failed_test_stories.yml"
    failed.write_text("version: '3.1'\nstories:\n- story: hi greet and menu (tests/test_stories.yml)\n  steps: []\n"
                      "- story: bn_latn greet and menu\n  steps: []\n", encoding="utf-8")
    assert stories.groups_of(failed) == {"hi": 1, "bn_latn": 1}
    assert stories.groups_of(tmp_path / "missing.yml") == {}


def test_the_summary_table_has_a_row_per_group_and_both_models() -> None:
    heldout = {group: {"intent_accuracy": 0.9, "intent_f1_macro": 0.9, "complaint_category_f1": None,
                       "ward_f1": 1.0, "covid_faq_accuracy": 0.8} for group in (*nlu.GROUPS, "all")}
    result = {"held-out": heldout,
              "reply_language": {g: {"reply_language_share": 1.0} for g in (*nlu.GROUPS, "all")},
              "stories": {"all": {"passed": 43, "stories": 43}}}
    text = markdown({"project": result, "rasa_default": result})
    assert "intent acc (project)" in text and "intent acc (rasa_default)" in text
    assert "| hi_latn |" in text and "| all |" in text and "43/43" in text


def test_a_complaint_given_no_category_counts_as_wrong() -> None:
    items = [nlu.Item("bn", "rastay alo nei", "report_complaint", category="street_light"),
             nlu.Item("bn", "kichu ekta korun", "report_complaint", category="other")]
    report = nlu.score(items, [_prediction("report_complaint"), _prediction("report_complaint")])
    # Neither got a category: the citizen is asked to pick one, so neither was understood.
    assert report["bn"]["category_accuracy"] == 0.0


def test_language_and_out_of_scope_are_scored_per_group() -> None:
    items = [nlu.Item("bn_latn", "amake menu ta dekhao", "help"), nlu.Item("bn_latn", "ok", "affirm"),
             nlu.Item("bn_latn", "ekta joke bolo to", "out_of_scope"), nlu.Item("bn_latn", "train er ticket kato", "out_of_scope")]
    predictions = [nlu.Prediction("help", None, [], language="bn"), nlu.Prediction("affirm", None, [], language="en"),
                   nlu.Prediction("out_of_scope", None, [], language="hi"), nlu.Prediction("greet", None, [], language="bn")]
    report = nlu.score(items, predictions)["bn_latn"]
    assert report["language_accuracy"] == round(2 / 3, 4)  # "ok" is too short to count
    assert report["out_of_scope_recall"] == 0.5


def test_groups_below_a_minimum_are_named_and_all_is_not_judged() -> None:
    report = {"en": {"category_accuracy": 0.9}, "hi": {"category_accuracy": 0.8}, "bn": {"category_accuracy": None},
              "all": {"category_accuracy": 0.5}}
    assert nlu.below(report, "category_accuracy", 0.85) == {"hi": 0.8}


def test_the_independent_split_covers_every_group_and_category() -> None:
    sets = nlu.load_sets(HELDOUT, INDEPENDENT)
    independent = sets[nlu.INDEPENDENT]
    for group in nlu.GROUPS:
        complaints = [item for item in independent if item.group == group and item.intent == "report_complaint"]
        assert len(complaints) >= 40, group
        assert {item.category for item in complaints} == {
            "street_light", "water_supply", "water_leakage", "sewerage", "sanitation", "roads", "house_tax", "other"}
        assert any(item.intent == "out_of_scope" for item in independent if item.group == group)


def _near(a: set, b: set) -> bool:
    return len(a) >= 3 and len(b) >= 3 and len(a & b) / len(a | b) >= 0.6


def test_the_independent_split_is_never_trained_on(training_examples) -> None:
    """No training example is the same as, or shares three fifths of its words with, an item of the split."""
    from nagarik.answers import plain_words

    trained = [plain_words(example.get("text")) for examples in training_examples.values() for example in examples]
    trained_words = [set(text.split()) for text in trained]
    sets = nlu.load_sets(HELDOUT, INDEPENDENT)
    close = []
    for item in sets[nlu.INDEPENDENT]:
        text = plain_words(item.text)
        words = set(text.split())
        if text in trained or any(_near(words, other) for other in trained_words):
            close.append(item.text)
    assert not close


def test_a_missing_set_or_group_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        nlu.load_sets(HELDOUT, tmp_path / "missing.jsonl")
    partial = tmp_path / "partial.jsonl"
    partial.write_text('{"text": "hi", "lang": "en", "intent": "greet"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no independent examples"):
        nlu.load_sets(HELDOUT, partial)


def test_the_reply_language_is_the_script_of_most_letters() -> None:
    # The English greeting offers "हिंदी or বাংলা": still English.
    assert replies.reply_language(["Namaste! I am Nagarik. You can write in English, हिंदी or বাংলা."]) == "en"
    assert replies.reply_language(["आपकी शिकायत NG104233 दर्ज हो गई"]) == "hi"


def test_a_request_for_another_language_is_not_counted() -> None:
    result = replies.shares(["bn", "bn"], ["en", "bn"], ["set_language", "greet"])
    assert result["bn"] == {"messages": 1, "reply_language_share": 1.0}
