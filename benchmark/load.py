"""Simulated citizens: signed webhook deliveries, one conversation per citizen, and the time from
each webhook POST to the assistant's first reply reaching the (fake) Graph API."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import aiohttp
import numpy as np

from benchmark.conversations import Conversation
from benchmark.fake_graph import FakeGraph
from benchmark.stack import APP_SECRET, PHONE_NUMBER_ID
from nagarik.whatsapp import signature

REPLY_TIMEOUT = 30.0  # seconds without a reply before a message counts as an error
TURN_SETTLE = 0.25  # seconds without a further reply before the turn counts as over


@dataclass
class Pacing:
    """How quickly the simulated citizens write: after the assistant's turn is over, each waits
    `think` seconds on average (uniformly between half and one and a half times it). They start
    one after another, evenly over the first `ramp` seconds, as citizens do (and as load testers
    ramp up): all first messages at the same instant would measure one burst, not the load."""

    think: float = 1.0
    ramp: float = 1.5
    seed: int = 11


@dataclass
class Outcome:
    concurrency: int
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0
    seconds: float = 0.0

    def summary(self) -> Dict[str, float]:
        latencies = np.array(self.latencies_ms) if self.latencies_ms else np.array([float("nan")])
        return {
            "throughput_msgs_per_s": round(len(self.latencies_ms) / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": round(float(np.percentile(latencies, 50)), 1),
            "p95_ms": round(float(np.percentile(latencies, 95)), 1),
            "p99_ms": round(float(np.percentile(latencies, 99)), 1),
            "messages": self.sent,
            "errors": self.errors,
            "seconds": round(self.seconds, 1),
        }


def delivery(phone: str, wamid: str, text: str) -> bytes:
    """A webhook body as Meta sends it for one text message."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Citizen"}, "wa_id": phone}],
        "messages": [{"from": phone, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}],
    }
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}]}
    return json.dumps(payload, ensure_ascii=False).encode()


class Citizens:
    """Runs conversations against one webhook, `concurrency` at a time, and collects the figures."""

    def __init__(self, webhook: str, graph: FakeGraph, pacing: Pacing, progress=None) -> None:
        self.webhook, self.graph, self.pacing, self.progress = webhook, graph, pacing, progress

    async def _message(self, http: aiohttp.ClientSession, phone: str, wamid: str, text: str, outcome: Outcome) -> bool:
        seen = self.graph.count(phone)
        body = delivery(phone, wamid, text)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, APP_SECRET)}
        outcome.sent += 1
        posted = time.monotonic()
        try:
            async with http.post(self.webhook, data=body, headers=headers) as response:
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            status = 0
        first = await self.graph.next_reply(phone, seen, REPLY_TIMEOUT) if status == 200 else None
        if first is None:
            outcome.errors += 1
            return False
        outcome.latencies_ms.append((first - posted) * 1000)
        await self.graph.quiet(phone, TURN_SETTLE, REPLY_TIMEOUT)
        return True

    async def _converse(self, http: aiohttp.ClientSession, phone: str, conversation: Conversation,
                        outcome: Outcome, rng: random.Random) -> None:
        for number, text in enumerate(conversation.messages, 1):
            await self._message(http, phone, f"wamid.bench.{phone}.{number}", text, outcome)
            if self.progress is not None:
                self.progress.update(1)
            await asyncio.sleep(self.pacing.think * rng.uniform(0.5, 1.5))

    async def run(self, conversations: Sequence[Conversation], concurrency: int, phone_prefix: str) -> Outcome:
        """Every conversation from its own number; `concurrency` citizens write at any moment."""
        outcome = Outcome(concurrency)
        pending: asyncio.Queue = asyncio.Queue()
        for index, conversation in enumerate(conversations):
            pending.put_nowait((f"{phone_prefix}{index:05d}", conversation))
        rng = random.Random(self.pacing.seed)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT)) as http:

            async def citizen(number: int) -> None:
                await asyncio.sleep(self.pacing.ramp * number / concurrency)
                while not pending.empty():
                    phone, conversation = pending.get_nowait()
                    await self._converse(http, phone, conversation, outcome, random.Random(rng.random()))

            started = time.monotonic()
            await asyncio.gather(*(citizen(number) for number in range(concurrency)))
            outcome.seconds = time.monotonic() - started
        return outcome
