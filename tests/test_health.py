"""nagarik.health: readiness checks answer within their deadline, whatever the database does."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import create_engine

from conftest import POSTGRES
from nagarik.health import database_answers, readiness


def test_a_database_that_answers_is_ready() -> None:
    engine = create_engine(POSTGRES, future=True)
    try:
        assert asyncio.run(readiness({"db": lambda: database_answers(engine)})) == (True, {"db": "ok"})
    finally:
        engine.dispose()


def test_a_database_that_is_down_or_hangs_is_reported_not_ready_in_time() -> None:
    down = create_engine("postgresql://postgres@127.0.0.1:1/nothing", future=True)

    def hangs() -> None:
        time.sleep(5)

    async def probe() -> tuple:
        start = time.monotonic()
        outcome = await readiness({"down": lambda: database_answers(down), "hangs": hangs}, seconds=1)
        return outcome, time.monotonic() - start

    # Timed inside the loop: asyncio.run itself waits for the hanging thread when it closes.
    (ok, results), elapsed = asyncio.run(probe())
    assert not ok and results["down"].startswith("OperationalError") and results["hangs"] == "no answer within 1 s"
    assert elapsed < 3
