"""Readiness checks shared by the rasa server's health channel and the action server.

Each check runs in a worker thread with a deadline, so a database that hangs makes the answer
"not ready" within a few seconds instead of holding the event loop (or the load balancer's probe).
"""

from __future__ import annotations

import asyncio
from typing import Callable, Dict, Mapping, Tuple

from sqlalchemy import text
from sqlalchemy.engine import Engine

from nagarik.db.session import database_url, make_engine

CHECK_SECONDS = 3.0
Check = Callable[[], None]  # raises when the thing checked is not usable

_engines: Dict[str, Engine] = {}


def database_answers(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def complaint_database_answers() -> None:
    """The complaint database (DATABASE_URL) answers a query; its own small engine, so that a
    probe never waits for a connection that the citizens' work holds."""
    url = database_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    database_answers(_engines[url])


async def _outcome(check: Check, seconds: float) -> str:
    try:
        await asyncio.wait_for(asyncio.to_thread(check), timeout=seconds)
        return "ok"
    except asyncio.TimeoutError:
        return f"no answer within {seconds:g} s"
    except Exception as error:  # the probe reports any failure; it must not raise
        first_line = (str(error).splitlines() or [""])[0]
        return f"{type(error).__name__}: {first_line}"[:200]


async def readiness(checks: Mapping[str, Check], seconds: float = CHECK_SECONDS) -> Tuple[bool, Dict[str, str]]:
    """Whether every check passed, and each one's outcome ("ok" or what went wrong), run side by side."""
    names = list(checks)
    outcomes = await asyncio.gather(*(_outcome(checks[name], seconds) for name in names))
    results = dict(zip(names, outcomes))
    return all(outcome == "ok" for outcome in outcomes), results


__all__ = ["CHECK_SECONDS", "complaint_database_answers", "database_answers", "readiness"]
