"""Actions that keep the conversation in the citizen's language."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from nagarik.language import LANGUAGES, choose_language
from nagarik.settings import city_settings

LANGUAGE_SLOT = "language"


def _requested_language(tracker: Tracker) -> Optional[str]:
    if (tracker.latest_message.get("intent") or {}).get("name") != "set_language":
        return None
    value = next(tracker.get_latest_entity_values("language"), None)
    return value if value in LANGUAGES else None


class ActionUpdateLanguage(Action):
    """Custom slot mapping of `language`, run after every user message.

    Reads the LanguageDetector's verdict from the parse data and switches the
    conversation only on a clear detection, so "ok" or "12" never flips it.
    """

    def name(self) -> Text:
        return "action_update_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        detection = tracker.latest_message.get("language") or {}
        current = tracker.get_slot(LANGUAGE_SLOT)
        language = choose_language(
            current,
            detection.get("code"),
            bool(detection.get("clear")),
            requested=_requested_language(tracker),
        ) or city_settings().default_language
        return [] if language == current else [SlotSet(LANGUAGE_SLOT, language)]
