"""The complaint form, filing, tracking and review actions, run as the action server runs them.

Trackers are built the way Rasa sends them (latest message, slots, and the
slot candidates appended after the user's message); the database is a real
one on SQLite and PostgreSQL (the `db_url` fixture).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.complaint_form import SKIPPED, ActionAskComplaintConfirmed, ValidateComplaintForm
from actions.complaints import ActionSubmitComplaint, ActionTrackComplaint
from actions.review import ActionSubmitReview
from actions.session import ActionSessionStart
from nagarik.db.complaints import NewComplaint, change_status, file_complaint
from nagarik.db.models import Complaint
from nagarik.db.session import session_scope
from nagarik.settings import city_settings

PHONE = "919800000001"
DOMAIN: Dict[str, Any] = {
    "forms": {
        "complaint_form": {
            "required_slots": [
                "complaint_category", "ward", "locality", "complaint_duplicate_choice", "complaint_landmark",
                "complaint_description", "complaint_photos", "complaint_confirmed",
            ]
        }
    },
    "slots": {},
}


def tracker(
    text: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    candidates: Optional[Dict[str, Any]] = None,
    requested: Optional[str] = None,
    sender: str = PHONE,
    metadata: Optional[Dict[str, Any]] = None,
    active_loop: str = "complaint_form",
    guess: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker whose latest message is `text`; `candidates` are the slot values Rasa extracted from it."""
    values = {"language": "hi", "complaint_photos": [], "requested_slot": requested, **(slots or {}), **(candidates or {})}
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "message_id": "m-" + str(abs(hash((text, sender)))),
        "metadata": metadata or {},
    }
    if guess is not None:
        message["complaint_category_guess"] = guess  # components/category_classifier.py
    events = [{"event": "user", "text": text, "parse_data": message}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    return Tracker(sender, values, message, events, False, None, {"name": active_loop} if active_loop else {}, "action_listen")


def run(action, tracker_: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def followups(action, tracker_: Tracker) -> List[str]:
    events = asyncio.run(action.run(CollectingDispatcher(), tracker_, DOMAIN))
    return [e["name"] for e in events if e["event"] == "followup"]


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m["response"] for m in dispatcher.messages]


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch) -> str:
    """Every action here talks to the test database through DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    city_settings.cache_clear()
    yield db_url
    city_settings.cache_clear()


def _file(url: str, category: str = "street_light", ward: Optional[int] = 12, phone: str = PHONE) -> str:
    with session_scope(url) as session:
        return file_complaint(session, NewComplaint(phone=phone, category=category, language="hi", ward=ward)).reference


def _move(url: str, reference: str, *statuses: str) -> None:
    with session_scope(url) as session:
        complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
        for status in statuses:
            change_status(session, complaint, status, actor="officer", note="sent a team" if status == "assigned" else None)


class TestComplaintForm:
    def test_everything_in_one_message_is_only_confirmed(self) -> None:
        text = "street light near gandhi chowk in ward 12 has been off for a week"
        entities = [{"entity": "complaint_category", "value": "street_light", "text": "street light"},
                    {"entity": "ward", "value": "12", "text": "12"},
                    {"entity": "locality", "value": "gandhi chowk", "text": "gandhi chowk"}]
        candidates = {"complaint_category": "street_light", "ward": "12", "locality": "gandhi chowk"}
        _, slots = run(ValidateComplaintForm(), tracker(text, "report_complaint", entities, candidates=candidates))
        assert slots["complaint_description"] == text
        assert slots["requested_slot"] == "complaint_confirmed"

    def test_a_bare_complaint_asks_the_category_first(self) -> None:
        _, slots = run(ValidateComplaintForm(), tracker("मुझे शिकायत दर्ज करनी है", "report_complaint"))
        assert "complaint_description" not in slots
        assert slots["requested_slot"] == "complaint_category"

    def test_a_typed_number_picks_from_the_category_list(self) -> None:
        _, slots = run(ValidateComplaintForm(), tracker("3", "inform", requested="complaint_category"))
        assert slots["complaint_category"] == "water_leakage"
        assert slots["requested_slot"] == "ward"

    def test_an_answer_that_is_no_category_asks_again_with_the_list(self) -> None:
        dispatcher, slots = run(ValidateComplaintForm(), tracker("kuch bhi", "inform", requested="complaint_category"))
        assert responses(dispatcher) == ["utter_choose_from_list"]
        assert slots["complaint_category"] is None and slots["requested_slot"] == "complaint_category"

    def test_a_described_problem_answers_the_category_question(self) -> None:
        guess = {"value": "water_supply", "confidence": 0.71, "accepted": True}
        text = "nal se bas patli si dhaar aati hai"
        _, slots = run(ValidateComplaintForm(), tracker(text, "inform", requested="complaint_category", guess=guess))
        assert slots["complaint_category"] == "water_supply"
        assert slots["requested_slot"] == "ward"

    def test_an_unsure_guess_is_no_answer_and_the_list_comes_again(self) -> None:
        guess = {"value": "roads", "confidence": 0.3, "accepted": False}
        dispatcher, slots = run(ValidateComplaintForm(), tracker("kuch bhi", "inform", requested="complaint_category", guess=guess))
        assert responses(dispatcher) == ["utter_choose_from_list"]
        assert slots["complaint_category"] is None

    def test_a_landmark_in_the_first_message_is_kept_and_not_asked_for(self) -> None:
        text = "street light kharab hai, Shiv mandir ke paas"
        entities = [{"entity": "complaint_category", "value": "street_light", "text": "street light"}]
        _, slots = run(ValidateComplaintForm(), tracker(text, "report_complaint", entities,
                                                        candidates={"complaint_category": "street_light"}))
        assert slots["complaint_landmark"] == "Shiv mandir ke paas"
        assert slots["requested_slot"] == "ward"
        kept = {"complaint_category": "street_light", "complaint_landmark": "Shiv mandir ke paas",
                "complaint_description": text}
        _, slots = run(ValidateComplaintForm(), tracker("12", "inform", slots=kept, requested="ward"))
        assert "complaint_landmark" not in slots and slots["requested_slot"] == "complaint_confirmed"
        dispatcher, _ = run(ActionAskComplaintConfirmed(), tracker("12", "inform", slots={**kept, "ward": "12"}))
        assert dispatcher.messages[0]["landmark"] == "Shiv mandir ke paas"

    def test_a_locality_answers_the_ward_question_and_stands_for_the_landmark(self) -> None:
        slots = {"complaint_category": "roads"}
        _, events = run(ValidateComplaintForm(), tracker("नेहरू कॉलोनी", "inform", slots=slots, requested="ward"))
        assert events["locality"] == "नेहरू कॉलोनी"
        assert events["requested_slot"] == "complaint_description"

    def test_a_place_with_a_number_in_it_is_a_locality_not_a_ward(self) -> None:
        slots = {"complaint_category": "roads"}
        _, events = run(ValidateComplaintForm(), tracker("lane 3 nehru nagar", "inform", slots=slots, requested="ward"))
        assert events["locality"] == "lane 3 nehru nagar" and "ward" not in events

    def test_not_knowing_the_ward_is_not_cancelling(self) -> None:
        slots = {"complaint_category": "roads"}
        dispatcher, events = run(ValidateComplaintForm(), tracker("pata nahi", "deny", slots=slots, requested="ward"))
        assert responses(dispatcher) == ["utter_ward_not_known"]
        assert events["ward"] is None and events["requested_slot"] == "ward"

    def test_no_at_the_summary_asks_what_to_change(self) -> None:
        slots = {"complaint_category": "roads", "ward": "4", "complaint_landmark": SKIPPED, "complaint_description": "big pothole"}
        dispatcher, events = run(ValidateComplaintForm(), tracker("no thats wrong", "deny", slots=slots, requested="complaint_confirmed"))
        assert responses(dispatcher) == ["utter_ask_what_to_change"]
        assert events["requested_slot"] == "complaint_confirmed"
        assert "complaint_description" not in events  # what was said stays

    def test_a_yes_with_words_is_a_landmark(self) -> None:
        slots = {"complaint_category": "roads", "ward": "4"}
        _, events = run(ValidateComplaintForm(), tracker("haan mandir ke paas", "affirm", slots=slots, requested="complaint_landmark"))
        assert events["complaint_landmark"] == "haan mandir ke paas"

    def test_a_ward_that_does_not_exist_is_refused_and_asked_again(self) -> None:
        slots = {"complaint_category": "roads"}
        dispatcher, events = run(
            ValidateComplaintForm(), tracker("ward 99", "inform", slots=slots, candidates={"ward": "99"}, requested="ward")
        )
        assert dispatcher.messages[0]["response"] == "utter_invalid_ward"
        assert dispatcher.messages[0]["ward_count"] == 70
        assert events["ward"] is None and events["requested_slot"] == "ward"

    def test_ward_words_and_indic_digits_are_ward_numbers(self) -> None:
        slots = {"complaint_category": "roads"}
        _, events = run(ValidateComplaintForm(), tracker("उन्नीस", "inform", slots=slots, requested="ward"))
        assert events["ward"] == "19"
        _, events = run(ValidateComplaintForm(), tracker("১৯", "inform", slots=slots, requested="ward"))
        assert events["ward"] == "19"

    @pytest.mark.parametrize("text, intent", [("nahi", "deny"), ("skip", "inform"), ("জানি না", "deny")])
    def test_no_landmark_is_fine(self, text: str, intent: str) -> None:
        slots = {"complaint_category": "roads", "ward": "4"}
        _, events = run(ValidateComplaintForm(), tracker(text, intent, slots=slots, requested="complaint_landmark"))
        assert events["complaint_landmark"] == SKIPPED
        assert events["requested_slot"] == "complaint_description"

    @pytest.mark.parametrize(
        "text, intent",
        [("cancel", "deny"), ("रहने दो", "deny"), ("বাদ দিন", "deny"), ("what are the symptoms of covid", "covid_faq"),
         ("menu", "help"), ("/deny", "deny"), ("please cancel it", "deny")],
    )
    def test_cancel_and_digressions_are_not_answers(self, text: str, intent: str) -> None:
        slots = {"complaint_category": "roads", "ward": "4"}
        for requested in ("complaint_landmark", "complaint_description", "complaint_confirmed"):
            _, events = run(ValidateComplaintForm(), tracker(text, intent, slots=slots, requested=requested))
            assert set(events) <= {"requested_slot"}, (requested, events)

    def test_more_words_at_the_summary_are_added_to_the_description(self) -> None:
        slots = {"complaint_category": "roads", "ward": "4", "complaint_landmark": SKIPPED, "complaint_description": "big pothole"}
        _, events = run(ValidateComplaintForm(), tracker("also a scooter fell in it", "inform", slots=slots, requested="complaint_confirmed"))
        assert events["complaint_description"] == "big pothole\nalso a scooter fell in it"
        assert events["requested_slot"] == "complaint_confirmed"

    def test_yes_at_the_summary_completes_the_form(self) -> None:
        slots = {"complaint_category": "roads", "ward": "4", "complaint_landmark": SKIPPED, "complaint_description": "big pothole"}
        _, events = run(ValidateComplaintForm(), tracker("haan", "affirm", slots=slots, requested="complaint_confirmed"))
        assert events["complaint_confirmed"] is True and events["requested_slot"] is None

    def test_a_photo_is_kept_whatever_was_asked(self) -> None:
        media = {"media": [{"path": "media/w1.jpg", "media_type": "image/jpeg", "caption": None}]}
        _, events = run(ValidateComplaintForm(), tracker("", "inform", slots={"complaint_category": "roads"}, requested="ward", metadata=media))
        assert events["complaint_photos"] == media["media"]

    def test_a_location_pin_gives_the_ward_and_the_spot_so_no_landmark_is_asked(self) -> None:
        pin = [{"entity": "latitude", "value": "29.9612"}, {"entity": "longitude", "value": "77.5333"}]
        text = '/share_location{"latitude": 29.9612, "longitude": 77.5333}'
        slots = {"complaint_category": "roads", "ward": "4"}  # the pin wins over a ward typed before
        _, events = run(ValidateComplaintForm(), tracker(text, "share_location", pin, slots=slots, requested="complaint_landmark"))
        assert (events["ward"], events["complaint_location"]) == ("34", "29.961200,77.533300")
        assert events["requested_slot"] == "complaint_description"

    def test_a_pin_outside_the_city_is_said_and_the_ward_still_asked(self) -> None:
        pin = [{"entity": "latitude", "value": "28.6139"}, {"entity": "longitude", "value": "77.2090"}]
        dispatcher, events = run(ValidateComplaintForm(), tracker("/share_location", "share_location", pin,
                                                                  slots={"complaint_category": "roads"}, requested="ward"))
        assert responses(dispatcher) == ["utter_location_outside_city"]
        assert events["complaint_location"] == SKIPPED and events["requested_slot"] == "ward"

    def test_an_open_complaint_of_the_same_kind_is_offered(self, database: str) -> None:
        reference = _file(database, ward=12)
        candidates = {"complaint_category": "street_light", "ward": "12"}
        _, events = run(ValidateComplaintForm(), tracker("light kharab ward 12", "report_complaint", candidates=candidates))
        assert events["complaint_duplicate_of"] == reference
        assert events["requested_slot"] == "complaint_duplicate_choice"
        slots = {**candidates, "complaint_duplicate_of": reference}
        _, events = run(ValidateComplaintForm(), tracker("haan", "affirm", slots=slots, requested="complaint_duplicate_choice"))
        assert events["complaint_duplicate_choice"] == "add"
        assert events["requested_slot"] == "complaint_description"
        # A photo sent now still goes with the note.
        media = {"media": [{"path": "media/w3.jpg", "media_type": "image/jpeg"}]}
        slots = {**slots, "complaint_duplicate_choice": "add"}
        _, events = run(ValidateComplaintForm(), tracker("", "inform", slots=slots, requested="complaint_description", metadata=media))
        assert events["complaint_photos"] == media["media"]

    def test_another_numbers_complaint_is_no_duplicate(self, database: str) -> None:
        _file(database, ward=12, phone="919800000002")
        candidates = {"complaint_category": "street_light", "ward": "12"}
        _, events = run(ValidateComplaintForm(), tracker("light kharab ward 12", "report_complaint", candidates=candidates))
        assert not events.get("complaint_duplicate_of")

    def test_the_summary_is_in_the_citizens_language(self) -> None:
        slots = {"complaint_category": "street_light", "ward": "12", "locality": "गांधी चौक", "complaint_description": "लाइट बंद है"}
        dispatcher, _ = run(ActionAskComplaintConfirmed(), tracker("", "inform", slots=slots, requested="complaint_confirmed"))
        (message,) = dispatcher.messages
        assert message["response"] == "utter_ask_complaint_confirmed"
        assert (message["category"], message["place"], message["photos"]) == ("स्ट्रीट लाइट", "वार्ड 12, गांधी चौक", 0)


FILLED = {
    "language": "bn",
    "complaint_category": "sewerage",
    "ward": "7",
    "complaint_landmark": "স্কুলের পাশে",
    "complaint_description": "নর্দমা উপচে পড়ছে",
    "complaint_confirmed": True,
    "complaint_photos": [{"path": "media/w2.jpg", "media_type": "image/jpeg", "caption": "নর্দমা"}],
}


class TestSubmitComplaint:
    def test_filed_with_reference_department_and_due_date_in_bengali(self, database: str) -> None:
        dispatcher, slots = run(ActionSubmitComplaint(), tracker("হ্যাঁ", "affirm", slots=FILLED, active_loop=""))
        (message,) = dispatcher.messages
        assert message["response"] == "utter_complaint_filed"
        assert message["department"] == "নিকাশি বিভাগ"
        assert any(month in message["due"] for month in ("জানুয়ারি", "নভেম্বর", "ডিসেম্বর")) or message["due"]
        assert slots["complaint_category"] is None and slots["complaint_photos"] == []
        with session_scope(database) as session:
            complaint = session.execute(select(Complaint).where(Complaint.reference == message["reference"])).scalar_one()
            assert (complaint.ward, complaint.language, complaint.landmark) == (7, "bn", "স্কুলের পাশে")
            assert [a.path for a in complaint.attachments] == ["media/w2.jpg"]
            assert complaint.citizen.phone == PHONE

    def test_the_pin_is_filed_with_the_complaint_and_shown_in_the_summary(self, database: str) -> None:
        slots = {**FILLED, "complaint_location": "29.961200,77.533300", "ward": "34"}
        summary, _ = run(ActionAskComplaintConfirmed(), tracker("", "share_location", slots=slots, requested="complaint_confirmed"))
        assert summary.messages[0]["place"].endswith("📍 লোকেশন পিন")
        dispatcher, slots = run(ActionSubmitComplaint(), tracker("হ্যাঁ", "affirm", slots=slots, active_loop=""))
        assert slots["complaint_location"] is None
        with session_scope(database) as session:
            complaint = session.execute(select(Complaint).where(Complaint.reference == dispatcher.messages[0]["reference"])).scalar_one()
            assert (complaint.ward, complaint.latitude, complaint.longitude) == (34, 29.9612, 77.5333)

    def test_a_retried_submit_files_once(self, database: str) -> None:
        same = tracker("হ্যাঁ", "affirm", slots=FILLED, active_loop="")
        first, _ = run(ActionSubmitComplaint(), same)
        second, _ = run(ActionSubmitComplaint(), same)
        assert first.messages[0]["reference"] == second.messages[0]["reference"]
        with session_scope(database) as session:
            assert session.execute(select(func.count(Complaint.id))).scalar_one() == 1

    def test_a_yes_after_a_lost_turn_files_the_same_complaint(self, database: str) -> None:
        """A rasa server killed after the complaint was filed but before the conversation was saved:
        the citizen's next "yes" (another message) finds the complaint the first one filed."""
        def confirming(message_id: str) -> Tracker:
            confirm = tracker("হ্যাঁ", "affirm", slots=FILLED, active_loop="")
            confirm.events[:0] = [{"event": "user", "text": "নর্দমা উপচে পড়ছে", "message_id": "wamid.OPEN"},
                                  {"event": "active_loop", "name": "complaint_form"}]
            confirm.events[-1]["message_id"] = confirm.latest_message["message_id"] = message_id
            return confirm

        first, _ = run(ActionSubmitComplaint(), confirming("wamid.YES1"))
        second, _ = run(ActionSubmitComplaint(), confirming("wamid.YES2"))
        assert first.messages[0]["reference"] == second.messages[0]["reference"]
        with session_scope(database) as session:
            assert session.execute(select(func.count(Complaint.id))).scalar_one() == 1
            assert session.execute(select(Complaint.submission_key)).scalar_one() == f"{PHONE}:form:wamid.OPEN"

    def test_a_database_failure_is_told_and_keeps_what_was_said(self, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-migrated.db'}")
        dispatcher, slots = run(ActionSubmitComplaint(), tracker("হ্যাঁ", "affirm", slots=FILLED, active_loop=""))
        assert responses(dispatcher) == ["utter_complaint_not_saved"]
        assert slots == {"complaint_confirmed": None}  # category, ward, description... are kept
        # ...and the summary comes back, so that "yes" tries again.
        assert followups(ActionSubmitComplaint(), tracker("হ্যাঁ", "affirm", slots=FILLED, active_loop="")) == ["complaint_form"]

    def test_adding_to_the_open_complaint(self, database: str) -> None:
        reference = _file(database, category="sewerage", ward=7)
        slots = {**FILLED, "complaint_duplicate_of": reference, "complaint_duplicate_choice": "add"}
        dispatcher, _ = run(ActionSubmitComplaint(), tracker("হ্যাঁ", "affirm", slots=slots, active_loop=""))
        assert dispatcher.messages[0]["response"] == "utter_complaint_added"
        with session_scope(database) as session:
            complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
            assert [n.text for n in complaint.notes] == ["নর্দমা উপচে পড়ছে"]
            assert session.execute(select(func.count(Complaint.id))).scalar_one() == 1


def _track(text: str, reference: Optional[str] = None, sender: str = PHONE):
    entities = [{"entity": "complaint_id", "value": reference, "text": reference}] if reference else []
    return run(ActionTrackComplaint(), tracker(text, "track_complaint", entities, sender=sender, active_loop=""))


class TestTracking:
    def test_status_history_and_due_date_for_the_owner(self, database: str) -> None:
        reference = _file(database)
        _move(database, reference, "assigned")
        dispatcher, slots = _track("status", reference.lower().replace("ng", "ng "))
        (message,) = dispatcher.messages
        assert message["response"] == "utter_complaint_status"
        assert message["reference"] == reference and message["status"] == "विभाग को सौंपी गई"
        assert "प्राप्त" in message["history"] and "(sent a team)" in message["history"]
        assert slots == {"review_reference": None}

    def test_someone_elses_reference_reveals_nothing(self, database: str) -> None:
        reference = _file(database)
        dispatcher, slots = _track("status", reference, sender="919800000002")
        (message,) = dispatcher.messages
        assert message["response"] == "utter_complaint_not_found"
        assert slots == {"review_reference": None}
        assert set(message) & {"status", "history", "category"} == set()

    def test_without_a_reference_the_last_three(self, database: str) -> None:
        references = [_file(database, category=c) for c in ("roads", "sanitation", "house_tax", "street_light")]
        dispatcher, _ = _track("meri shikayat")
        (message,) = dispatcher.messages
        assert message["response"] == "utter_complaint_list"
        assert [r for r in references if r in message["complaints"]] == references[1:]

    def test_no_complaints_yet(self) -> None:
        dispatcher, _ = _track("status", sender="919800000003")
        assert responses(dispatcher) == ["utter_no_complaints"]

    def test_a_resolved_complaint_is_offered_for_review(self, database: str) -> None:
        reference = _file(database)
        _move(database, reference, "assigned", "in_progress", "resolved")
        _, slots = _track("status", reference)
        assert slots == {"review_reference": reference}


class TestReview:
    def _resolved(self, database: str) -> str:
        reference = _file(database)
        _move(database, reference, "assigned", "in_progress", "resolved")
        return reference

    def _status(self, database: str, reference: str):
        with session_scope(database) as session:
            complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
            return complaint.status, complaint.rating, complaint.events[-1].note

    def test_fixed_and_rated_closes_it(self, database: str) -> None:
        reference = self._resolved(database)
        slots = {"review_reference": reference, "review_fixed": True, "review_rating": 4}
        dispatcher, events = run(ActionSubmitReview(), tracker("4", "inform", slots=slots, active_loop=""))
        assert responses(dispatcher) == ["utter_review_thanks"]
        assert self._status(database, reference) == ("closed", 4, "rated 4/5")
        assert events["review_reference"] is None

    def test_not_fixed_reopens_it_with_the_reason(self, database: str) -> None:
        reference = self._resolved(database)
        slots = {"review_reference": reference, "review_fixed": False, "review_reason": "अभी भी अंधेरा है"}
        dispatcher, _ = run(ActionSubmitReview(), tracker("अभी भी अंधेरा है", "inform", slots=slots, active_loop=""))
        assert responses(dispatcher) == ["utter_complaint_reopened"]
        assert self._status(database, reference) == ("reopened", None, "अभी भी अंधेरा है")

    def test_a_complaint_the_office_closed_meanwhile_is_not_changed(self, database: str) -> None:
        reference = self._resolved(database)
        _move(database, reference, "closed")
        slots = {"review_reference": reference, "review_fixed": False, "review_reason": "no"}
        dispatcher, _ = run(ActionSubmitReview(), tracker("no", "deny", slots=slots, active_loop=""))
        assert responses(dispatcher) == ["utter_review_not_possible"]
        assert self._status(database, reference)[0] == "closed"


def test_a_new_session_starts_in_the_language_remembered_for_the_number(database: str) -> None:
    _file(database)  # filed in Hindi
    fresh = Tracker(PHONE, {"language": None}, {}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, fresh, DOMAIN))
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["name"] == "language" and events[1]["value"] == "hi"
    unknown = Tracker("919800000009", {"language": None}, {}, [], False, None, {}, "action_listen")
    events = asyncio.run(ActionSessionStart().run(dispatcher, unknown, DOMAIN))
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_only_files_in_the_media_folder_are_attached() -> None:
    media = {"media": [{"path": "/etc/passwd", "media_type": "text/plain"}, {"path": "media/../nagarik.db"},
                       {"path": "media/919800000001/w3.jpg", "media_type": "image/jpeg"}]}
    _, events = run(ValidateComplaintForm(), tracker("", "inform", slots={"complaint_category": "roads"},
                                                     requested="ward", metadata=media))
    assert [p["path"] for p in events["complaint_photos"]] == ["media/919800000001/w3.jpg"]


def test_location_promised_in_words_explains_the_pin_and_a_bad_pin_keeps_a_good_one() -> None:
    slots = {"complaint_category": "roads"}
    dispatcher, events = run(ValidateComplaintForm(), tracker("sending my location", "share_location", slots=slots, requested="ward"))
    assert responses(dispatcher) == ["utter_how_to_share_location"]
    assert "locality" not in events and events["requested_slot"] == "ward"
    far = [{"entity": "latitude", "value": "28.6139"}, {"entity": "longitude", "value": "77.2090"}]
    good = {"complaint_category": "roads", "ward": "34", "complaint_location": "29.961200,77.533300"}
    dispatcher, events = run(ValidateComplaintForm(), tracker("/share_location", "share_location", far, slots=good,
                                                              requested="complaint_description"))
    assert responses(dispatcher) == ["utter_location_outside_city"]
    assert events["complaint_location"] == "29.961200,77.533300" and events.get("ward", "34") == "34"
