"""stores.sql.ThreadedSQLTrackerStore: the same rows as Rasa's SQLTrackerStore, written and read off the event loop."""

from __future__ import annotations

import asyncio
import copy
import threading
import uuid
from typing import Iterator, List, Tuple

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import bindparam as sa_bindparam, create_engine, text
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


# Conversations kept between messages: handed back while the table has nothing newer.

def _counting_event_reads(store: ThreadedSQLTrackerStore, monkeypatch) -> List[str]:
    reads: List[str] = []
    query = store._event_query

    def recording(session, sender_id, fetch_events_from_all_sessions):
        reads.append(sender_id)
        return query(session, sender_id, fetch_events_from_all_sessions)

    monkeypatch.setattr(store, "_event_query", recording)
    return reads


def _next_message(store: ThreadedSQLTrackerStore, sender: str, text_: str) -> DialogueStateTracker:
    """What Rasa does with each message: the tracker retrieved, events added, saved."""
    tracker = asyncio.run(store.retrieve(sender))
    tracker.update(UserUttered(text_, {"name": "report_complaint", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    return tracker


def _second_session(sender: str, domain: Domain) -> DialogueStateTracker:
    # As read back from the table: the session's events only (its action_session_start is older).
    return DialogueStateTracker.from_events(sender, list(_conversation(sender, domain).events)[1:], domain.slots)


def test_a_saved_conversation_is_handed_back_without_reading_its_events(settings: dict, sender: str, domain: Domain, monkeypatch) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    reads = _counting_event_reads(store, monkeypatch)
    asyncio.run(store.save(_second_session(sender, domain)))
    first = _next_message(store, sender, "पानी नहीं आ रहा")
    second = _next_message(store, sender, "वार्ड 12")
    # Counted for the first save (a tracker the store did not hand out), read for the first
    # message, and neither for the second.
    assert second is first and reads == [sender, sender]
    rasa_own = asyncio.run(SQLTrackerStore(domain, **settings).retrieve(sender))
    assert _shapes(rasa_own) == _shapes(second)
    assert [name for name, _ in _shapes(rasa_own)][-4:] == ["user", "action", "user", "action"]


def test_rows_are_the_ones_rasa_writes(settings: dict, sender: str, domain: Domain) -> None:
    ours, theirs = ThreadedSQLTrackerStore(domain, **settings), SQLTrackerStore(domain, **settings)
    other = f"{sender}-rasa"
    try:
        # The same events (timestamps included) for both stores.
        events = list(_second_session(sender, domain).events)
        message = UserUttered("street light", {"name": "report_complaint", "confidence": 0.9})
        for store, sender_id in ((ours, sender), (theirs, other)):
            tracker = DialogueStateTracker.from_events(sender_id, copy.deepcopy(events), domain.slots)
            asyncio.run(store.save(tracker))
            tracker.update(copy.deepcopy(message))
            asyncio.run(store.save(tracker))
        with ours.engine.connect() as connection:
            rows = {sender_id: connection.execute(
                text("SELECT type_name, timestamp, intent_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender_id}).all() for sender_id in (sender, other)}
        assert [tuple(row) for row in rows[sender]] == [tuple(row) for row in rows[other]]
        assert len(rows[sender]) == 6
    finally:
        with ours.engine.begin() as connection:
            connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": other})


def test_events_written_by_another_process_are_read_from_the_table(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    kept = _next_message(store, sender, "पानी नहीं आ रहा")
    # Another Rasa process (another Sanic worker) handles the next message.
    other = SQLTrackerStore(domain, **settings)
    elsewhere = asyncio.run(other.retrieve(sender))
    elsewhere.update(UserUttered("কবে ঠিক হবে?", {"name": "track_complaint", "confidence": 0.9}))
    asyncio.run(other.save(elsewhere))

    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not kept
    assert tracker.latest_message.text == "কবে ঠিক হবে?"
    assert _shapes(tracker) == _shapes(elsewhere)


def test_a_tracker_changed_but_not_saved_is_not_handed_out_again(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    kept = _next_message(store, sender, "पानी नहीं आ रहा")
    failed = asyncio.run(store.retrieve(sender))
    assert failed is kept
    failed.update(UserUttered("a message whose handling failed", {"name": "greet", "confidence": 0.9}))
    # While it is out (or after it failed), whoever asks gets what the table holds.
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not failed
    assert tracker.latest_message.text == "पानी नहीं आ रहा"
    assert len(tracker.events) == len(failed.events) - 1


def test_a_tracker_with_events_before_its_session_start_is_not_kept(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    first = _conversation(sender, domain)  # action_session_start, then the session's events
    asyncio.run(store.save(first))
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not first
    assert _shapes(tracker) == _shapes(first)[1:]


def test_the_least_recently_saved_conversations_are_dropped(settings: dict, domain: Domain, monkeypatch) -> None:
    monkeypatch.setattr("stores.sql.KEPT_CONVERSATIONS", 2)
    store = ThreadedSQLTrackerStore(domain, **settings)
    senders = [f"test-{uuid.uuid4().hex[:12]}" for _ in range(3)]
    try:
        for sender_id in senders:
            asyncio.run(store.save(_second_session(sender_id, domain)))
            _next_message(store, sender_id, "hello")
        assert list(store._kept) == senders[1:]
        assert asyncio.run(store.retrieve(senders[0])).get_slot("language") == "hi"
    finally:
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM events WHERE sender_id IN :s").bindparams(
                sa_bindparam("s", expanding=True)), {"s": senders})


def test_a_tracker_the_store_did_not_hand_out_is_not_kept(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    _next_message(store, sender, "पानी नहीं आ रहा")
    # As when reading failed for a moment and Rasa made a new tracker (or its HTTP API replaced the
    # events): saved as Rasa saves it, and the next message reads the whole conversation again.
    stray = DialogueStateTracker.from_events(sender, [UserUttered("hello", {"name": "greet", "confidence": 0.9})], domain.slots)
    asyncio.run(store.save(stray))
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not stray
    assert tracker.get_slot("language") == "hi"
    assert _shapes(tracker) == _shapes(asyncio.run(SQLTrackerStore(domain, **settings).retrieve(sender)))


def test_two_callers_at_once_do_not_get_the_same_tracker(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    _next_message(store, sender, "पानी नहीं आ रहा")

    async def both() -> List[DialogueStateTracker]:
        return list(await asyncio.gather(store.retrieve(sender), store.retrieve(sender)))

    first, second = asyncio.run(both())
    assert first is not second and _shapes(first) == _shapes(second)


def test_rows_written_by_another_process_while_out_keep_the_tracker_from_being_kept(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    _next_message(store, sender, "पानी नहीं आ रहा")
    out = asyncio.run(store.retrieve(sender))
    # A writer that did not take the conversation's lock.
    other = SQLTrackerStore(domain, **settings)
    elsewhere = asyncio.run(other.retrieve(sender))
    elsewhere.update(ActionExecuted("utter_greet"))
    asyncio.run(other.save(elsewhere))
    out.update(UserUttered("वार्ड 12", {"name": "inform", "confidence": 0.9}))
    asyncio.run(store.save(out))
    assert sender not in store._kept
    assert _shapes(asyncio.run(store.retrieve(sender))) == _shapes(asyncio.run(other.retrieve(sender)))


def test_a_new_domain_drops_the_kept_trackers(settings: dict, sender: str, domain: Domain) -> None:
    store = ThreadedSQLTrackerStore(domain, **settings)
    asyncio.run(store.save(_second_session(sender, domain)))
    _next_message(store, sender, "पानी नहीं आ रहा")
    assert sender in store._kept
    store.domain = domain  # as Rasa does when it loads another model
    assert not store._kept and store.domain is domain
