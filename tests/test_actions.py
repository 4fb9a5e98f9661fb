"""Custom actions, run the way the action server runs them."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionStoreFeedback
from actions.handoff import ActionHumanHandoff
from actions.language import ActionUpdateLanguage
from conftest import REPO
from nagarik.settings import city_settings

FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def hindi_tracker_state() -> Dict[str, Any]:
    return json.loads((FIXTURES / "tracker_hindi.json").read_text(encoding="utf-8"))


def _tracker(
    state: Dict[str, Any],
    language: Optional[str] = None,
    detection: Optional[Dict[str, Any]] = None,
    intent: Optional[str] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    state = copy.deepcopy(state)
    state["slots"]["language"] = language
    message = state["latest_message"]
    if detection is not None:
        message["language"] = detection
    if intent:
        message["intent"] = {"name": intent, "confidence": 0.9}
    if entities is not None:
        message["entities"] = entities
    return Tracker.from_dict(state)


def _run(action, tracker: Tracker, domain: Optional[Dict[str, Any]] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher, events


@pytest.fixture(autouse=True)
def fresh_city_settings():
    city_settings.cache_clear()
    yield
    city_settings.cache_clear()


class TestUpdateLanguage:
    def test_first_message_sets_the_detected_language(self, hindi_tracker_state, monkeypatch) -> None:
        monkeypatch.setenv("NAGARIK_DEFAULT_LANGUAGE", "en")  # so the default cannot pass for detection
        city_settings.cache_clear()
        _, events = _run(ActionUpdateLanguage(), _tracker(hindi_tracker_state))
        assert events == [SlotSet("language", "hi")]
        detection = {"code": "bn", "clear": False}
        _, events = _run(ActionUpdateLanguage(), _tracker(hindi_tracker_state, detection=detection))
        assert events == [SlotSet("language", "bn")]

    def test_unclear_message_keeps_the_conversation_language(self, hindi_tracker_state) -> None:
        detection = {"code": "en", "clear": False}
        _, events = _run(ActionUpdateLanguage(), _tracker(hindi_tracker_state, language="hi", detection=detection))
        assert events == []

    def test_clear_message_in_another_language_switches(self, hindi_tracker_state) -> None:
        detection = {"code": "bn", "clear": True}
        _, events = _run(ActionUpdateLanguage(), _tracker(hindi_tracker_state, language="hi", detection=detection))
        assert events == [SlotSet("language", "bn")]

    def test_set_language_entity_wins_over_the_script(self, hindi_tracker_state) -> None:
        tracker = _tracker(
            hindi_tracker_state,
            language="hi",
            intent="set_language",
            entities=[{"entity": "language", "value": "en"}],
        )
        _, events = _run(ActionUpdateLanguage(), tracker)
        assert events == [SlotSet("language", "en")]

    @pytest.mark.parametrize("default", ["en", "bn"])
    def test_no_detection_and_no_language_uses_the_city_default(self, hindi_tracker_state, monkeypatch, default) -> None:
        monkeypatch.setenv("NAGARIK_DEFAULT_LANGUAGE", default)
        city_settings.cache_clear()
        state = copy.deepcopy(hindi_tracker_state)
        del state["latest_message"]["language"]  # e.g. a button payload skips NLU
        _, events = _run(ActionUpdateLanguage(), _tracker(state))
        assert events == [SlotSet("language", default)]


class TestHumanHandoff:
    @pytest.mark.parametrize("language", ["en", "hi", "bn"])
    def test_gives_helpline_and_hours_in_the_language(self, hindi_tracker_state, language: str) -> None:
        dispatcher, events = _run(ActionHumanHandoff(), _tracker(hindi_tracker_state, language=language))
        helpline = city_settings().helpline
        assert events == []
        [message] = dispatcher.messages
        assert message["response"] == "utter_human_handoff"
        assert message["helpline_phone"] == helpline.phone
        assert message["office_hours"] == helpline.office_hours[language]

    def test_environment_overrides_the_city_file(self, hindi_tracker_state, monkeypatch) -> None:
        monkeypatch.setenv("NAGARIK_HELPLINE_PHONE", "+91-132-2700000")
        city_settings.cache_clear()
        dispatcher, _ = _run(ActionHumanHandoff(), _tracker(hindi_tracker_state, language="en"))
        assert dispatcher.messages[0]["helpline_phone"] == "+91-132-2700000"


class TestStoreFeedback:
    def _feedback_tracker(self, state, text: str, entities) -> Tracker:
        state = copy.deepcopy(state)
        state["latest_message"].update({"text": text, "intent": {"name": "give_feedback"}, "entities": entities})
        state["slots"]["language"] = "bn"
        return Tracker.from_dict(state)

    def test_stores_with_ward_and_category_then_thanks(self, hindi_tracker_state, db_url, monkeypatch) -> None:
        from sqlalchemy import select

        from nagarik.db.models import Feedback
        from nagarik.db.session import session_scope

        monkeypatch.setenv("DATABASE_URL", db_url)
        entities = [{"entity": "ward", "value": "7"}, {"entity": "complaint_category", "value": "sanitation"}]
        tracker = self._feedback_tracker(hindi_tracker_state, "সাফাই কর্মীরা খুব ভালো কাজ করছেন", entities)
        dispatcher, _ = _run(ActionStoreFeedback(), tracker)
        assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_saved"]
        with session_scope(db_url) as session:
            [row] = session.execute(select(Feedback)).scalars().all()
            assert (row.text, row.ward, row.category_code, row.language) == (
                "সাফাই কর্মীরা খুব ভালো কাজ করছেন", 7, "sanitation", "bn")
            assert row.citizen.phone == "919800000001"

    def test_button_without_words_asks_for_them(self, hindi_tracker_state) -> None:
        dispatcher, _ = _run(ActionStoreFeedback(), self._feedback_tracker(hindi_tracker_state, "/give_feedback", []))
        assert [m["response"] for m in dispatcher.messages] == ["utter_ask_feedback"]

    def test_database_failure_says_not_saved(self, hindi_tracker_state, tmp_path, monkeypatch) -> None:
        # A database without tables: the insert fails, and the citizen is told it was not saved.
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
        dispatcher, _ = _run(ActionStoreFeedback(), self._feedback_tracker(hindi_tracker_state, "more benches please", []))
        assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_not_saved"]
