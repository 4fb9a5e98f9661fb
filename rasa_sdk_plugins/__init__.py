"""rasa-sdk's plugin package (rasa-sdk imports `rasa_sdk_plugins` when the action server starts and
calls `init_hooks`): adds `GET /ready` to the action server, next to its own `/health`.

`/health` says the process answers; `/ready` also checks the complaint database, which every
complaint, review, feedback and ward action needs: 200 when it answers, 503 otherwise, with the
outcome of each check. A load balancer sends the rasa servers' action calls to ready servers only.
"""

from __future__ import annotations

import sys

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from nagarik.health import complaint_database_answers, readiness

hookimpl = pluggy.HookimplMarker("rasa_sdk")


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    @app.get("/ready")
    async def ready(_: Request) -> HTTPResponse:
        ok, results = await readiness({"complaint_database": complaint_database_answers})
        return response.json({"status": "ready" if ok else "not ready", "checks": results}, status=200 if ok else 503)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])
