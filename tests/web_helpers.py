"""A real `nagarik web` server on loopback over a test database, and a signed-in HTTP client for it."""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

import requests

from benchmark.stack import free_port, start_server
from nagarik.db.complaints import NewAttachment, NewComplaint, file_complaint
from nagarik.db.officers import add_officer
from nagarik.db.session import session_scope

PASSWORD = "a long enough password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def web_server(database: str, media: Path) -> Iterator[str]:
    """`nagarik web` in its own process, as `make web` runs it; its base URL until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NAGARIK_MEDIA_DIR": str(media), "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "nagarik.cli", "--database", database, "web", "--port", str(port)]
    process = start_server(command, env, f"{base}/login", media.parent / f"web-{port}.log")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def add_user(database: str, name: str, role: str, department: Optional[str] = None, wards: Sequence[int] = (),
             language: str = "en") -> None:
    with session_scope(database) as session:
        add_officer(session, name, PASSWORD, role, department, wards, language)


def file(database: str, phone: str, category: str, ward: int, language: str = "hi", description: str = "",
         attachments: Sequence[NewAttachment] = (), **extra) -> str:
    with session_scope(database) as session:
        new = NewComplaint(phone=phone, category=category, ward=ward, language=language, description=description or None,
                           attachments=tuple(attachments), **extra)
        return file_complaint(session, new).reference


class Officer:
    """An officer's browserless session: requests with the cookie jar and the page's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf = ""

    def log_in(self, name: str, password: str = PASSWORD) -> requests.Response:
        page = self.http.get(f"{self.base}/login").text
        token = _CSRF.search(page, page.index('action="/login')).group(1)  # a signed-in page has other forms first
        reply = self.http.post(f"{self.base}/login", data={"csrf_token": token, "name": name, "password": password})
        found = _CSRF.search(reply.text)
        if found:
            self.csrf = found.group(1)
        return reply

    def get(self, path: str, **kwargs) -> requests.Response:
        reply = self.http.get(f"{self.base}{path}", **kwargs)
        found = _CSRF.search(reply.text) if reply.headers.get("content-type", "").startswith("text/html") else None
        if found:
            self.csrf = found.group(1)
        return reply

    def post(self, path: str, data: Dict[str, object], csrf: bool = True, **kwargs) -> requests.Response:
        data = {**data, "csrf_token": self.csrf} if csrf else dict(data)
        return self.http.post(f"{self.base}{path}", data=data, **kwargs)

    def seen(self, reference: str) -> str:
        """The complaint's version as its page shows it (what the status and assign forms send back)."""
        return re.search(r'name="seen" value="([^"]+)"', self.get(f"/complaints/{reference}").text).group(1)
