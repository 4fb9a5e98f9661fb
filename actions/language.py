"""Actions that keep the conversation in the citizen's language."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from nagarik.db.complaints import citizen_for
from nagarik.db.session import run_in_session
from nagarik.language import LANGUAGES, choose_language
from nagarik.settings import city_settings

LANGUAGE_SLOT = "language"
logger = logging.getLogger(__name__)


def current_language(tracker: Tracker) -> str:
    """The language to answer in: the conversation's, else the city's default."""
    return tracker.get_slot(LANGUAGE_SLOT) or city_settings().default_language


async def remember_language(phone: str, language: str) -> None:
    """Keep the citizen's language with their number, for their next conversation.

    Only a convenience: if the database is down, the chat goes on in the right language anyway.
    """

    def store(session: Session) -> None:
        citizen_for(session, phone, language)

    try:
        await run_in_session(store)
    except SQLAlchemyError:
        logger.warning("could not remember the language of a citizen", exc_info=True)


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
        if language == current:
            return []
        await remember_language(tracker.sender_id, language)
        return [SlotSet(LANGUAGE_SLOT, language)]
