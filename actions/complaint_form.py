"""The complaint form: asks only for what the citizen has not said yet.

Order of questions: category, ward (or locality), landmark (unless a
locality was given), description (unless the first message described the
problem), then a summary to confirm or correct. A photo can arrive at any
step, and so can a location pin: it gives the ward (from the ward boundaries)
and the exact spot, so no landmark is asked. When the citizen already has an open complaint of the same category in
the same ward, they are offered to add to it instead.

Category, ward and locality come from entities (slot mappings conditioned on
the active form in domain.yml). Free-text answers are read here, and only
when the message is an answer: a COVID question, "menu" or "cancel" in the
middle makes the form reject the turn, so that the rules can answer it and
resume (or cancel) the form.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.language import current_language
from nagarik.answers import choice_number, describes_problem, is_cancel, is_skip, wants_new, ward_answer, word_count
from nagarik.db.complaints import open_duplicate
from nagarik.db.session import run_in_session
from nagarik.db.wards import current_wards
from nagarik.landmarks import find_landmark
from nagarik.numbers import parse_number
from nagarik.settings import city_settings, media_dir
from nagarik.vocabulary import CATEGORY_NAMES, LOCATION_PIN, NOT_GIVEN, WARD, category_name
from nagarik.wards import ward_at

logger = logging.getLogger(__name__)

FORM = "complaint_form"
CATEGORIES = tuple(CATEGORY_NAMES)  # in the order of the category buttons
SKIPPED = "-"  # an optional answer the citizen chose not to give
UNRECOGNISED = "?"  # an answer that fits none of the choices: validation asks again
# The NLU's message-level category guess in the parse data (components/category_classifier.py).
CATEGORY_GUESS = "complaint_category_guess"

# Messages that are not an answer to the form's question: the rules take them.
NOT_ANSWERS = frozenset(
    {
        "deny",
        "covid_faq",
        "covid_update",
        "help",
        "bot_challenge",
        "human_handoff",
        "set_language",
        "ward_info",
        "share_location",  # a pin is read by extract_complaint_location, never as a typed answer
        "subscribe_notices",
        "unsubscribe_notices",
        "track_complaint",
        "greet",
        "thank",
        "goodbye",
    }
)


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def message_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def is_answer(tracker: Tracker) -> bool:
    """Whether the latest message answers a question (rather than cancel, a digression, or a button payload)."""
    text = message_text(tracker)
    return bool(text) and not text.startswith("/") and intent_of(tracker) not in NOT_ANSWERS and not is_cancel(text)


def has_entities(tracker: Tracker) -> bool:
    return bool(tracker.latest_message.get("entities"))


def has_place_entity(tracker: Tracker) -> bool:
    """A ward or locality entity: a correction the entity mappings already applied."""
    return any(e.get("entity") in ("ward", "locality") for e in tracker.latest_message.get("entities") or [])


def said_no(tracker: Tracker) -> bool:
    """A "no" that is not "cancel": cancel words and the Cancel button (/deny) drop the complaint instead."""
    text = message_text(tracker)
    return intent_of(tracker) == "deny" and not text.startswith("/") and not is_cancel(text)


def short_yes(tracker: Tracker) -> bool:
    """"ok", "haan ji": a yes with nothing else in it ("haan, mandir ke paas" is an answer)."""
    return intent_of(tracker) == "affirm" and word_count(message_text(tracker)) <= 2


def asked(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot


def starts_form(tracker: Tracker) -> bool:
    """Whether the latest message is the one that opened the form (nothing asked yet)."""
    return tracker.get_slot("requested_slot") is None and intent_of(tracker) in ("report_complaint", "inform")


def valid_ward(value: Any) -> Optional[int]:
    number = parse_number(str(value)) if value is not None else None
    return number if number is not None and 1 <= number <= city_settings().ward_count else None


def media_of(tracker: Tracker) -> List[Dict[str, Any]]:
    """Photos or documents the channel saved for this message (metadata.media: [{path, media_type, caption}]).

    Only files inside the media folder count: a REST caller writes its own metadata, and must
    not attach any file of the server to a complaint.
    """
    media = (tracker.latest_message.get("metadata") or {}).get("media") or []
    folder = media_dir().resolve()
    return [
        item for item in media
        if isinstance(item, dict) and item.get("path") and folder in Path(str(item["path"])).resolve().parents
    ]


def location_of(tracker: Tracker) -> Optional[Tuple[float, float]]:
    """(latitude, longitude) of a location pin: `/share_location{"latitude": .., "longitude": ..}`."""
    values = {}
    for name in ("latitude", "longitude"):
        try:
            values[name] = float(next(tracker.get_latest_entity_values(name)))
        except (StopIteration, TypeError, ValueError):
            return None
    if not (-90 <= values["latitude"] <= 90 and -180 <= values["longitude"] <= 180):
        return None
    return values["latitude"], values["longitude"]


def pinned(tracker: Tracker) -> Optional[Tuple[float, float]]:
    """The pin kept for the complaint (slot `complaint_location`, "lat,lon"); None when none or outside the city."""
    value = tracker.get_slot("complaint_location")
    if not value or value == SKIPPED:
        return None
    latitude, longitude = (float(part) for part in str(value).split(","))
    return latitude, longitude


def _find_duplicate(phone: str, category: str, ward: int):
    def lookup(session: Session) -> Optional[str]:
        complaint = open_duplicate(session, phone, category, ward)
        return complaint.reference if complaint else None

    return run_in_session(lookup)


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_complaint_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        slots = ["complaint_category"]
        if tracker.get_slot("complaint_location") or intent_of(tracker) == "share_location":
            # Listed only when a pin came (or was promised), so that it is read here and never asked for.
            slots.insert(0, "complaint_location")
        # A locality stands in for the ward number: the ward office routes it.
        if tracker.get_slot("ward") or not tracker.get_slot("locality"):
            slots.append("ward")
        if tracker.get_slot("locality"):
            # Listed once known, so that a locality typed as the ward answer is kept (rasa-sdk
            # returns only the slots of this list); never asked for on its own.
            slots.append("locality")
        if tracker.get_slot("complaint_duplicate_of"):
            slots.append("complaint_duplicate_choice")
        if tracker.get_slot("complaint_duplicate_choice") == "add":
            return slots + ["complaint_description", "complaint_photos"]
        if not tracker.get_slot("locality") and not pinned(tracker):
            slots.append("complaint_landmark")
        return slots + ["complaint_description", "complaint_photos", "complaint_confirmed"]

    # Extraction: what this message says, read as an answer to the question asked.

    async def extract_complaint_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        pin = location_of(tracker)
        # SKIPPED marks "a pin came (or was promised), not usable"; a good earlier pin is kept.
        kept = tracker.get_slot("complaint_location") or SKIPPED
        if pin is None:
            if intent_of(tracker) != "share_location":
                return {}
            dispatcher.utter_message(response="utter_how_to_share_location")  # "sending my location" in words
            return {"complaint_location": kept}
        ward = ward_at(await current_wards(), *pin)
        if ward is None:
            dispatcher.utter_message(response="utter_location_outside_city")  # not the city's: ward still asked
            return {"complaint_location": kept}
        # The pin is where the problem is: it wins over a ward typed before.
        return {"complaint_location": f"{pin[0]:.6f},{pin[1]:.6f}", "ward": str(ward.number)}

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not asked(tracker, "complaint_category"):
            return {}
        if said_no(tracker):
            return {"complaint_category": UNRECOGNISED}
        if not is_answer(tracker) or next(tracker.get_latest_entity_values("complaint_category"), None):
            return {}  # not an answer, or the entity mapping already filled it
        # Text-only channels show the categories as a numbered list: "3" picks the third.
        number = choice_number(message_text(tracker))
        if number is not None and 1 <= number <= len(CATEGORIES):
            return {"complaint_category": CATEGORIES[number - 1]}
        # A description instead of a choice ("the tap gives a trickle"): the NLU's guess, if sure.
        guess = tracker.latest_message.get(CATEGORY_GUESS) or {}
        if guess.get("accepted") and guess.get("value") in CATEGORIES:
            return {"complaint_category": guess["value"]}
        return {"complaint_category": UNRECOGNISED}  # validation says so and asks again

    async def extract_ward(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if not asked(tracker, "ward"):
            return {}
        if said_no(tracker):
            # "pata nahi", "জানি না": the ward number is not known; the locality will do.
            dispatcher.utter_message(response="utter_ward_not_known")
            return {"ward": None}
        if not is_answer(tracker) or has_place_entity(tracker):
            return {}  # not an answer, or the entity mappings already filled it
        text = message_text(tracker)
        number = ward_answer(text)
        if number is not None:
            return {"ward": str(number)}
        if short_yes(tracker):
            return {"ward": UNRECOGNISED}  # "ok" is not a place: say which wards exist and ask again
        # Not a number alone ("lane 3, Nehru Nagar"): the name of the mohalla / para / colony.
        return {"locality": text[:200]}

    async def extract_complaint_landmark(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = message_text(tracker)
        if starts_form(tracker) and not tracker.get_slot("complaint_landmark"):
            # "street light kharab hai, Shiv mandir ke paas": kept, so that it is not asked again.
            landmark = find_landmark(text)
            return {"complaint_landmark": landmark} if landmark else {}
        if not asked(tracker, "complaint_landmark") or has_place_entity(tracker) or text.startswith("/"):
            return {}  # not asked, a correction, or a button (the Cancel button sends /deny)
        # "No" / "ok" here mean "no landmark, go on", not "cancel the complaint".
        if said_no(tracker) or short_yes(tracker) or is_skip(text):
            return {"complaint_landmark": SKIPPED}
        return {"complaint_landmark": text} if is_answer(tracker) else {}

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = message_text(tracker)
        if asked(tracker, "complaint_description") and (said_no(tracker) or short_yes(tracker)):
            return {"complaint_description": ""}  # not a description: validation asks for a few words
        if not is_answer(tracker):
            return {}
        if asked(tracker, "complaint_description"):
            return {"complaint_description": text}
        if starts_form(tracker) and not tracker.get_slot("complaint_description"):
            # The message that started the form counts if it describes the problem.
            entity_texts = [e.get("text") or "" for e in tracker.latest_message.get("entities") or []]
            if describes_problem(text, entity_texts):
                return {"complaint_description": text}
        if asked(tracker, "complaint_confirmed") and intent_of(tracker) != "affirm" and not has_entities(tracker):
            # More words at the summary are more detail: keep them with what was said before.
            before = tracker.get_slot("complaint_description") or ""
            return {"complaint_description": f"{before}\n{text}".strip()}
        return {}

    async def extract_complaint_photos(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        media = media_of(tracker)
        if not media:
            return {}
        known = list(tracker.get_slot("complaint_photos") or [])
        return {"complaint_photos": known + [item for item in media if item not in known]}

    async def extract_complaint_duplicate_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not asked(tracker, "complaint_duplicate_choice"):
            return {}
        if intent_of(tracker) == "affirm":
            return {"complaint_duplicate_choice": "add"}
        if said_no(tracker) or intent_of(tracker) == "report_complaint" or wants_new(message_text(tracker)):
            return {"complaint_duplicate_choice": "new"}  # "no, don't add it": a complaint of its own
        return {"complaint_duplicate_choice": UNRECOGNISED} if is_answer(tracker) else {}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not asked(tracker, "complaint_confirmed"):
            return {}
        if intent_of(tracker) == "affirm":
            return {"complaint_confirmed": True}
        if said_no(tracker) and not has_entities(tracker):
            # "no", "wrong": something is not right, which is not "cancel". Ask what, then show the summary again.
            dispatcher.utter_message(response="utter_ask_what_to_change")
            return {"complaint_confirmed": None}
        return {}

    # Validation: is the value usable? If not, say why and ask again.

    async def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value not in CATEGORIES:
            dispatcher.utter_message(response="utter_choose_from_list")
            return {"complaint_category": None}
        return {"complaint_category": value, **await self._duplicate(tracker, category=value)}

    async def validate_complaint_duplicate_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value not in ("add", "new"):
            dispatcher.utter_message(response="utter_choose_from_list")
            return {"complaint_duplicate_choice": None}
        return {"complaint_duplicate_choice": value}

    async def validate_ward(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"ward": None}  # cleared on purpose (the citizen does not know it): just ask again
        ward = valid_ward(value)
        if ward is None:
            dispatcher.utter_message(response="utter_invalid_ward", ward_count=city_settings().ward_count)
            return {"ward": None}
        return {"ward": str(ward), **await self._duplicate(tracker, ward=ward)}

    async def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"complaint_confirmed": value}

    async def validate_complaint_photos(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"complaint_photos": value or []}

    async def validate_complaint_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"complaint_location": value}

    async def validate_locality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"locality": str(value).strip()[:200] or None if value else None}

    async def validate_complaint_landmark(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"complaint_landmark": str(value).strip()[:200] or SKIPPED}

    async def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if len(text) < 3:
            dispatcher.utter_message(response="utter_description_too_short")
            return {"complaint_description": None}
        return {"complaint_description": text[:2000]}

    async def _duplicate(self, tracker: Tracker, category: Optional[str] = None, ward: Optional[int] = None):
        """Whether this number already has an open complaint of this category in this ward."""
        category = category or tracker.get_slot("complaint_category")
        ward = ward or valid_ward(tracker.get_slot("ward"))
        if category not in CATEGORIES or ward is None:
            return {}
        try:
            reference = await _find_duplicate(tracker.sender_id, category, ward)
        except SQLAlchemyError:
            logger.warning("duplicate check failed; filing as a new complaint", exc_info=True)
            reference = None
        if reference == tracker.get_slot("complaint_duplicate_of"):
            return {}
        return {"complaint_duplicate_of": reference, "complaint_duplicate_choice": None}


def place_text(tracker: Tracker, language: str) -> str:
    """'Ward 12, Nehru Nagar' / 'Nehru Nagar' / 'Ward 12'."""
    ward = tracker.get_slot("ward")
    parts = [f"{WARD[language]} {ward}"] if ward else []
    if tracker.get_slot("locality"):
        parts.append(tracker.get_slot("locality"))
    if pinned(tracker):
        parts.append(LOCATION_PIN[language])
    return ", ".join(parts) or NOT_GIVEN[language]


class ActionAskComplaintConfirmed(Action):
    """Shows what will be filed, in the citizen's language, and asks to confirm or correct."""

    def name(self) -> Text:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = current_language(tracker)
        landmark = tracker.get_slot("complaint_landmark")
        dispatcher.utter_message(
            response="utter_ask_complaint_confirmed",
            category=category_name(tracker.get_slot("complaint_category") or "other", language),
            place=place_text(tracker, language),
            landmark=landmark if landmark and landmark != SKIPPED else NOT_GIVEN[language],
            description=tracker.get_slot("complaint_description") or NOT_GIVEN[language],
            photos=len(tracker.get_slot("complaint_photos") or []),
        )
        return []
