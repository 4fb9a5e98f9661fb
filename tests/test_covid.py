"""District COVID-19 figures: feed formats, a real local HTTP feed that misbehaves, fallbacks, bulletins."""

from __future__ import annotations

import asyncio
import re
import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import covid as covid_action
from nagarik.cli import main as cli
from nagarik.cache import TTLCache
from nagarik.covid import FeedError, FeedSettings, fetch_figures, indian_grouping, parse_feed
from nagarik.db.covid import current_figures
from nagarik.settings import city_settings

STATE, DISTRICT = "Uttar Pradesh", "Saharanpur"
COVID19INDIA = {
    "Uttar Pradesh": {
        "districtData": {
            "Saharanpur": {"active": 120, "confirmed": 123456, "deceased": 336, "recovered": 123000,
                           "delta": {"confirmed": 14, "deceased": 0, "recovered": 9}},
            "Meerut": {"active": 1, "confirmed": 2, "deceased": 0, "recovered": 1, "delta": {}},
        },
        "statecode": "UP",
    }
}
V1 = {
    "format": "nagarik-covid-v1",
    "as_of": "2026-11-20",
    "districts": [{"state": STATE, "district": DISTRICT, "confirmed": 10, "active": 2, "recovered": 8, "deceased": 0,
                   "new_confirmed": 1}],
}


class Feed(BaseHTTPRequestHandler):
    """Serves /good, /v1, /slow, /error, /malformed, /missing and counts the requests per path."""

    hits: Dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Feed.hits[self.path] = Feed.hits.get(self.path, 0) + 1
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/error":
            self.send_response(500)
            self.end_headers()
            return
        body = {
            "/good": json.dumps(COVID19INDIA),
            "/v1": json.dumps(V1),
            "/slow": json.dumps(COVID19INDIA),
            "/malformed": '{"Uttar Pradesh": {"districtData": ',
            "/missing": json.dumps({"Uttar Pradesh": {"districtData": {"Meerut": COVID19INDIA[STATE]["districtData"]["Meerut"]}}}),
        }.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def feed() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    Feed.hits.clear()
    covid_action._CACHE.clear()
    city_settings.cache_clear()
    yield
    city_settings.cache_clear()


def settings(url: str = None) -> FeedSettings:
    return FeedSettings(url=url, state=STATE, district=DISTRICT, cache_seconds=600)


class TestFormats:
    def test_covid19india_district_wise(self) -> None:
        fetched = datetime(2026, 11, 22, tzinfo=timezone.utc)
        figures = parse_feed(COVID19INDIA, "uttar pradesh", "SAHARANPUR ", fetched)
        assert (figures.confirmed, figures.active, figures.recovered, figures.deceased) == (123456, 120, 123000, 336)
        assert figures.new_confirmed == 14 and figures.as_of == fetched

    def test_the_projects_own_format(self) -> None:
        figures = parse_feed(V1, STATE, DISTRICT)
        assert figures.as_of == datetime(2026, 11, 20, tzinfo=timezone.utc) and figures.new_confirmed == 1

    @pytest.mark.parametrize(
        "data, message",
        [
            ([], "not a JSON object"),
            ({"Bihar": {}}, "state"),
            ({STATE: {"districtData": {}}}, "district"),
            ({STATE: {"districtData": {DISTRICT: {"confirmed": -1, "active": 0, "recovered": 0, "deceased": 0}}}}, "not a count"),
            ({STATE: {"districtData": {DISTRICT: {"confirmed": "12", "active": 0, "recovered": 0, "deceased": 0}}}}, "not a count"),
            ({**V1, "as_of": "yesterday"}, "not a date"),
        ],
    )
    def test_unusable_data_is_refused(self, data, message: str) -> None:
        with pytest.raises(FeedError, match=message):
            parse_feed(data, STATE, DISTRICT)


class TestFetching:
    def test_a_good_feed(self, feed: str) -> None:
        assert fetch_figures(f"{feed}/good", STATE, DISTRICT).confirmed == 123456

    def test_server_errors_are_retried_then_given_up(self, feed: str) -> None:
        with pytest.raises(FeedError, match="500"):
            fetch_figures(f"{feed}/error", STATE, DISTRICT, retries=2, backoff=0.01)
        assert Feed.hits["/error"] == 3

    def test_a_slow_feed_times_out(self, feed: str) -> None:
        started = time.monotonic()
        with pytest.raises(FeedError, match="did not answer"):
            fetch_figures(f"{feed}/slow", STATE, DISTRICT, timeout=0.3, retries=1, backoff=0.01)
        assert time.monotonic() - started < 1.4  # two short timeouts, not the server's 1.5 s each

    @pytest.mark.parametrize("path, message", [("/malformed", "not valid JSON"), ("/missing", "district"), ("/nothing", "404")])
    def test_malformed_or_incomplete_feeds_are_not_retried(self, feed: str, path: str, message: str) -> None:
        with pytest.raises(FeedError, match=message):
            fetch_figures(f"{feed}{path}", STATE, DISTRICT, backoff=0.01)
        assert Feed.hits[path] == 1

    def test_the_cache_spares_the_feed(self, feed: str, db_url: str) -> None:
        cache = TTLCache(seconds=600)
        for _ in range(3):
            assert current_figures(settings(f"{feed}/good"), cache, db_url).confirmed == 123456
        assert Feed.hits["/good"] == 1

    def test_the_cache_expires(self) -> None:
        now = [0.0]
        cache = TTLCache(seconds=10, clock=lambda: now[0])
        figures = parse_feed(V1, STATE, DISTRICT)
        cache.put(("u", STATE, DISTRICT), figures)
        now[0] = 9.9
        assert cache.get(("u", STATE, DISTRICT)) == figures
        now[0] = 10.1
        assert cache.get(("u", STATE, DISTRICT)) is None


class TestFallbacks:
    def test_a_broken_feed_falls_back_to_the_last_good_figures_with_their_date(self, feed: str, db_url: str) -> None:
        good = current_figures(settings(f"{feed}/v1"), TTLCache(600), db_url)
        fallback = current_figures(settings(f"{feed}/error"), TTLCache(600), db_url)
        assert fallback.confirmed == good.confirmed and fallback.as_of == good.as_of

    def test_no_feed_uses_the_officers_bulletin(self, db_url: str) -> None:
        code = cli(["--database", db_url, "covid", "publish", "--confirmed", "50", "--active", "5", "--recovered", "44",
                    "--deceased", "1", "--new", "2", "--as-of", "2026-11-21", "--by", "CMO office"])
        assert code == 0
        figures = current_figures(settings(None), TTLCache(600), db_url)
        assert (figures.confirmed, figures.source, figures.as_of.date().isoformat()) == (50, "bulletin", "2026-11-21")

    def test_nothing_known_is_none(self, feed: str, db_url: str) -> None:
        assert current_figures(settings(f"{feed}/malformed"), TTLCache(600), db_url) is None
        assert current_figures(settings(None), TTLCache(600), db_url) is None


def _run_action(language: str) -> Tuple[str, dict]:
    tracker = Tracker("919800000001", {"language": language}, {"text": "cases today"}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(covid_action.ActionCovidUpdate().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    return message["response"], message


def test_the_action_formats_figures_indian_style(feed: str, db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COVID_FEED_URL", f"{feed}/good")
    response, message = _run_action("hi")
    assert response == "utter_covid_figures"
    assert (message["confirmed"], message["recovered"], message["new"], message["district"]) == ("1,23,456", "1,23,000", "14", DISTRICT)


def test_the_action_never_invents_numbers(feed: str, db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COVID_FEED_URL", f"{feed}/malformed")
    monkeypatch.setenv("NAGARIK_HELPLINE_PHONE", "0132-2700000")
    response, message = _run_action("bn")
    assert response == "utter_covid_figures_unknown" and message["helpline_phone"] == "0132-2700000"


@pytest.mark.parametrize("number, text", [(0, "0"), (999, "999"), (1000, "1,000"), (123456, "1,23,456"), (12345678, "1,23,45,678")])
def test_indian_grouping(number: int, text: str) -> None:
    assert indian_grouping(number) == text


def test_cli_show_and_refusals(db_url: str, capsys) -> None:
    assert cli(["--database", db_url, "covid", "show"]) == 1
    assert cli(["--database", db_url, "covid", "publish", "--confirmed", "1", "--active", "1", "--recovered", "0",
                "--deceased", "0", "--as-of", "21/11/2026"]) == 1
    assert "not a date" in capsys.readouterr().err
    cli(["--database", db_url, "covid", "publish", "--confirmed", "7", "--active", "1", "--recovered", "6", "--deceased", "0"])
    capsys.readouterr()
    assert cli(["--database", db_url, "covid", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["confirmed"] == 7


def _faq(language: str, selected: dict) -> list:
    message = {"text": "where to get vaccinated", "response_selector": selected}
    tracker = Tracker("919800000001", {"language": language}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(covid_action.ActionCovidFaq().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_faq_answers_carry_the_citys_own_centres_and_ambulance() -> None:
    selected = {"covid_faq": {"response": {"utter_action": "utter_covid_faq/vaccination"}}}
    (message,) = _faq("bn", selected)
    places = city_settings().covid_places
    assert message["response"] == "utter_covid_faq/vaccination"
    assert message["vaccination_centres"] == places.vaccination_centres["bn"] and message["ambulance"] == places.ambulance


def test_faq_without_a_selected_answer_asks_to_rephrase() -> None:
    assert [m["response"] for m in _faq("hi", {})] == ["utter_ask_rephrase"]


def test_every_covid_answer_placeholder_is_filled_by_the_action(domain) -> None:
    filled = {"ambulance", "vaccination_centres", "testing_centres"}
    used = set()
    for name, variations in domain.responses.items():
        if name.startswith("utter_covid_faq/"):
            for variation in variations:
                placeholders = set(re.findall(r"{(\w+)}", variation["text"]))
                assert placeholders <= filled, (name, placeholders - filled)
                used |= placeholders
    assert used == filled  # and each city fact is used somewhere
