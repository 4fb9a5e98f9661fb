"""The city's wards: file validation, finding a ward by number, place name or pin, the answer, loading them
into the database, following a ward's notices, and the CLI."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.wards import ActionSubscribeNotices, ActionUnsubscribeNotices, ActionWardInfo
from nagarik.cli import main as cli
from nagarik.db.wards import subscribed_wards
from nagarik.settings import ConfigError
from nagarik.wards import DEFAULT_WARDS_FILE, city_wards, contains, find_ward, parse_wards, ward_at

RAW = yaml.safe_load(DEFAULT_WARDS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_shared_database(tmp_path, monkeypatch) -> None:
    """Tests that do not ask for `db_url` must not touch the repository's nagarik.db."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")


def test_the_sample_city_has_70_valid_wards() -> None:
    wards = city_wards()
    assert [w.number for w in wards] == list(range(1, 71))
    assert all(w.councillor["hi"] and w.office_phone and w.localities for w in wards)
    assert RAW["sample"] is True


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.update(wards=[]), "non-empty list"),
        (lambda raw: raw["wards"][1].update(number=1), "ward 1 is listed twice"),
        (lambda raw: raw["wards"][0].update(number="one"), "whole number"),
        (lambda raw: raw["wards"][4]["councillor"].pop("bn"), "ward 5 councillor needs a text in each"),
        (lambda raw: raw["wards"][6]["office"].pop("phone"), "ward 7 office phone is missing"),
        (lambda raw: raw["wards"][9]["localities"].append(dict(raw["wards"][0]["localities"][0])), "already in ward 1"),
    ],
)
def test_bad_ward_files_are_refused_with_the_ward_and_field(change, message: str) -> None:
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(ConfigError, match=message):
        parse_wards(raw)


@pytest.mark.parametrize(
    "text, number",
    [
        ("12", 12), ("ward no 12", 12), ("बारह", 12), ("১২", 12), ("baarah", 12),
        ("Kali Bari Para", 3), ("kalibari para", 3), ("কালীবাড়ি পাড়া", 3), ("काली बाड़ी पाड़ा", 3),
        ("shastri nagr", 2), ("शास्त्री नगर", 2), ("who is the councillor of civil lines", 1),
    ],
)
def test_a_ward_is_found_by_number_or_place_in_any_script(text: str, number: int) -> None:
    assert find_ward(city_wards(), text).ward.number == number


def test_unknown_places_get_suggestions_and_unknown_numbers_nothing() -> None:
    match = find_ward(city_wards(), "shastri")
    assert match.ward is None and 2 in [w.number for w in match.suggestions]
    assert find_ward(city_wards(), "71").ward is None
    assert find_ward(city_wards(), "qqqqqq").suggestions == ()


def _ask(text: str, intent: str = "ward_info", entities: Optional[List[Dict[str, Any]]] = None,
         slots: Optional[Dict[str, Any]] = None, loop: str = ""):
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    tracker = Tracker("919800000001", {"language": "bn", **(slots or {})}, message, [], False, None,
                      {"name": loop} if loop else {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionWardInfo().run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_answer_has_councillor_office_phone_committee_in_the_language() -> None:
    messages, slots = _ask("৩ নম্বর ওয়ার্ডের কাউন্সিলর কে", entities=[{"entity": "ward", "value": "3"}])
    (message,) = messages
    assert message["response"] == "utter_ward_info"
    assert (message["number"], message["name"], message["phone"]) == ("3", "কালীবাড়ি পাড়া", "0000-100003")
    assert message["councillor"] == city_wards()[2].councillor["bn"] and message["committee"].count("•") == 3
    assert slots == {"ward_info_asked": None, "notice_ward": "3"}


def test_no_ward_named_asks_which_then_the_answer_is_taken() -> None:
    messages, slots = _ask("আমাদের ওয়ার্ডের কাউন্সিলর কে")
    assert [m["response"] for m in messages] == ["utter_ask_which_ward"] and slots == {"ward_info_asked": True}
    messages, slots = _ask("শাস্ত্রী নগর", intent="inform", slots={"ward_info_asked": True})
    assert messages[0]["response"] == "utter_ward_info" and messages[0]["number"] == "2"
    assert slots == {"ward_info_asked": None, "notice_ward": "2"}


def test_a_ward_that_does_not_exist() -> None:
    messages, _ = _ask("ward 99", intent="inform", entities=[{"entity": "ward", "value": "99"}], slots={"ward_info_asked": True})
    assert messages[0]["response"] == "utter_ward_not_found" and messages[0]["ward_count"] == 70


def test_asked_in_the_middle_of_a_complaint_it_never_holds_the_conversation() -> None:
    messages, slots = _ask("who is my councillor", loop="complaint_form")
    assert [m["response"] for m in messages] == ["utter_ward_not_found"] and slots == {}


def test_cli_wards_show_and_check(capsys, tmp_path) -> None:
    assert cli(["wards", "show", "3", "--json", "--file", str(DEFAULT_WARDS_FILE)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["number"] == 3 and record["councillor"]["en"] and record["name"]["bn"] == "কালীবাড়ি পাড়া"
    assert cli(["wards", "show", "71", "--file", str(DEFAULT_WARDS_FILE)]) == 1
    bad = tmp_path / "wards.yml"
    bad.write_text("wards: [{number: 1}]\n", encoding="utf-8")
    assert cli(["wards", "check", "--file", str(bad)]) == 1
    assert "ward 1 office phone is missing" in capsys.readouterr().err
    assert cli(["wards", "check"]) == 0


def test_notices_are_published_per_language_and_shown_newest_first(db_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    base = ["--database", db_url, "notices", "publish", "--ward", "3", "--by", "JE Jalkal"]
    assert cli(base + ["--en", "Water off on 25 Nov", "--hi", "25 नवंबर को पानी बंद", "--bn", "২৫ নভেম্বর জল বন্ধ"]) == 0
    assert cli(base + ["--text", "Fogging on Sunday / रविवार को फॉगिंग / রবিবার ফগিং"]) == 0
    assert cli(["--database", db_url, "notices", "publish", "--ward", "99", "--text", "x"]) == 1
    assert cli(["--database", db_url, "notices", "publish", "--ward", "3"]) == 1
    assert "needs some text" in capsys.readouterr().err
    messages, _ = _ask("৩ নম্বর ওয়ার্ড", entities=[{"entity": "ward", "value": "3"}])
    notices = messages[0]["notices"].splitlines()
    assert "Fogging on Sunday" in notices[0] and "২৫ নভেম্বর জল বন্ধ" in notices[1]
    assert cli(["--database", db_url, "notices", "list", "--ward", "3", "--json"]) == 0
    assert [n["by"] for n in json.loads(capsys.readouterr().out)] == ["JE Jalkal", "JE Jalkal"]


def test_a_ward_without_notices_says_so_in_the_language(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    messages, _ = _ask("ওয়ার্ড ৫", entities=[{"entity": "ward", "value": "5"}])
    assert messages[0]["notices"] == "এই মুহূর্তে কোনো বিজ্ঞপ্তি নেই"


def test_suggestions_asked_in_the_middle_of_a_complaint_leave_no_pending_question() -> None:
    messages, slots = _ask("shastri", loop="complaint_form")
    assert [m["response"] for m in messages] == ["utter_ward_suggestions"] and slots == {}


# Boundaries and location pins.

def _square(west: float, south: float, size: float) -> List[List[float]]:
    return [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]


@pytest.mark.parametrize(
    "boundary, message",
    [
        ({"type": "Point", "coordinates": [77.5, 29.9]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[77.5, 29.9], [77.6, 29.9], [77.6, 30.0]]]}, "at least 4 positions"),
        ({"type": "Polygon", "coordinates": [[[77.5, 29.9], [77.6, 29.9], [77.6, 30.0], [77.5, 30.1]]]}, "equal to the first"),
        ({"type": "Polygon", "coordinates": [_square(29.9, 277.5, 0.1)]}, "longitude, latitude"),
        ({"type": "Polygon", "coordinates": [[["77.5", 29.9]] * 4]}, "longitude, latitude"),
    ],
)
def test_bad_boundaries_are_refused_with_the_ward(boundary, message: str) -> None:
    raw = copy.deepcopy(RAW)
    raw["wards"][3]["boundary"] = boundary
    with pytest.raises(ConfigError, match=f"ward 4 boundary.*{message}"):
        parse_wards(raw)


def test_point_in_polygon_respects_holes_and_multipolygons() -> None:
    donut = {"type": "Polygon", "coordinates": [_square(0, 0, 10), _square(4, 4, 2)]}
    assert contains(donut, latitude=1, longitude=1)
    assert not contains(donut, latitude=5, longitude=5)  # in the hole
    assert not contains(donut, latitude=11, longitude=5)
    islands = {"type": "MultiPolygon", "coordinates": [[_square(0, 0, 1)], [_square(5, 5, 1)]]}
    assert contains(islands, latitude=5.5, longitude=5.5) and not contains(islands, latitude=3, longitude=3)
    triangle = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [0, 4], [0, 0]]]}}
    assert contains(triangle, latitude=1, longitude=1) and not contains(triangle, latitude=3, longitude=3)


@pytest.mark.parametrize(
    "latitude, longitude, number",
    [(29.935, 77.505, 1), (29.935, 77.595, 10), (29.945, 77.505, 11), (29.9955, 77.5951, 70), (29.9612, 77.5333, 34)],
)
def test_a_pin_finds_its_ward_in_the_sample_boundaries(latitude: float, longitude: float, number: int) -> None:
    assert ward_at(city_wards(), latitude, longitude).number == number


def test_a_pin_outside_the_city_finds_no_ward() -> None:
    assert ward_at(city_wards(), 28.6139, 77.2090) is None  # New Delhi
    assert ward_at(city_wards(), 29.929, 77.505) is None  # just south of ward 1


def _pin(latitude: float, longitude: float) -> List[Dict[str, Any]]:
    return [{"entity": "latitude", "value": str(latitude)}, {"entity": "longitude", "value": str(longitude)}]


def test_a_location_pin_answers_with_its_ward() -> None:
    text = '/share_location{"latitude": 29.9612, "longitude": 77.5333}'
    messages, slots = _ask(text, intent="share_location", entities=_pin(29.9612, 77.5333))
    assert messages[0]["response"] == "utter_ward_info" and messages[0]["number"] == "34"
    assert slots == {"ward_info_asked": None, "notice_ward": "34"}


def test_a_pin_outside_the_city_and_location_promised_in_words() -> None:
    messages, slots = _ask("/share_location", intent="share_location", entities=_pin(28.6139, 77.2090))
    assert [m["response"] for m in messages] == ["utter_location_outside_city"] and slots == {"ward_info_asked": None}
    messages, slots = _ask("আমার লোকেশন দেখে বলুন", intent="share_location")
    assert [m["response"] for m in messages] == ["utter_how_to_share_location"] and slots == {"ward_info_asked": True}


def test_the_answer_offers_the_wards_notices_with_a_button(domain) -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.slots import CategoricalSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("x", [CategoricalSlot("language", [], initial_value="hi", values=["en", "hi", "bn"])])
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    message = asyncio.run(nlg.generate("utter_ward_info", tracker, "rest", number="34", name="n", councillor="c",
                                       office="o", phone="p", committee="-", localities="-", notices="-"))
    assert message["buttons"][0]["payload"] == '/subscribe_notices{"ward": "34"}'
    assert message["text"].startswith("वार्ड 34")


# The wards the assistant answers from: those `nagarik city load` stored.

def test_city_load_stores_the_wards_and_the_assistant_uses_them(db_url: str, monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    renamed = copy.deepcopy(RAW)
    renamed["wards"][2]["councillor"] = {"en": "New Councillor", "hi": "नई पार्षद", "bn": "নতুন কাউন্সিলর"}
    wards_file = tmp_path / "wards.yml"
    wards_file.write_text(yaml.safe_dump(renamed, allow_unicode=True), encoding="utf-8")
    assert cli(["--database", db_url, "city", "load", str(wards_file)]) == 0
    assert "loaded 70 wards (70 with boundaries)" in capsys.readouterr().out
    messages, _ = _ask("ward 3", entities=[{"entity": "ward", "value": "3"}])
    assert messages[0]["councillor"] == "নতুন কাউন্সিলর"
    assert cli(["--database", db_url, "wards", "show", "3", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["councillor"]["en"] == "New Councillor" and record["boundary"]["type"] == "Polygon"


def test_a_bad_wards_file_changes_nothing(db_url: str, capsys, tmp_path) -> None:
    broken = copy.deepcopy(RAW)
    broken["wards"][0]["councillor"] = {"en": "Someone Else", "hi": "x", "bn": "x"}
    broken["wards"][69]["boundary"] = {"type": "Polygon", "coordinates": [[[77.5, 29.9]]]}
    wards_file = tmp_path / "wards.yml"
    wards_file.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    assert cli(["--database", db_url, "city", "load", str(wards_file)]) == 1
    assert "ward 70 boundary" in capsys.readouterr().err
    assert cli(["--database", db_url, "wards", "show", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["councillor"]["en"] == RAW["wards"][0]["councillor"]["en"]


def test_the_city_file_loads_its_own_wards_file(db_url: str, capsys) -> None:
    assert cli(["--database", db_url, "city", "load", str(DEFAULT_WARDS_FILE.parent / "sample-city.yml")]) == 0
    out = capsys.readouterr().out
    assert "departments and categories" in out and f"70 wards (70 with boundaries) from {DEFAULT_WARDS_FILE}" in out


def test_without_loaded_wards_the_assistant_answers_from_the_file(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    from nagarik.db.session import session_scope
    from nagarik.db.wards import replace_wards

    with session_scope(db_url) as session:
        replace_wards(session, [])
    messages, _ = _ask("ward 3", entities=[{"entity": "ward", "value": "3"}])
    assert messages[0]["councillor"] == city_wards()[2].councillor["bn"]


# Following a ward's notices.

def _act(action, text: str, intent: str, entities=None, slots=None, loop: str = "", sender: str = "919800000002"):
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    tracker = Tracker(sender, {"language": "hi", **(slots or {})}, message, [], False, None,
                      {"name": loop} if loop else {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return [m["response"] for m in dispatcher.messages], dispatcher.messages, {
        e["name"]: e["value"] for e in events if e["event"] == "slot"
    }


def test_subscribe_by_number_then_again_then_stop(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    ward_12 = [{"entity": "ward", "value": "12"}]
    responses, messages, slots = _act(ActionSubscribeNotices(), "वार्ड 12 की सूचनाएँ भेजते रहना", "subscribe_notices", ward_12)
    assert responses == ["utter_subscribed"] and messages[0]["number"] == "12"
    assert slots == {"subscribe_asked": None, "notice_ward": "12"}
    responses, _, _ = _act(ActionSubscribeNotices(), "ward 12 subscribe", "subscribe_notices", ward_12)
    assert responses == ["utter_already_subscribed"]
    assert cli(["--database", db_url, "wards", "subscribers", "12"]) == 0
    responses, messages, _ = _act(ActionUnsubscribeNotices(), "सूचनाएँ बंद करो", "unsubscribe_notices")
    assert responses == ["utter_unsubscribed"] and messages[0]["wards"] == "12"
    responses, _, _ = _act(ActionUnsubscribeNotices(), "सूचनाएँ बंद करो", "unsubscribe_notices")
    assert responses == ["utter_not_subscribed"]
    responses, _, _ = _act(ActionSubscribeNotices(), "फिर से वार्ड 12", "subscribe_notices", ward_12)
    assert responses == ["utter_subscribed"]  # subscribing again after stopping works


def test_subscribe_to_the_ward_just_shown_or_ask_which(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    responses, messages, _ = _act(ActionSubscribeNotices(), "इसकी सूचनाएँ भेजना", "subscribe_notices", slots={"notice_ward": "34"})
    assert responses == ["utter_subscribed"] and messages[0]["number"] == "34"
    responses, _, slots = _act(ActionSubscribeNotices(), "सूचनाएँ भेजना", "subscribe_notices", sender="919800000003")
    assert responses == ["utter_ask_notice_ward"] and slots == {"subscribe_asked": True}
    responses, messages, slots = _act(ActionSubscribeNotices(), "/share_location", "share_location", _pin(29.935, 77.505),
                                      slots={"subscribe_asked": True}, sender="919800000003")
    assert responses == ["utter_subscribed"] and messages[0]["number"] == "1" and slots["subscribe_asked"] is None


def test_stop_one_ward_keeps_the_others(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    for number in ("3", "5"):
        _act(ActionSubscribeNotices(), f"ward {number}", "subscribe_notices", [{"entity": "ward", "value": number}])
    responses, messages, _ = _act(ActionUnsubscribeNotices(), "stop ward 5 notices", "unsubscribe_notices",
                                  [{"entity": "ward", "value": "5"}])
    assert responses == ["utter_unsubscribed"] and messages[0]["wards"] == "5"
    from nagarik.db.session import session_scope

    with session_scope(db_url) as session:
        assert subscribed_wards(session, "919800000002") == [3]


def test_a_published_notice_is_queued_for_subscribers_in_their_language(db_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    _act(ActionSubscribeNotices(), "ward 3", "subscribe_notices", [{"entity": "ward", "value": "3"}], sender="91980000000a")
    _act(ActionSubscribeNotices(), "ward 3", "subscribe_notices", [{"entity": "ward", "value": "3"}],
         slots={"language": "bn"}, sender="91980000000b")
    _act(ActionSubscribeNotices(), "ward 3", "subscribe_notices", [{"entity": "ward", "value": "3"}], sender="91980000000c")
    _act(ActionUnsubscribeNotices(), "stop", "unsubscribe_notices", sender="91980000000c")
    assert cli(["--database", db_url, "notices", "publish", "--ward", "3", "--en", "Water off", "--hi", "पानी बंद",
                "--bn", "জল বন্ধ"]) == 0
    assert "queued for 2 subscriber(s)" in capsys.readouterr().out
    from sqlalchemy import select

    from nagarik.db.models import Notification
    from nagarik.db.session import session_scope

    with session_scope(db_url) as session:
        queued = sorted((n.citizen.phone, n.kind, n.language, n.payload["text"])
                        for n in session.execute(select(Notification)).scalars())
    assert queued == [("91980000000a", "ward_notice", "hi", "पानी बंद"), ("91980000000b", "ward_notice", "bn", "জল বন্ধ")]


def test_a_database_failure_is_said_and_changes_nothing(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    responses, _, slots = _act(ActionSubscribeNotices(), "ward 3", "subscribe_notices", [{"entity": "ward", "value": "3"}])
    assert responses == ["utter_subscription_failed"]


def test_subscribe_while_filing_a_complaint_never_holds_the_conversation(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    responses, messages, slots = _act(ActionSubscribeNotices(), "इस वार्ड की सूचनाएँ भी भेजना", "subscribe_notices",
                                      slots={"ward": "7"}, loop="complaint_form")
    assert responses == ["utter_subscribed"] and messages[0]["number"] == "7" and slots == {}
    responses, _, slots = _act(ActionSubscribeNotices(), "सूचनाएँ भी भेजना", "subscribe_notices", loop="complaint_form",
                               sender="919800000009")
    assert responses == ["utter_subscribe_after_complaint"] and slots == {}
