"""components.endpoint_sessions: Rasa's action server calls reuse one connection, same JSON, same errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import components  # noqa: F401  (installs the shared sessions)
from benchmark.stack import free_port
from components import endpoint_sessions

BODY = {"tracker": {"latest_message": {"text": "बत्ती खराब है", "intent": {"confidence": 0.9731}}, "slots": {"ward": None}},
        "next_action": "action_file_complaint", "version": "3.6.21"}


def test_importing_the_components_installs_the_shared_sessions() -> None:
    assert EndpointConfig.session is endpoint_sessions.shared_session


@pytest.mark.parametrize("value", [BODY, [1, 2.5, -0.0001, 1e-12, True, None, "ঠিক আছে"], {"nan": float("nan")}, {"big": 2 ** 70}])
def test_bodies_are_the_json_that_json_dumps_writes(value: Any) -> None:
    # Compared re-encoded, so that NaN (never equal to itself) is compared too.
    assert json.dumps(json.loads(endpoint_sessions.dumps(value))) == json.dumps(json.loads(json.dumps(value)))
    assert endpoint_sessions.dumps(value).count("\\u") == 0


def _serve(seen: List[Dict[str, Any]]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        seen.append({"peer": request.transport.get_extra_info("peername"), "body": await request.read()})
        if request.path == "/fail":
            return web.json_response({"error": "no such action"}, status=404)
        return web.json_response({"events": [], "responses": [{"text": "ठीक है"}]})

    app = web.Application()
    app.router.add_post("/webhook", handle)
    app.router.add_post("/fail", handle)
    return app


def test_calls_share_one_connection_and_keep_rasas_answers_and_errors() -> None:
    seen: List[Dict[str, Any]] = []

    async def scenario() -> None:
        runner = web.AppRunner(_serve(seen))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            for _ in range(3):
                answer = await endpoint.request(json=BODY, method="post", timeout=10)
                assert answer == {"events": [], "responses": [{"text": "ठीक है"}]}
            with pytest.raises(ClientResponseError) as error:
                await EndpointConfig(f"http://127.0.0.1:{port}/fail").request(json=BODY, method="post")
            assert error.value.status == 404
            await endpoint_sessions.close_all()
            assert await endpoint.request(json=BODY, method="post") is not None  # a new session after closing
        finally:
            await endpoint_sessions.close_all()
            await runner.cleanup()

    asyncio.run(scenario())
    assert len({s["peer"] for s in seen[:4]}) == 1  # three calls and the failing one: one TCP connection
    assert seen[-1]["peer"] != seen[0]["peer"]
    assert all(json.loads(s["body"]) == BODY for s in seen)
    assert "बत्ती".encode() in seen[0]["body"]  # UTF-8, not \\u escapes
