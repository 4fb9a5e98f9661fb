"""Rasa's SQL tracker store with its database work moved off the event loop.

Rasa 3.6's `SQLTrackerStore` has `async` methods that run SQLAlchemy synchronously: every
message's load (two queries and the tracker rebuilt from JSON) and save (a count, the
inserts, the commit) block the one event loop that serves every citizen. Under load each
PostgreSQL round trip then delays all other conversations. This store runs the same
queries in a worker thread; what is stored and how is unchanged, so it reads and writes
the same `events` table as Rasa's own store.

    tracker_store:
      type: stores.sql.ThreadedSQLTrackerStore
      dialect: postgresql
      url: 127.0.0.1
      db: nagarik
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Coroutine, Optional, Text, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

T = TypeVar("T")


def _finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine that never suspends (Rasa's SQL `_retrieve` is async in name only)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the tracker store's query tried to await; it cannot run in a thread")


class ThreadedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose queries and commits run in a thread, not on the event loop."""

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await asyncio.to_thread(lambda: _finish(parent(sender_id, fetch_events_from_all_sessions)))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)  # the event broker, if any, stays on the loop
        await asyncio.to_thread(self._store_new_events, tracker)

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        # The events since the session start that are not in the table yet, as Rasa's own save does.
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
