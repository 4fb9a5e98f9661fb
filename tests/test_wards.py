"""The city's wards: file validation, finding a ward by number or place name, the answer and the CLI."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.wards import ActionWardInfo
from nagarik.cli import main as cli
from nagarik.settings import ConfigError
from nagarik.wards import DEFAULT_WARDS_FILE, city_wards, find_ward, parse_wards

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
    assert slots == {"ward_info_asked": None}


def test_no_ward_named_asks_which_then_the_answer_is_taken() -> None:
    messages, slots = _ask("আমাদের ওয়ার্ডের কাউন্সিলর কে")
    assert [m["response"] for m in messages] == ["utter_ask_which_ward"] and slots == {"ward_info_asked": True}
    messages, slots = _ask("শাস্ত্রী নগর", intent="inform", slots={"ward_info_asked": True})
    assert messages[0]["response"] == "utter_ward_info" and messages[0]["number"] == "2"
    assert slots == {"ward_info_asked": None}


def test_a_ward_that_does_not_exist() -> None:
    messages, _ = _ask("ward 99", intent="inform", entities=[{"entity": "ward", "value": "99"}], slots={"ward_info_asked": True})
    assert messages[0]["response"] == "utter_ward_not_found" and messages[0]["ward_count"] == 70


def test_asked_in_the_middle_of_a_complaint_it_never_holds_the_conversation() -> None:
    messages, slots = _ask("who is my councillor", loop="complaint_form")
    assert [m["response"] for m in messages] == ["utter_ward_not_found"] and slots == {}


def test_cli_wards_show_and_check(capsys, tmp_path) -> None:
    assert cli(["wards", "show", "3", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["number"] == 3 and record["councillor"]["en"] and record["name"]["bn"] == "কালীবাড়ি পাড়া"
    assert cli(["wards", "show", "71"]) == 1
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
