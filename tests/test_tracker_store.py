"""stores.sql.ThreadedSQLTrackerStore: the same rows as Rasa's SQLTrackerStore, written and read off the event loop."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Iterator, List, Tuple

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conftest import POSTGRES, REPO
from stores.sql import ThreadedSQLTrackerStore, _finish


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def _store_settings(backend: str, tmp_path) -> dict:
    if backend == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "events.db")}
    url = make_url(POSTGRES)
    return {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database, "username": url.username}


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path) -> Iterator[dict]:
    yield _store_settings(request.param, tmp_path)


@pytest.fixture
def sender(settings: dict) -> Iterator[str]:
    sender_id = f"test-{uuid.uuid4().hex[:12]}"
    yield sender_id
    if settings["dialect"] == "postgresql":  # the shared test database keeps no rows of ours
        engine = create_engine(POSTGRES)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id})
        engine.dispose()


def _conversation(sender: str, domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("नमस्ते", {"name": "greet", "confidence": 0.98}),
        SlotSet("language", "hi"),
        ActionExecuted("utter_greet"),
    ], domain.slots)
    return tracker


def _shapes(tracker: DialogueStateTracker) -> List[Tuple[str, str]]:
    return [(event.type_name, getattr(event, "text", None) or getattr(event, "action_name", None) or str(getattr(event, "value", "")))
            for event in tracker.events]


def test_saved_conversation_reads_back_the_same_in_both_stores(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    tracker = _conversation(sender, domain)
    asyncio.run(store.save(tracker))
    # The next message, as Rasa handles it: the tracker read back, one event more, saved again.
    tracker = asyncio.run(store.retrieve(sender))
    tracker.update(UserUttered("पानी नहीं आ रहा", {"name": "report_complaint", "confidence": 0.9}))
    asyncio.run(store.save(tracker))

    threaded = asyncio.run(store.retrieve(sender))
    rasa_own = asyncio.run(SQLTrackerStore(domain, **settings).retrieve(sender))
    assert _shapes(threaded) == _shapes(rasa_own) == _shapes(tracker)
    assert [name for name, _ in _shapes(threaded)] == ["session_started", "action", "user", "slot", "action", "user"]
    assert threaded.get_slot("language") == "hi"
    assert threaded.latest_message.text == "पानी नहीं आ रहा"


def test_queries_run_outside_the_event_loop_thread(settings: dict, sender: str, domain: Domain, monkeypatch) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    threads = set()
    query = store._event_query

    def recording(*args, **kwargs):
        threads.add(threading.get_ident())
        return query(*args, **kwargs)

    monkeypatch.setattr(store, "_event_query", recording)

    async def save_and_load() -> int:
        await store.save(_conversation(sender, domain))
        await store.retrieve(sender)
        return threading.get_ident()

    loop_thread = asyncio.run(save_and_load())
    assert threads and loop_thread not in threads


def test_an_unknown_sender_has_no_tracker(settings: dict, domain: Domain) -> None:
    assert asyncio.run(ThreadedSQLTrackerStore(domain, **settings).retrieve(f"nobody-{uuid.uuid4().hex}")) is None


def test_a_coroutine_that_suspends_is_refused() -> None:
    async def suspends() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="await"):
        _finish(suspends())
