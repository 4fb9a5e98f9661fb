"""Whole conversations through the trained model and a real action server.

These check what a citizen sees: the reply's language follows the
conversation's language, switches only when it should, and the handoff
carries the configured helpline. They need the trained model (`make train`;
`make test` trains it first).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator, List

import pytest

from conftest import CITY, REPO, migrate
from nagarik.db.catalog import load_catalog
from nagarik.db.models import Feedback
from nagarik.db.session import session_scope
from nagarik.settings import city_settings

MODEL = REPO / "models" / "nagarik.tar.gz"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
BENGALI = re.compile(r"[\u0980-\u09ff]")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the action server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the action server did not answer on {url}")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A migrated SQLite database with the sample city, for the action server."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'nagarik.db'}"
    migrate(url)
    with session_scope(url) as session:
        load_catalog(session, CITY)
    return url


@pytest.fixture(scope="module")
def action_endpoint(database: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "NAGARIK_HELPLINE_PHONE": "0132-2700000", "DATABASE_URL": database},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def agent(action_endpoint: str, loop: asyncio.AbstractEventLoop):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    assert MODEL.exists(), "no trained model: run `make train` first"
    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_endpoint))


@pytest.fixture
def chat(agent, loop):
    """`chat(sender, text)` returns the texts the assistant answers with."""

    def say(sender: str, text: str) -> List[str]:
        replies = loop.run_until_complete(agent.handle_text(text, sender_id=sender))
        return [reply.get("text", "") for reply in replies]

    return say


def _joined(replies: List[str]) -> str:
    assert replies, "the assistant did not answer"
    return " ".join(replies)


def test_hindi_conversation_stays_hindi_on_ok(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-1", "नमस्ते जी")))
    assert DEVANAGARI.search(_joined(chat("hi-1", "ok")))


def test_clear_english_switches_a_hindi_conversation(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-2", "नमस्ते जी")))
    reply = _joined(chat("hi-2", "what is the status of my complaint"))
    assert not DEVANAGARI.search(reply) and not BENGALI.search(reply)


def test_romanized_bengali_is_answered_in_bengali(chat) -> None:
    assert BENGALI.search(_joined(chat("bn-1", "amader parar light jolche na")))


def test_romanized_hindi_is_answered_in_hindi(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-3", "mere mohalle me light nahi hai")))


def test_set_language_switches_against_the_script(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-4", "नमस्ते")))
    reply = _joined(chat("hi-4", "English please"))
    assert "English" in reply and not DEVANAGARI.search(reply)


def test_covid_answer_in_bengali_with_source(chat) -> None:
    reply = _joined(chat("bn-2", "টিকা কোথায় পাবো"))
    assert BENGALI.search(reply) and "৬ মাস" in reply and "MoHFW" in reply


def test_handoff_gives_configured_helpline_in_the_language(chat) -> None:
    chat("bn-3", "নমস্কার")
    reply = _joined(chat("bn-3", "কোনো অফিসারের সঙ্গে কথা বলতে চাই"))
    assert "0132-2700000" in reply
    assert city_settings().helpline.office_hours["bn"] in reply


def test_complaint_is_not_pretended(chat) -> None:
    reply = _joined(chat("en-1", "the street light in ward 12 is not working since monday"))
    assert "no reference number" in reply
    assert not re.search(r"NG\d{6}", reply)


def test_feedback_is_stored_and_acknowledged_in_the_language(chat, database) -> None:
    from sqlalchemy import select

    reply = _joined(chat("hi-5", "नगर निगम के कर्मचारी आजकल बहुत अच्छा काम कर रहे हैं, शाबाश"))
    assert "दर्ज" in reply
    with session_scope(database) as session:
        stored = [f.text for f in session.execute(select(Feedback)).scalars()]
    assert stored == ["नगर निगम के कर्मचारी आजकल बहुत अच्छा काम कर रहे हैं, शाबाश"]
