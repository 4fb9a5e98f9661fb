"""The lock store that keeps one conversation's messages one at a time, across every rasa server.

endpoints.yml names `stores.locks.ConfiguredLockStore`: Rasa's Redis lock store when REDIS_URL is
set (`redis://[:password@]host:6379/1`; db 1 if the URL names none), Rasa's in-memory one
otherwise. In memory is right for one rasa process only; with SANIC_WORKERS above 1 and no
REDIS_URL the server refuses to start rather than run with locks that other workers cannot see.

Rasa's Redis lock store changes a conversation's lock by reading it, changing it and writing it
back: two rasa servers doing that at the same moment can each write over the other's ticket, and
then both handle a message of the same citizen at once (or one waits for a ticket that is gone).
`AtomicRedisLockStore` makes each of those read-change-write steps one Redis transaction
(WATCH/MULTI, retried when another server changed the lock in between).
"""

from __future__ import annotations

import json
import os
from typing import Callable, Optional, Text, Tuple, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
REDIS_URL_VARIABLE = "REDIS_URL"
DEFAULT_REDIS_DB = 1  # as Rasa's Redis lock store


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store whose ticket changes are each one Redis transaction."""

    def _change(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]) -> T:
        """Applies `change` to the stored lock atomically: it returns the lock to store (None deletes it)
        and a result. Redis runs it again if another server changed the lock meanwhile."""
        key = self.key_prefix + conversation_id

        def attempt(pipe) -> T:
            raw = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # as Rasa's: any failure to get a ticket is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def expire(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)


def redis_lock_store(url: str) -> AtomicRedisLockStore:
    """The Redis lock store for a `redis://` (or `rediss://`, TLS) URL."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    return AtomicRedisLockStore(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(path) if path.isdigit() else DEFAULT_REDIS_DB,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
    )


class ConfiguredLockStore(LockStore):
    """Rasa's Redis lock store when REDIS_URL is set, its in-memory one otherwise (see the module)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        url = os.environ.get(REDIS_URL_VARIABLE)
        workers = int(os.environ.get("SANIC_WORKERS") or 1)
        if not url and workers > 1:
            raise ValueError(f"SANIC_WORKERS={workers} needs a lock store the workers share: set {REDIS_URL_VARIABLE}")
        self.store: LockStore = redis_lock_store(url) if url else InMemoryLockStore()
        super().__init__()

    # Every ticket operation goes to the chosen store (the Redis one overrides the read-change-write ones).
    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self.store.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        self.store.update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        self.store.cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)
