"""Filing, cancelling and tracking complaints from the chat.

Database work runs on a worker thread in one transaction per action
(`run_in_session`); the citizen hears "filed" only after the commit, and a
failure is told plainly in their language with nothing half-saved.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.complaint_form import SKIPPED, pinned, valid_ward
from actions.language import current_language
from nagarik.db.complaints import (
    NewAttachment,
    NewComplaint,
    add_citizen_note,
    complaint_of_citizen,
    file_complaint,
    latest_complaints,
    media_kind,
)
from nagarik.db.models import Complaint
from nagarik.db.session import run_in_session
from nagarik.references import canonical_reference
from nagarik.settings import city_settings
from nagarik.vocabulary import category_name, format_date, status_name

logger = logging.getLogger(__name__)

COMPLAINT_SLOTS = (
    "complaint_category",
    "ward",
    "locality",
    "complaint_landmark",
    "complaint_location",
    "complaint_description",
    "complaint_duplicate_of",
    "complaint_duplicate_choice",
    "complaint_confirmed",
)
REVIEW_SLOT = "review_reference"


def reset_complaint_slots() -> List[EventType]:
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS] + [SlotSet("complaint_photos", [])]


@dataclass(frozen=True)
class Filed:
    reference: str
    departments: Dict[str, str]
    due_at: Optional[datetime]


def _new_complaint(tracker: Tracker, language: str) -> NewComplaint:
    landmark = tracker.get_slot("complaint_landmark")
    ward = valid_ward(tracker.get_slot("ward"))
    photos = tracker.get_slot("complaint_photos") or []
    latitude, longitude = pinned(tracker) or (None, None)
    return NewComplaint(
        phone=tracker.sender_id,
        category=tracker.get_slot("complaint_category") or "other",
        language=language,
        ward=ward,
        locality=tracker.get_slot("locality"),
        landmark=None if landmark in (None, SKIPPED) else landmark,
        latitude=latitude,
        longitude=longitude,
        description=tracker.get_slot("complaint_description"),
        submission_key=submission_key(tracker),
        attachments=_attachments(photos),
    )


SUBMISSION_KEY_LENGTH = 128  # complaints.submission_key


def submission_key(tracker: Tracker) -> str:
    """The same for every attempt to file one complaint, so that it is filed once.

    It names the message that opened the complaint form (the user message before the form's latest
    activation). The confirming message's id is not enough: a rasa server killed after the action
    server filed the complaint but before the conversation was saved leaves the citizen unanswered
    at the summary, and their next "yes" (another message, on another server) would file it again.
    Without an activation in the events (a tracker from elsewhere), the confirming message's id.
    """
    last_message, opening = None, None
    for event in tracker.events:
        if event.get("event") == "user":
            last_message = event.get("message_id")
        elif event.get("event") == "active_loop" and event.get("name") == "complaint_form" and last_message:
            opening = f"form:{last_message}"
    fallback = tracker.latest_message.get("message_id") or len(tracker.events)
    key = f"{tracker.sender_id}:{opening or fallback}"
    # The column holds 128 characters; a long REST sender id or message id is hashed instead.
    return key if len(key) <= SUBMISSION_KEY_LENGTH else hashlib.sha256(key.encode("utf-8")).hexdigest()


def _file(new: NewComplaint):
    def work(session: Session) -> Filed:
        complaint = file_complaint(session, new)
        return Filed(complaint.reference, dict(complaint.department.names), complaint.due_at)

    return run_in_session(work)


def _attachments(photos: List[Dict[str, Any]]) -> Tuple[NewAttachment, ...]:
    return tuple(
        NewAttachment(path=p["path"], media_type=p.get("media_type") or "image", caption=p.get("caption"),
                      kind=p.get("kind") or media_kind(p.get("media_type")), size_bytes=_size(p),
                      filename=p.get("filename") if isinstance(p.get("filename"), str) else None)
        for p in photos
    )


def _size(photo: Dict[str, Any]) -> Optional[int]:
    """The size the channel measured, else the stored file's (a channel that did not say)."""
    size = photo.get("size")
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    try:
        return os.stat(photo["path"]).st_size
    except (OSError, TypeError, ValueError):
        return None


def _add_to(reference: str, phone: str, text: str, photos: List[Dict[str, Any]]):
    def work(session: Session) -> bool:
        complaint = complaint_of_citizen(session, reference, phone)
        if complaint is None:
            return False
        add_citizen_note(session, complaint, text, _attachments(photos))
        return True

    return run_in_session(work)


class ActionSubmitComplaint(Action):
    """Files the confirmed complaint (or adds to the open one) and gives the reference."""

    def name(self) -> Text:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = current_language(tracker)
        if tracker.get_slot("complaint_duplicate_choice") == "add":
            return await self._add_to_open(dispatcher, tracker)
        try:
            filed = await _file(_new_complaint(tracker, language))
        except (SQLAlchemyError, ValueError):
            logger.exception("a complaint could not be filed")
            dispatcher.utter_message(response="utter_complaint_not_saved")
            # Keep what the citizen said and show the summary again: "yes" retries, "cancel" drops it.
            return [SlotSet("complaint_confirmed", None), FollowupAction("complaint_form")]
        dispatcher.utter_message(
            response="utter_complaint_filed",
            reference=filed.reference,
            department=filed.departments.get(language) or filed.departments.get("en", ""),
            due=format_date(filed.due_at, language, city_settings().timezone) if filed.due_at else "-",
        )
        return reset_complaint_slots()

    async def _add_to_open(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        reference = tracker.get_slot("complaint_duplicate_of")
        text = tracker.get_slot("complaint_description") or ""
        try:
            added = await _add_to(reference, tracker.sender_id, text, tracker.get_slot("complaint_photos") or [])
        except SQLAlchemyError:
            logger.exception("a note could not be added to complaint %s", reference)
            dispatcher.utter_message(response="utter_complaint_not_saved")
            return [SlotSet("complaint_confirmed", None), FollowupAction("complaint_form")]
        if not added:
            # Gone since we offered it (should not happen): file as new instead next time.
            dispatcher.utter_message(response="utter_complaint_not_saved")
            return [SlotSet("complaint_duplicate_of", None), SlotSet("complaint_duplicate_choice", None)]
        dispatcher.utter_message(response="utter_complaint_added", reference=reference)
        return reset_complaint_slots()


class ActionCancelComplaint(Action):
    """Drops the complaint being filled in; nothing was filed, and the citizen is told so."""

    def name(self) -> Text:
        return "action_cancel_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return reset_complaint_slots()


def _history_lines(complaint: Complaint, language: str, timezone: str) -> str:
    lines = []
    for event in complaint.events:
        note = f" ({event.note})" if event.note else ""
        lines.append(f"• {format_date(event.created_at, language, timezone)}: {status_name(event.to_status, language)}{note}")
    return "\n".join(lines)


def _status_view(complaint: Complaint, language: str) -> Dict[str, Any]:
    timezone = city_settings().timezone
    return {
        "reference": complaint.reference,
        "category": category_name(complaint.category_code, language),
        "status": status_name(complaint.status, language),
        "filed": format_date(complaint.created_at, language, timezone),
        "due": format_date(complaint.due_at, language, timezone, with_time=False) if complaint.due_at else "-",
        "history": _history_lines(complaint, language, timezone),
        "resolved": complaint.status == "resolved",
    }


def _one(reference: str, phone: str, language: str):
    def work(session: Session) -> Optional[Dict[str, Any]]:
        complaint = complaint_of_citizen(session, reference, phone)
        return _status_view(complaint, language) if complaint else None

    return run_in_session(work)


def _latest(phone: str, language: str):
    def work(session: Session) -> List[Dict[str, Any]]:
        return [_status_view(c, language) for c in latest_complaints(session, phone, limit=3)]

    return run_in_session(work)


def _requested_reference(tracker: Tracker) -> Tuple[Optional[str], Optional[str]]:
    """(canonical reference, as typed) from the message, if it names one."""
    typed = next(tracker.get_latest_entity_values("complaint_id"), None)
    if typed is None:
        return None, None
    return canonical_reference(str(typed)), str(typed)


class ActionTrackComplaint(Action):
    """Status, history and due date of a complaint; only ever the asking number's own."""

    def name(self) -> Text:
        return "action_track_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = current_language(tracker)
        reference, typed = _requested_reference(tracker)
        try:
            if typed is not None:
                found = await _one(reference, tracker.sender_id, language) if reference else None
                views = [found] if found else []
            else:
                views = await _latest(tracker.sender_id, language)
        except SQLAlchemyError:
            logger.exception("complaint status could not be read")
            dispatcher.utter_message(response="utter_tracking_failed")
            return self._review_offer(tracker, None)
        if typed is not None and not views:
            # Same answer whether it does not exist or belongs to someone else.
            dispatcher.utter_message(response="utter_complaint_not_found", reference=reference or typed)
            return self._review_offer(tracker, None)
        if not views:
            dispatcher.utter_message(response="utter_no_complaints")
            return self._review_offer(tracker, None)
        if len(views) == 1:
            dispatcher.utter_message(response="utter_complaint_status", **views[0])
        else:
            listing = "\n\n".join(
                f"*{v['reference']}*: {v['category']}, {v['status']} ({v['filed']})" for v in views
            )
            dispatcher.utter_message(response="utter_complaint_list", complaints=listing)
        # A resolved complaint can be rated, or reopened if it is not fixed.
        return self._review_offer(tracker, next((v["reference"] for v in views if v["resolved"]), None))

    @staticmethod
    def _review_offer(tracker: Tracker, reference: Optional[str]) -> List[EventType]:
        """Always set (or clear) the complaint to review, so an old offer never comes back by itself."""
        if tracker.active_loop.get("name"):
            return []  # asked in the middle of filing a complaint: the form resumes
        return [SlotSet(REVIEW_SLOT, reference)]
