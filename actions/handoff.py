"""Human handoff: tells the citizen how to reach a person at the municipality."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.language import current_language
from nagarik.settings import city_settings


class ActionHumanHandoff(Action):
    """Gives the helpline number and office hours from the city configuration."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        helpline = city_settings().helpline
        language = current_language(tracker)
        dispatcher.utter_message(
            response="utter_human_handoff",
            helpline_phone=helpline.phone,
            office_hours=helpline.hours_in(language),
        )
        return []
