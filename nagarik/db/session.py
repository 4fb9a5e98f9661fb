"""Engines and sessions: one session per unit of work, committed or rolled back whole."""

from __future__ import annotations

import asyncio
import os
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from nagarik.settings import REPO_ROOT

T = TypeVar("T")

DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'nagarik.db'}"


def database_url() -> str:
    """`DATABASE_URL` (e.g. postgresql://user@host/db), else an SQLite file in the repo."""
    return sqlalchemy_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy 1.4 reads it: Heroku-style URLs say postgres://, which it no longer accepts."""
    return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Threads share the file; writers wait for each other instead of failing at once.
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


# One engine (and its connection pool) per database URL, made on first use.
_factories: Dict[str, sessionmaker] = {}


def _session_factory(url: str) -> sessionmaker:
    if url not in _factories:
        _factories[url] = sessionmaker(bind=make_engine(url), future=True, expire_on_commit=False)
    return _factories[url]


def dispose(url: str = "") -> None:
    """Close the pooled connections of a database (tests use many short-lived ones)."""
    factory = _factories.pop(url or database_url(), None)
    if factory is not None:
        factory.kw["bind"].dispose()


@contextmanager
def session_scope(url: str = "") -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back if it raises."""
    session = _session_factory(url or database_url())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def run_in_session(work: Callable[[Session], T], url: str = "") -> T:
    """Run `work` as one transaction on a worker thread, so the event loop keeps serving others.

    `work` should return plain values: ORM objects are detached once the session closes.
    """

    def unit_of_work() -> T:
        with session_scope(url) as session:
            return work(session)

    return await asyncio.to_thread(unit_of_work)
