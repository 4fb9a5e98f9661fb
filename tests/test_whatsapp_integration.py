"""End to end over WhatsApp: a real `rasa run` with the WhatsApp channel and the action server,
a local fake Graph API, and signed webhook deliveries as Meta sends them.

Complaints are filed in Hindi, Bengali and English; the replies' language and buttons, the stored
complaint with its photo, a redelivered message answered once, and an officer's status change
reaching the citizen are checked.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from sqlalchemy import select

from conftest import REPO, migrate, with_city
from nagarik.db.complaints import change_status
from nagarik.db.models import Citizen, Complaint
from nagarik.db.session import session_scope
from nagarik.whatsapp import signature
from benchmark.stack import free_port, start_action_server, start_whatsapp_rasa, whatsapp_webhook
from test_conversation import BENGALI, DEVANAGARI, REFERENCE

MODEL = REPO / "models" / "nagarik.tar.gz"
SECRET = "integration-secret"
PHONE_ID = "106540352242922"
PHOTO = b"\xff\xd8\xff\xe0 a small jpeg"

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make train` first")


class FakeGraph(ThreadingHTTPServer):
    """The Graph API's /messages and media endpoints; keeps what the assistant sent, per number."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GraphHandler)
        self.sent: List[Dict[str, Any]] = []
        self.lock = threading.Lock()

    def to(self, phone: str) -> List[Dict[str, Any]]:
        with self.lock:
            return [m for m in self.sent if m.get("to") == phone]


class _GraphHandler(BaseHTTPRequestHandler):
    server: FakeGraph

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _json(self, payload: Dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        assert self.headers["Authorization"] == "Bearer test-token"
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.sent.append(message)
            count = len(self.server.sent)
        self._json({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.OUT{count}"}]})

    def do_GET(self) -> None:
        assert self.headers["Authorization"] == "Bearer test-token"
        if self.path == "/PHOTO1":
            host, port = self.server.server_address
            self._json({"url": f"http://{host}:{port}/files/photo1", "mime_type": "image/jpeg", "id": "PHOTO1"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(PHOTO)))
        self.end_headers()
        self.wfile.write(PHOTO)


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    server = FakeGraph()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def whatsapp_env(graph: FakeGraph, database: str, workdir: Path) -> Dict[str, str]:
    """The servers' environment: this database, the WhatsApp channel pointed at the fake Graph API."""
    host, port = graph.server_address
    return {
        **os.environ,
        "DATABASE_URL": database,
        "NAGARIK_MEDIA_DIR": str(workdir / "media"),
        "WHATSAPP_VERIFY_TOKEN": "verify-me",
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_ACCESS_TOKEN": "test-token",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "WHATSAPP_API_BASE": f"http://{host}:{port}",
        "RASA_TELEMETRY_ENABLED": "false",
        "WHATSAPP_NOTIFY_SECONDS": "0.5",
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('wa-db') / 'nagarik.db'}"
    migrate(url)
    return with_city(url)


@pytest.fixture(scope="module")
def webhook(graph: FakeGraph, database: str, tmp_path_factory) -> Iterator[str]:
    """The URL of a running `rasa run` with the WhatsApp channel, and its action server."""
    workdir = tmp_path_factory.mktemp("wa-run")
    env = whatsapp_env(graph, database, workdir)
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, env, workdir / "actions.log", 60)
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8")
    rasa = start_whatsapp_rasa(MODEL, endpoints, rasa_port, env, workdir, 240)
    try:
        yield whatsapp_webhook(rasa_port)
    finally:
        for process in (rasa, actions):
            process.terminate()
            process.wait(timeout=30)


def _post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _delivery(phone: str, message: Dict[str, Any]) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_ID},
             "contacts": [{"profile": {"name": "Citizen"}, "wa_id": phone}],
             "messages": [{"from": phone, "timestamp": str(int(time.time())), **message}]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}]}).encode()


class Citizen_:
    """One citizen's WhatsApp: sends signed deliveries, waits for the assistant's replies."""

    def __init__(self, webhook: str, graph: FakeGraph, phone: str) -> None:
        self.webhook, self.graph, self.phone, self.count = webhook, graph, phone, 0

    def send(self, message: Dict[str, Any], wamid: str = "", wait: float = 30) -> List[Dict[str, Any]]:
        self.count += 1
        body = _delivery(self.phone, {"id": wamid or f"wamid.{self.phone}.{self.count}", **message})
        before = len(self.graph.to(self.phone))
        assert _post(self.webhook, body, signature(body, SECRET)) == 200
        return self._replies(before, wait)

    def say(self, text: str) -> List[Dict[str, Any]]:
        return self.send({"type": "text", "text": {"body": text}})

    def _replies(self, before: int, seconds: float = 30) -> List[Dict[str, Any]]:
        """The replies to this message: waits for the first, then until no more come for a moment."""
        deadline, quiet_since, seen = time.monotonic() + seconds, None, before
        while time.monotonic() < deadline:
            now = len(self.graph.to(self.phone))
            if now > seen:
                seen, quiet_since = now, time.monotonic()
            elif quiet_since and time.monotonic() - quiet_since > 1.5:
                break
            time.sleep(0.1)
        return self.graph.to(self.phone)[before:]


def _texts(replies: List[Dict[str, Any]]) -> str:
    parts = []
    for reply in replies:
        if reply["type"] == "text":
            parts.append(reply["text"]["body"])
        elif reply["type"] == "interactive":
            parts.append(reply["interactive"]["body"]["text"])
    return "\n".join(parts)


def _file(citizen: Citizen_, first: List[Dict[str, Any]], yes: Dict[str, Any]) -> str:
    """Answers the form's remaining questions (skips the landmark) until a reference comes."""
    replies = first
    for _ in range(5):
        text = _texts(replies)
        if REFERENCE.search(text):
            return REFERENCE.findall(text)[0]
        if any(word in text for word in ("*skip*", "*स्किप*", "*স্কিপ*")):
            replies = citizen.say("skip")
        else:
            replies = citizen.send(yes)
    raise AssertionError(f"no reference: {_texts(replies)}")


def _stored(database: str, phone: str) -> List[tuple]:
    with session_scope(database) as session:
        rows = session.execute(select(Complaint).join(Citizen).where(Citizen.phone == phone)).scalars().all()
        return [(c.reference, c.category_code, c.ward, c.language, [a.media_type for a in c.attachments],
                 [a.path for a in c.attachments]) for c in rows]


def test_hindi_complaint_with_a_photo_through_whatsapp(webhook: str, graph: FakeGraph, database: str) -> None:
    citizen = Citizen_(webhook, graph, "919800002001")
    first = citizen.say("वार्ड 12 में स्ट्रीट लाइट तीन दिन से खराब है")
    assert DEVANAGARI.search(_texts(first))
    photo = citizen.send({"type": "image", "image": {"id": "PHOTO1", "mime_type": "image/jpeg", "sha256": "x",
                                                      "caption": "यह रहा खंभा"}})
    assert DEVANAGARI.search(_texts(photo))
    yes_button = {"type": "interactive", "interactive": {"type": "button_reply",
                                                         "button_reply": {"id": "/affirm", "title": "हाँ, दर्ज करें"}}}
    reference = _file(citizen, photo, yes_button)
    ((stored_reference, category, ward, language, media, paths),) = _stored(database, citizen.phone)
    assert (stored_reference, category, ward, language, media) == (reference, "street_light", 12, "hi", ["image/jpeg"])
    assert Path(paths[0]).read_bytes() == PHOTO


def test_bengali_complaint_with_buttons_and_a_redelivery_answered_once(webhook: str, graph: FakeGraph, database: str) -> None:
    citizen = Citizen_(webhook, graph, "919800002002")
    first = citizen.send({"type": "text", "text": {"body": "পাড়ার নর্দমা উপচে রাস্তায় জল জমে আছে"}}, wamid="wamid.BN1")
    assert BENGALI.search(_texts(first))
    again = citizen.send({"type": "text", "text": {"body": "পাড়ার নর্দমা উপচে রাস্তায় জল জমে আছে"}}, wamid="wamid.BN1", wait=6)
    assert again == []  # WhatsApp's retry of the same message: no second answer
    replies = citizen.say("১৪ নম্বর ওয়ার্ড")
    reference = _file(citizen, replies, {"type": "text", "text": {"body": "হ্যাঁ"}})
    assert BENGALI.search(_texts(replies))
    ((stored_reference, category, ward, language, _, _),) = _stored(database, citizen.phone)
    assert (stored_reference, category, ward, language) == (reference, "sewerage", 14, "bn")
    summary = [r for r in graph.to(citizen.phone) if r["type"] == "interactive"]
    assert summary, "the summary to confirm comes with buttons"
    buttons = summary[-1]["interactive"]["action"].get("buttons") or []
    assert {b["reply"]["id"] for b in buttons} >= {"/affirm"} and all(len(b["reply"]["title"]) <= 20 for b in buttons)


def test_english_complaint_and_unsupported_voice_note(webhook: str, graph: FakeGraph, database: str) -> None:
    citizen = Citizen_(webhook, graph, "919800002003")
    voice = citizen.send({"type": "audio", "audio": {"id": "AUDIO1", "mime_type": "audio/ogg"}})
    assert "voice notes" in _texts(voice) or "वॉइस नोट" in _texts(voice)
    first = citizen.say("garbage has not been collected in ward 30 for a week near the school")
    assert not DEVANAGARI.search(_texts(first)) and not BENGALI.search(_texts(first))
    reference = _file(citizen, first, {"type": "text", "text": {"body": "yes"}})
    ((stored_reference, category, ward, language, _, _),) = _stored(database, citizen.phone)
    assert (stored_reference, category, ward, language) == (reference, "sanitation", 30, "en")
    pin = citizen.send({"type": "location", "location": {"latitude": 29.9612, "longitude": 77.5333}})
    assert "Ward 34" in _texts(pin)

    # An officer moves it: the citizen is told on WhatsApp, in English, without writing first.
    before = len(graph.to(citizen.phone))
    with session_scope(database) as session:
        complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
        change_status(session, complaint, "assigned", actor="JE Sanitation", note="truck sent")
    update = _texts(citizen._replies(before))
    assert reference in update and "assigned to the department" in update and "truck sent" in update


def test_unsigned_deliveries_are_refused(webhook: str) -> None:
    body = _delivery("919800002004", {"id": "wamid.X", "type": "text", "text": {"body": "hi"}})
    assert _post(webhook, body, "sha256=" + "0" * 64) == 403
    verify = urllib.request.urlopen(f"{webhook}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42", timeout=5)
    assert verify.read() == b"42"
