"""The evaluation's scoring: entity F1 by value, reply language, stories per language group."""

from __future__ import annotations

from pathlib import Path

from evaluation import nlu, replies, stories
from evaluation.__main__ import markdown


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
