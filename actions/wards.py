"""ward_info: the councillor, ward office, phone, monitoring committee and localities of a ward."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint_form import message_text
from actions.language import current_language
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from nagarik.db.notices import notices_for
from nagarik.db.session import run_in_session
from nagarik.numbers import parse_number
from nagarik.settings import city_settings
from nagarik.vocabulary import NO_NOTICES, NOTICES_UNAVAILABLE, format_date
from nagarik.wards import Ward, WardMatch, city_wards, find_ward

ASKED_SLOT = "ward_info_asked"
logger = logging.getLogger(__name__)


async def _notices_text(ward: int, language: str) -> str:
    """The ward's latest three notices, newest first, as lines in the citizen's language."""

    def work(session: Session) -> List[Dict[str, object]]:
        return notices_for(session, ward, language)

    try:
        notices = await run_in_session(work)
    except SQLAlchemyError:
        logger.exception("ward notices could not be read")
        return NOTICES_UNAVAILABLE[language]
    if not notices:
        return NO_NOTICES[language]
    timezone = city_settings().timezone
    return "\n".join(f"  • {format_date(n['at'], language, timezone, with_time=False)}: {n['text']}" for n in notices)


def _match(tracker: Tracker) -> Optional[WardMatch]:
    """The ward named by the message: a ward entity, a locality entity, or a place name in the text."""
    wards = city_wards()
    entity = next(tracker.get_latest_entity_values("ward"), None)
    number = parse_number(str(entity)) if entity is not None else None
    if number is not None:
        return find_ward(wards, str(number))
    locality = next(tracker.get_latest_entity_values("locality"), None)
    match = find_ward(wards, str(locality)) if locality else None
    if match and match.ward:
        return match
    text = message_text(tracker)
    whole = find_ward(wards, text) if text and not text.startswith("/") else None
    if whole and (whole.ward or whole.suggestions):
        return whole
    return match


def ward_details(ward: Ward, language: str) -> Dict[str, str]:
    return {
        "number": str(ward.number),
        "name": ward.name[language],
        "councillor": ward.councillor[language],
        "office": ward.office_address[language],
        "phone": ward.office_phone,
        "committee": "\n".join(f"  • {member[language]}" for member in ward.committee) or "-",
        "localities": ", ".join(locality[language] for locality in ward.localities) or "-",
    }


class ActionWardInfo(Action):
    """Answers about the ward the citizen names; asks which ward when they name none."""

    def name(self) -> Text:
        return "action_ward_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events = await self._answer(dispatcher, tracker)
        # Asked while filing a complaint: answer, but never hold the conversation (the form resumes).
        return [] if tracker.active_loop.get("name") else events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        language = current_language(tracker)
        match = _match(tracker)
        if match is None and not tracker.get_slot(ASKED_SLOT) and not tracker.active_loop.get("name"):
            dispatcher.utter_message(response="utter_ask_which_ward")
            return [SlotSet(ASKED_SLOT, True)]
        if match is None or (match.ward is None and not match.suggestions):
            dispatcher.utter_message(response="utter_ward_not_found", ward_count=city_settings().ward_count)
            return [SlotSet(ASKED_SLOT, None)]
        if match.ward is None:
            names = ", ".join(f"{w.name[language]} ({w.number})" for w in match.suggestions)
            dispatcher.utter_message(response="utter_ward_suggestions", suggestions=names)
            return [SlotSet(ASKED_SLOT, True)]
        notices = await _notices_text(match.ward.number, language)
        dispatcher.utter_message(response="utter_ward_info", notices=notices, **ward_details(match.ward, language))
        return [SlotSet(ASKED_SLOT, None)]
