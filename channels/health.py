"""Health and readiness of a rasa server, for load balancers and orchestrators.

Registered in credentials.yml as `channels.health.HealthInput` (it takes no messages):

- `GET /webhooks/health/live`: 200 while the server's event loop answers (restart it otherwise);
- `GET /webhooks/health/ready`: 200 when it can serve citizens, 503 otherwise, with each check's
  outcome: the model is loaded, the complaint database answers, the database the conversations
  are kept in answers, and the Redis lock store answers when there is one. A load balancer sends
  messages only to a ready server.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.lock_store import RedisLockStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from nagarik.health import Check, complaint_database_answers, database_answers, readiness


def _checks(agent: Any) -> Dict[str, Check]:
    checks: Dict[str, Check] = {"complaint_database": complaint_database_answers}
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it in a FailSafeTrackerStore
    engine = getattr(store, "engine", None)
    if engine is not None:  # an SQL tracker store
        checks["conversation_database"] = lambda: database_answers(engine)
    lock_store = getattr(agent, "lock_store", None)
    redis_store = getattr(lock_store, "store", lock_store)  # stores.locks wraps Rasa's
    if isinstance(redis_store, RedisLockStore):
        checks["lock_store"] = redis_store.red.ping
    return checks


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("nagarik_health", __name__)

        @health.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "live"})

        @health.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "not ready", "checks": {"model": "not loaded"}}, status=503)
            ok, results = await readiness(_checks(agent))
            return response.json({"status": "ready" if ok else "not ready", "checks": {"model": "ok", **results}},
                                 status=200 if ok else 503)

        return health
