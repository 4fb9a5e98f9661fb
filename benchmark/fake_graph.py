"""A local stand-in for the WhatsApp Graph API: records when each reply reaches each citizen."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from typing import Dict, List, Optional

from aiohttp import web

ACCESS_TOKEN = "bench-token"


class FakeGraph:
    """Accepts `POST /<phone id>/messages` like Meta does and wakes whoever waits for that citizen."""

    def __init__(self) -> None:
        self.arrivals: Dict[str, List[float]] = defaultdict(list)
        self.bodies: Dict[str, List[dict]] = defaultdict(list)
        self._changed: Dict[str, asyncio.Condition] = defaultdict(asyncio.Condition)
        self._ids = itertools.count(1)
        self._runner: Optional[web.AppRunner] = None
        self.base_url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{phone_id}/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return web.json_response({"error": {"code": 190, "message": "bad token"}}, status=401)
        message = await request.json()
        phone = str(message.get("to", ""))
        condition = self._changed[phone]
        async with condition:
            self.arrivals[phone].append(arrived)
            self.bodies[phone].append(message)
            condition.notify_all()
        return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.OUT{next(self._ids)}"}]})

    def count(self, phone: str) -> int:
        return len(self.arrivals[phone])

    async def next_reply(self, phone: str, seen: int, timeout: float) -> Optional[float]:
        """When reply number `seen + 1` to this citizen arrived; None if none came in time."""
        condition = self._changed[phone]
        async with condition:
            try:
                await asyncio.wait_for(condition.wait_for(lambda: len(self.arrivals[phone]) > seen), timeout)
            except asyncio.TimeoutError:
                return None
            return self.arrivals[phone][seen]

    async def quiet(self, phone: str, seconds: float, limit: float) -> None:
        """Waits until no reply has reached this citizen for `seconds` (the turn is over), at most `limit`."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            last = self.arrivals[phone][-1] if self.arrivals[phone] else 0.0
            wait = last + seconds - time.monotonic()
            if wait <= 0:
                return
            await asyncio.sleep(min(wait, deadline - time.monotonic()))
