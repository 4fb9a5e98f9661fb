"""After a complaint is resolved: the citizen says whether it is fixed, rates it, or reopens it.

`action_track_complaint` sets `review_reference` when it shows a resolved
complaint; the review form then asks "is it fixed?", and either a 1-5 rating
(the complaint is closed) or the reason it is not fixed (it is reopened with
that reason, for the department to see).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.complaint_form import asked, intent_of, is_answer, message_text
from actions.complaints import REVIEW_SLOT
from nagarik.answers import is_cancel, parse_rating
from nagarik.db.complaints import TransitionError, close_as_fixed, complaint_of_citizen, reopen_as_not_fixed
from nagarik.db.session import run_in_session

logger = logging.getLogger(__name__)

REVIEW_SLOTS = (REVIEW_SLOT, "review_fixed", "review_rating", "review_reason")


def reset_review_slots() -> List[EventType]:
    return [SlotSet(slot, None) for slot in REVIEW_SLOTS]


class ValidateComplaintReviewForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_review_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        fixed = tracker.get_slot("review_fixed")
        if fixed is None:
            return ["review_fixed"]
        return ["review_fixed", "review_rating" if fixed else "review_reason"]

    async def extract_review_fixed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not asked(tracker, "review_fixed"):
            return {}
        intent = intent_of(tracker)
        if intent == "affirm":
            return {"review_fixed": True}
        # "No" / "still not fixed" reopens; "cancel" just leaves the review.
        if intent == "deny" and not is_cancel(message_text(tracker)):
            return {"review_fixed": False}
        if parse_rating(message_text(tracker)) is not None:
            # A rating straight away means it is fixed.
            return {"review_fixed": True, "review_rating": parse_rating(message_text(tracker))}
        return {}

    async def extract_review_rating(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if asked(tracker, "review_rating") and (is_answer(tracker) or parse_rating(message_text(tracker))):
            return {"review_rating": message_text(tracker)}
        return {}

    async def extract_review_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if asked(tracker, "review_reason") and (is_answer(tracker) or intent_of(tracker) == "deny"):
            if not is_cancel(message_text(tracker)):
                return {"review_reason": message_text(tracker)}
        return {}

    async def validate_review_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        rating = value if isinstance(value, int) else parse_rating(str(value))
        if rating is None:
            dispatcher.utter_message(response="utter_invalid_rating")
        return {"review_rating": rating}

    async def validate_review_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        return {"review_reason": text[:2000] if len(text) >= 2 else None}


def _review(reference: str, phone: str, rating: Optional[int], reason: Optional[str]):
    def work(session: Session) -> bool:
        complaint = complaint_of_citizen(session, reference, phone)
        if complaint is None:
            return False
        if reason is not None:
            reopen_as_not_fixed(session, complaint, reason)
        else:
            close_as_fixed(session, complaint, rating)
        return True

    return run_in_session(work)


class ActionSubmitReview(Action):
    """Closes the complaint with the rating, or reopens it with the reason."""

    def name(self) -> Text:
        return "action_submit_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reference = tracker.get_slot(REVIEW_SLOT)
        fixed = tracker.get_slot("review_fixed")
        rating = tracker.get_slot("review_rating")
        reason = None if fixed else tracker.get_slot("review_reason")
        try:
            done = await _review(reference, tracker.sender_id, int(rating) if fixed else None, reason)
        except TransitionError:
            # An officer moved it meanwhile (e.g. closed it): nothing to change from here.
            dispatcher.utter_message(response="utter_review_not_possible", reference=reference)
            return reset_review_slots()
        except SQLAlchemyError:
            logger.exception("the review of %s could not be saved", reference)
            dispatcher.utter_message(response="utter_review_not_saved")
            return reset_review_slots()
        if not done:
            dispatcher.utter_message(response="utter_complaint_not_found", reference=reference)
        elif fixed:
            dispatcher.utter_message(response="utter_review_thanks", reference=reference, rating=int(rating))
        else:
            dispatcher.utter_message(response="utter_complaint_reopened", reference=reference)
        return reset_review_slots()


class ActionCancelReview(Action):
    """Forgets the review in progress (the complaint stays as it is); the rules say what comes next."""

    def name(self) -> Text:
        return "action_cancel_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return reset_review_slots()
