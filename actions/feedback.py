"""give_feedback: store the citizen's suggestion or praise, then thank them."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.language import current_language
from nagarik.db.feedback import store_feedback
from nagarik.db.session import run_in_session
from nagarik.numbers import parse_number

logger = logging.getLogger(__name__)


def _ward(tracker: Tracker) -> Optional[int]:
    value = next(tracker.get_latest_entity_values("ward"), None)
    return parse_number(str(value)) if value is not None else None


def _save(phone: str, text: str, language: str, ward: Optional[int], category: Optional[str]):
    def work(session: Session) -> None:
        store_feedback(session, phone, text, language, ward=ward, category=category)

    return run_in_session(work)


class ActionStoreFeedback(Action):
    """Saves the message as feedback; says so only after the database committed it."""

    def name(self) -> Text:
        return "action_store_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        if not text or text.startswith("/"):
            # The menu button carries no words yet: ask for them.
            dispatcher.utter_message(response="utter_ask_feedback")
            return []
        language = current_language(tracker)
        category = next(tracker.get_latest_entity_values("complaint_category"), None)
        try:
            # The database is blocking I/O: run_in_session keeps it off the event loop.
            await _save(tracker.sender_id, text, language, _ward(tracker), category)
        except SQLAlchemyError:
            logger.exception("feedback from a citizen could not be stored")
            dispatcher.utter_message(response="utter_feedback_not_saved")
            return []
        dispatcher.utter_message(response="utter_feedback_saved")
        return []
