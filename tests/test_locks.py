"""stores.locks: the Redis lock store (on the machine's Redis) keeps one conversation's messages one at a
time across processes; the configured store follows REDIS_URL; brokers.rabbitmq publishes events."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from typing import List

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from brokers.rabbitmq import ConfiguredEventBroker, pika_settings
from stores.locks import AtomicRedisLockStore, ConfiguredLockStore, redis_lock_store
from stores.sql import DatabaseTrackerStore, conversations_url

REDIS_URL = os.environ.get("NAGARIK_TEST_REDIS", "redis://127.0.0.1:6379/15")
RABBITMQ_URL = os.environ.get("NAGARIK_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672")


@pytest.fixture
def conversation() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def _holder(conversation: str, counter: str, turns: int, errors: List[BaseException]) -> None:
    """One 'rasa server': its own connection; inside the lock, a read-wait-write that overlaps would lose."""
    store = redis_lock_store(REDIS_URL)

    async def work() -> None:
        for _ in range(turns):
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                value = int(store.red.get(counter) or 0)
                await asyncio.sleep(0.002)
                store.red.set(counter, value + 1)

    try:
        asyncio.run(work())
    except BaseException as error:  # reported to the test
        errors.append(error)


def test_the_redis_lock_serialises_one_conversation_across_servers(conversation: str) -> None:
    counter = f"nagarik-test-counter:{conversation}"
    errors: List[BaseException] = []
    holders = [threading.Thread(target=_holder, args=(conversation, counter, 25, errors)) for _ in range(4)]
    for holder in holders:
        holder.start()
    for holder in holders:
        holder.join(timeout=120)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert not errors and int(client.get(counter)) == 100
        assert client.get(redis_lock_store(REDIS_URL).key_prefix + conversation) is None  # cleaned up
    finally:
        client.delete(counter)


def test_tickets_issued_at_once_by_many_servers_are_all_distinct(conversation: str) -> None:
    stores = [redis_lock_store(REDIS_URL) for _ in range(8)]
    tickets: List[int] = []
    start = threading.Barrier(len(stores))

    def issue(store: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(10):
            tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=issue, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert sorted(tickets) == list(range(80))  # Rasa's first ticket is 0
        assert [t.number for t in stores[0].get_lock(conversation).tickets] == list(range(80))
    finally:
        stores[0].delete_lock(conversation)


def test_the_lock_store_follows_redis_url(monkeypatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    assert isinstance(ConfiguredLockStore().store, InMemoryLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match="REDIS_URL"):
        ConfiguredLockStore()
    monkeypatch.setenv("REDIS_URL", "redis://:s%40cret@10.0.0.5:6380/3")
    store = ConfiguredLockStore().store
    assert isinstance(store, AtomicRedisLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("10.0.0.5", 6380, 3, "s@cret")


def test_conversations_follow_their_own_variable_else_the_complaint_database() -> None:
    assert conversations_url({"DATABASE_URL": "postgres://u@db/nagarik"}) == "postgresql://u@db/nagarik"
    assert conversations_url({"DATABASE_URL": "postgresql://u@db/a", "NAGARIK_TRACKER_STORE_URL": "postgresql://u@db/b"}) \
        == "postgresql://u@db/b"
    assert conversations_url({"DATABASE_URL": "sqlite:////data/nagarik.db"}) == "sqlite:////data/nagarik.db?timeout=30"
    assert conversations_url({}).endswith("nagarik.db?timeout=30")


def test_rabbitmq_gets_every_stored_event_when_configured(monkeypatch, conversation: str, tmp_path) -> None:
    queue = f"nagarik_test_{conversation}"
    monkeypatch.setenv("RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("RABBITMQ_QUEUE", queue)

    async def publish() -> None:
        broker = await ConfiguredEventBroker.from_endpoint_config(None)
        tracker = DialogueStateTracker.from_events(conversation, [
            ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
            UserUttered("नमस्ते", {"name": "greet", "confidence": 0.99})])
        # Saved as the rasa server saves a conversation: the store streams the new events to the broker.
        store = DatabaseTrackerStore(Domain.empty(), f"sqlite:///{tmp_path / 'events.db'}", event_broker=broker)
        await store.save(tracker)
        await asyncio.sleep(0.5)
        await broker.close()

    asyncio.run(publish())
    received = asyncio.run(_consume(queue, 4))
    assert [(e["sender_id"], e["event"]) for e in received] == [(conversation, name) for name in
                                                                 ("action", "session_started", "action", "user")]
    assert received[-1]["text"] == "नमस्ते"


async def _consume(queue: str, count: int, seconds: float = 10) -> List[dict]:
    """What a consumer of the queue (an analytics service) reads, with aio_pika as Rasa's broker uses."""
    import aio_pika

    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    received: List[dict] = []
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        deadline = time.monotonic() + seconds
        while len(received) < count and time.monotonic() < deadline:
            message = await declared.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.1)
            else:
                received.append(json.loads(message.body))
        await declared.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return received


def test_without_rabbitmq_url_there_is_no_broker(monkeypatch) -> None:
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    assert asyncio.run(ConfiguredEventBroker.from_endpoint_config(None)) is None
    assert pika_settings("amqp://u:p%2F@mq:5673").kwargs == {"port": 5673, "username": "u", "password": "p/",
                                                               "queues": ["rasa_core_events"]}
