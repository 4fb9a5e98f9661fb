"""One kept-alive HTTP session per endpoint for Rasa's calls to the action server.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session, and so a new TCP connection, for
every custom action it runs and closes it afterwards; encoding the conversation for the call uses
the standard `json` module with ASCII escapes (a Devanagari letter becomes 6 bytes). Under load the
connection set-up and the encoding were 5% of the rasa server's CPU (`make bench` profile). Here
`EndpointConfig.session()` lends a session shared by every request to the same endpoint on the same
event loop; Rasa's own request code runs unchanged inside it. Bodies are encoded by ujson (same
JSON, UTF-8 instead of escapes); what it cannot encode goes to the `json` module as before.

The pool forgets idle connections after 2 s, before the action server's Sanic closes them (5 s), so
a request never goes out on a connection the server is just closing.

Installed when the `components` package is imported, that is whenever a Nagarik model is loaded.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import weakref
from typing import Any, Dict, Hashable, Optional

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

KEEPALIVE_SECONDS = 2.0

_rasas_session = EndpointConfig.session
_shared: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[Hashable, aiohttp.ClientSession]]" = (
    weakref.WeakKeyDictionary()
)


def dumps(value: Any) -> str:
    """JSON text as `json.dumps` would give it, without escaping non-ASCII characters."""
    try:
        return ujson.dumps(value, ensure_ascii=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value, ensure_ascii=False)


class BorrowedSession:
    """`async with` gives the shared session and leaves it open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _key(endpoint: EndpointConfig) -> Hashable:
    auth = endpoint.basic_auth or {}
    return (tuple(sorted((endpoint.headers or {}).items())), auth.get("username"), auth.get("password"))


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    auth = endpoint.basic_auth
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        json_serialize=dumps,
    )


def shared_session(self: EndpointConfig) -> Any:
    """Replaces EndpointConfig.session: the endpoint's session on this event loop, lent out."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not inside a loop: a session of its own, as Rasa does
        return _rasas_session(self)
    sessions = _shared.setdefault(loop, {})
    key = _key(self)
    session: Optional[aiohttp.ClientSession] = sessions.get(key)
    if session is None or session.closed:
        session = sessions[key] = _new_session(self)
    return BorrowedSession(session)


async def close_all() -> None:
    """Closes this event loop's shared sessions (server shutdown)."""
    for session in _shared.pop(asyncio.get_running_loop(), {}).values():
        await session.close()


@atexit.register
def _drop_connections_at_exit() -> None:
    # A process that ends without close_all() (rasa shell, rasa test) would otherwise have aiohttp
    # report every kept-alive connection as unclosed on its way out.
    for sessions in list(_shared.values()):
        for session in sessions.values():
            connector = session.connector
            if connector is not None and not connector.closed:
                try:
                    connector._close()  # synchronous; the event loop may be gone by now
                except RuntimeError:
                    pass


def install() -> None:
    EndpointConfig.session = shared_session
