"""Wards: the councillor, office and committee of a ward, and following its notices.

A ward is named by number, by a place name in any script, or by a location
pin (`/share_location{"latitude": .., "longitude": ..}`, what the WhatsApp
channel sends for a pin). When none is named the action asks, and a pending
question is remembered in a slot so that the next answer goes to it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.complaint_form import has_place_entity, location_of, message_text
from actions.language import current_language
from nagarik.db.notices import notices_for
from nagarik.db.session import run_in_session
from nagarik.db.wards import current_wards, subscribe, unsubscribe
from nagarik.numbers import parse_number
from nagarik.settings import city_settings
from nagarik.vocabulary import NO_NOTICES, NOTICES_UNAVAILABLE, format_date
from nagarik.wards import Ward, WardMatch, find_ward, ward_at, ward_by_number

ASKED_SLOT = "ward_info_asked"  # "which ward?" asked for the ward's information
SUBSCRIBE_ASKED_SLOT = "subscribe_asked"  # "which ward?" asked for following its notices
SHOWN_SLOT = "notice_ward"  # the ward last shown: "subscribe" right after means this one
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


def _named_ward(tracker: Tracker, wards) -> Optional[WardMatch]:
    """The ward named in words: a ward entity, a locality entity, or a place name in the text."""
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


class WardQuestion:
    """What the message says about a ward: a pin, a name, or nothing."""

    def __init__(self, tracker: Tracker, wards) -> None:
        self.pin = location_of(tracker)
        self.match = WardMatch(ward_at(wards, *self.pin)) if self.pin else _named_ward(tracker, wards)
        # "my location" typed as words: the pin itself has to be sent from WhatsApp's attach menu.
        self.pin_promised = self.pin is None and (tracker.latest_message.get("intent") or {}).get("name") == "share_location"

    @property
    def ward(self) -> Optional[Ward]:
        return self.match.ward if self.match else None


def _say_not_found(dispatcher: CollectingDispatcher, question: WardQuestion, language: str) -> None:
    """Why no ward was found: a pin outside the city, suggestions, or an unknown number or name."""
    if question.pin:
        dispatcher.utter_message(response="utter_location_outside_city")
    elif question.match and question.match.suggestions:
        names = ", ".join(f"{w.name[language]} ({w.number})" for w in question.match.suggestions)
        dispatcher.utter_message(response="utter_ward_suggestions", suggestions=names)
    else:
        dispatcher.utter_message(response="utter_ward_not_found", ward_count=city_settings().ward_count)


def _ask_or_explain(
    dispatcher: CollectingDispatcher, tracker: Tracker, question: WardQuestion, asked_slot: str, ask: str
) -> List[EventType]:
    """No ward found: how to send a pin, "which ward?" (once), or why not, with suggestions to pick from.

    `asked_slot` stays set while an answer is awaited, so that the next message goes to the question.
    """
    if question.pin_promised:
        dispatcher.utter_message(response="utter_how_to_share_location")
        return [SlotSet(asked_slot, True)]
    if question.match is None and not tracker.get_slot(asked_slot) and not tracker.active_loop.get("name"):
        dispatcher.utter_message(response=ask)
        return [SlotSet(asked_slot, True)]
    _say_not_found(dispatcher, question, current_language(tracker))
    # Suggestions wait for the number; anything else ends the question.
    return [SlotSet(asked_slot, True if question.match and question.match.suggestions else None)]


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
        question = WardQuestion(tracker, await current_wards())
        if question.ward is None:
            return _ask_or_explain(dispatcher, tracker, question, ASKED_SLOT, "utter_ask_which_ward")
        ward = question.ward
        notices = await _notices_text(ward.number, language)
        dispatcher.utter_message(response="utter_ward_info", notices=notices, **ward_details(ward, language))
        return [SlotSet(ASKED_SLOT, None), SlotSet(SHOWN_SLOT, str(ward.number))]


async def _save(work) -> Optional[Any]:
    try:
        return await run_in_session(work)
    except SQLAlchemyError:
        logger.exception("a ward subscription could not be saved")
        return None


class ActionSubscribeNotices(Action):
    """Follows a ward's notices: the ward named, else the one just shown, else asks which."""

    def name(self) -> Text:
        return "action_subscribe_notices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = current_language(tracker)
        wards = await current_wards()
        question = WardQuestion(tracker, wards)
        ward = question.ward
        in_form = bool(tracker.active_loop.get("name"))
        if question.match is None:
            # "subscribe" alone: the ward just shown, or the one of the complaint being filed.
            ward = ward_by_number(wards, tracker.get_slot("ward") if in_form else tracker.get_slot(SHOWN_SLOT))
        if ward is None and in_form:
            # No question while filing a complaint (the form's next question would take the answer).
            dispatcher.utter_message(response="utter_subscribe_after_complaint")
            return []
        if ward is None:
            return _ask_or_explain(dispatcher, tracker, question, SUBSCRIBE_ASKED_SLOT, "utter_ask_notice_ward")
        new = await _save(lambda session: subscribe(session, tracker.sender_id, ward.number, language))
        details = {"number": str(ward.number), "name": ward.name[language]}
        if new is None:
            dispatcher.utter_message(response="utter_subscription_failed")
        else:
            dispatcher.utter_message(response="utter_subscribed" if new else "utter_already_subscribed", **details)
        return [] if in_form else [SlotSet(SUBSCRIBE_ASKED_SLOT, None), SlotSet(SHOWN_SLOT, str(ward.number))]


class ActionUnsubscribeNotices(Action):
    """Stops the notices of the ward named, or of every ward when none is named."""

    def name(self) -> Text:
        return "action_unsubscribe_notices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # Only a ward or place the NLU found counts: "stop the notices" alone means every ward.
        question = WardQuestion(tracker, await current_wards()) if has_place_entity(tracker) else None
        events = [] if tracker.active_loop.get("name") else [SlotSet(SUBSCRIBE_ASKED_SLOT, None)]
        if question is not None and question.ward is None:
            _say_not_found(dispatcher, question, current_language(tracker))
            return events
        number = question.ward.number if question else None
        stopped = await _save(lambda session: unsubscribe(session, tracker.sender_id, number))
        if stopped is None:
            dispatcher.utter_message(response="utter_subscription_failed")
        elif stopped:
            dispatcher.utter_message(response="utter_unsubscribed", wards=", ".join(str(w) for w in stopped))
        else:
            dispatcher.utter_message(response="utter_not_subscribed")
        return events
