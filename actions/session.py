"""A new conversation session starts in the language the citizen's number used last time."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.language import LANGUAGE_SLOT
from nagarik.db.complaints import preferred_language
from nagarik.db.session import run_in_session
from nagarik.language import LANGUAGES

logger = logging.getLogger(__name__)


async def _remembered_language(phone: str) -> Optional[str]:
    def work(session: Session) -> Optional[str]:
        return preferred_language(session, phone)

    try:
        language = await run_in_session(work)
    except SQLAlchemyError:
        logger.warning("could not read the language remembered for a citizen", exc_info=True)
        return None
    return language if language in LANGUAGES else None


class ActionSessionStart(Action):
    """Rasa's session start, carrying the language over or fetching it for the phone number.

    Only the language carries over: a half-filled complaint from an hour ago is
    not silently continued (the domain's session_config says 60 minutes).
    """

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        language = tracker.get_slot(LANGUAGE_SLOT) or await _remembered_language(tracker.sender_id)
        if language:
            events.append(SlotSet(LANGUAGE_SLOT, language))
        events.append(ActionExecuted("action_listen"))
        return events
