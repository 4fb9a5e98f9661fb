"""Rasa's SQL tracker store with its database work moved off the event loop, and the
conversations in progress kept in memory between messages.

Rasa 3.6's `SQLTrackerStore` has `async` methods that run SQLAlchemy synchronously: every
message's load (two queries and the tracker rebuilt from JSON) and save (a count, the
inserts, the commit) block the one event loop that serves every citizen. Under load each
PostgreSQL round trip then delays all other conversations. This store runs its queries in a
worker thread. It reads and writes the same `events` table, in the same way, as Rasa's own
store.

Rebuilding a tracker from its rows on every message, and counting the rows again to find
which events are new, was most of what those threads did, and they compete with the event
loop for the GIL. So a conversation's tracker is kept (once read from the table, and again
when it is saved back), and the next message of the same conversation gets it back after one
query: the highest event id of that conversation must still be the one it was kept with.
Otherwise, for example if another Rasa process wrote since, the tracker is read from the table
as before.

    tracker_store:
      type: stores.sql.ThreadedSQLTrackerStore
      dialect: postgresql
      url: 127.0.0.1
      db: nagarik

`DatabaseTrackerStore` is the same store on the database the environment names
(`NAGARIK_TRACKER_STORE_URL`, else the complaint database of `DATABASE_URL`, else the embedded
SQLite file), which is what endpoints.yml uses, so that conversations survive a restart with
nothing to configure.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Coroutine, Dict, List, Optional, Sequence, Text, Tuple, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from nagarik.db.session import DEFAULT_DATABASE_URL, sqlalchemy_url

T = TypeVar("T")

# Conversations kept in memory per process; the least recently read or saved ones are dropped
# first. In `make bench` about 130 kept conversations raised the peak memory by 4-24 MB.
KEPT_CONVERSATIONS = 1000


def _finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine that never suspends (Rasa's SQL `_retrieve` is async in name only)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the tracker store's query tried to await; it cannot run in a thread")


@dataclass
class _Kept:
    """A tracker that matches the table, and what the table held for its conversation then."""

    tracker: DialogueStateTracker
    stored_events: int  # len(tracker.events) then: every one of them is in the table
    last_id: Optional[int]  # the conversation's highest events.id then
    lent: bool = False  # handed out by `retrieve` and not saved since


def reads_back_the_same(tracker: DialogueStateTracker) -> bool:
    """Whether reading this conversation from the table would give exactly these events.

    Rasa reads the events from the latest `SessionStarted` on, by timestamp: a tracker that
    still holds events of an earlier session (or any event older than its session start) reads
    back shorter, so it is not kept.
    """
    starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
    if not starts:
        return True
    latest_start = max(starts)
    return all(event.timestamp >= latest_start for event in tracker.events)


class ThreadedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose queries and commits run in a thread, not on the event loop, and
    which hands a conversation's tracker back while the table has nothing newer.

    Only trackers the store can vouch for are kept: one it has just read from the table, and one
    it handed out and that was saved back, with no other rows written for the conversation in
    between. Any other tracker given to `save` (a new one, one rebuilt by Rasa's HTTP API, one
    from another process) is stored as Rasa stores it and read from the table next time. Writers
    of one conversation are serialised by Rasa's lock store, as Rasa's own SQL store needs too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Touched on the event loop only; the worker threads get and return plain values.
        self._kept: "OrderedDict[Text, _Kept]" = OrderedDict()
        events = self.SQLEvent.__table__
        self._last_id_query = sa.select(sa.func.max(events.c.id)).where(events.c.sender_id == sa.bindparam("sender"))

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        # A new model may bring other slots: trackers are rebuilt from the table with them.
        self._domain = domain or Domain.empty()
        self._kept.clear()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        kept = self._kept.get(sender_id)
        # A tracker still out (lent), or changed without being saved, is not handed out again.
        if kept is not None and not kept.lent and len(kept.tracker.events) == kept.stored_events:
            kept.lent = True  # before the query: a second caller meanwhile reads the table
            if await asyncio.to_thread(self._last_id, sender_id) == kept.last_id:
                return kept.tracker
            if self._kept.get(sender_id) is kept:
                del self._kept[sender_id]
        tracker, last_id = await asyncio.to_thread(self._read, sender_id)
        if tracker is not None and reads_back_the_same(tracker):
            self._keep(_Kept(tracker, len(tracker.events), last_id, lent=True))
        return tracker

    def _read(self, sender_id: Text) -> Tuple[Optional[DialogueStateTracker], Optional[int]]:
        """The conversation as Rasa reads it, and the highest event id it had before (so that rows
        written during the read make the kept tracker stale, never the other way round)."""
        last_id = self._last_id(sender_id)
        return _finish(super()._retrieve(sender_id, fetch_events_from_all_sessions=False)), last_id

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await asyncio.to_thread(lambda: _finish(parent(sender_id, fetch_events_from_all_sessions)))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)  # the event broker, if any, stays on the loop
        kept = self._kept.pop(tracker.sender_id, None)
        known = kept if kept is not None and kept.tracker is tracker else None
        last_id = await asyncio.to_thread(self._store_new_events, tracker, known)
        if last_id is not None and reads_back_the_same(tracker):
            self._keep(_Kept(tracker, len(tracker.events), last_id))

    def _keep(self, kept: _Kept) -> None:
        self._kept[kept.tracker.sender_id] = kept
        self._kept.move_to_end(kept.tracker.sender_id)
        while len(self._kept) > KEPT_CONVERSATIONS:
            self._kept.popitem(last=False)

    def _last_id(self, sender_id: Text) -> Optional[int]:
        with self.engine.connect() as connection:
            return connection.execute(self._last_id_query, {"sender": sender_id}).scalar()

    def _store_new_events(self, tracker: DialogueStateTracker, known: Optional[_Kept]) -> Optional[int]:
        """Inserts the events not in the table yet. Returns the conversation's highest event id when
        the table now holds exactly this tracker's events, else None (the tracker is not kept)."""
        with self.session_scope() as session:
            before = session.execute(self._last_id_query, {"sender": tracker.sender_id}).scalar()
            vouched = known is not None and before == known.last_id and len(tracker.events) >= known.stored_events
            if vouched:
                new_events: Sequence[Event] = list(itertools.islice(tracker.events, known.stored_events, None))
            else:  # counted against the table, as Rasa's own save does
                new_events = list(self._additional_events(session, tracker))
            if new_events:
                session.execute(self.SQLEvent.__table__.insert(), [self._row(tracker.sender_id, e) for e in new_events])
                after = session.execute(self._last_id_query, {"sender": tracker.sender_id}).scalar()
            else:
                after = before
            session.commit()
        return after if vouched else None

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
        # The same columns Rasa's own save writes.
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


TRACKER_STORE_URL_VARIABLE = "NAGARIK_TRACKER_STORE_URL"
# Python's sqlite3 gives up on a locked file after 5 s; the complaint database's engine waits 30.
SQLITE_BUSY_SECONDS = 30


def conversations_url(environ: Optional[Dict[str, str]] = None) -> str:
    """The database conversations are kept in: NAGARIK_TRACKER_STORE_URL, else the complaint
    database (DATABASE_URL, else the embedded SQLite file), in its own `events` table."""
    environ = os.environ if environ is None else environ
    url = sqlalchemy_url(environ.get(TRACKER_STORE_URL_VARIABLE) or environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if url.startswith("sqlite") and "timeout=" not in url:
        url += ("&" if "?" in url else "?") + f"timeout={SQLITE_BUSY_SECONDS}"
    return url


class DatabaseTrackerStore(ThreadedSQLTrackerStore):
    """`ThreadedSQLTrackerStore` on the database the environment names (`conversations_url`).

    endpoints.yml needs only `type: stores.sql.DatabaseTrackerStore`; a `url:` there (a whole
    database URL) still wins, for a deployment that wants it in the file.
    """

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None, **kwargs: Any) -> None:
        # Rasa's SQLTrackerStore takes a whole database URL in `host` (anything with "://").
        super().__init__(domain, host=host or conversations_url(), **kwargs)


def create_conversations_table() -> None:
    """Makes the conversations' table, as the store does when a rasa server starts. A deployment runs
    it once before starting several servers (`python -m stores.sql`): servers creating it at the same
    moment log an error (harmless, but it buries real ones)."""
    DatabaseTrackerStore(Domain.empty()).engine.dispose()


if __name__ == "__main__":
    create_conversations_table()


__all__: List[str] = ["DatabaseTrackerStore", "create_conversations_table", "ThreadedSQLTrackerStore", "conversations_url", "reads_back_the_same"]
