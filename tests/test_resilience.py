"""The stack as `make serve` runs it (the repository's own endpoints.yml and credentials.yml), on the
embedded SQLite default and on PostgreSQL: conversations survive a restart of the rasa server and of
the action server in the middle of a complaint, on REST and on WhatsApp; hostile input always gets
an answer; a very long message is answered at once without holding up others; the readiness
endpoints check the databases; and normal operation logs no ERROR line.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from sqlalchemy import create_engine, select, text

from benchmark.stack import free_port, kill, start_action_server, start_rasa, stop_all
from conftest import POSTGRES, REPO, migrate, with_city
from nagarik.db.models import Citizen, Complaint
from nagarik.db.session import dispose, session_scope
from test_conversation import DEVANAGARI, REFERENCE
from test_whatsapp_integration import FakeGraph, Citizen_, _texts, graph, whatsapp_env  # noqa: F401 (graph: a fixture)

MODEL = REPO / "models" / "nagarik.tar.gz"
pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make train` first")


@dataclass
class Stack:
    """The action server and `rasa run` with the repository's endpoints.yml and credentials.yml."""

    database: str
    workdir: Path
    env: Dict[str, str]
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: Dict[str, Any] = field(default_factory=dict)
    logs: List[Path] = field(default_factory=list)

    def _log(self, name: str) -> Path:
        log = self.workdir / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        return log

    def start_actions(self) -> None:
        self.processes["actions"] = start_action_server(self.action_port, self.env, self._log("actions"), 90)

    def start_rasa(self) -> None:
        endpoints = self.workdir / "endpoints.yml"
        # The repository's file, with the action server's port of this test.
        endpoints.write_text((REPO / "endpoints.yml").read_text(encoding="utf-8").replace(
            "http://localhost:5055/webhook", f"http://127.0.0.1:{self.action_port}/webhook"), encoding="utf-8")
        self.processes["rasa"] = start_rasa(MODEL, endpoints, REPO / "credentials.yml", self.rasa_port, self.env,
                                            self._log("rasa"), 300, f"{self.url}/webhooks/health/ready")

    def kill(self, name: str) -> None:
        kill(self.processes.pop(name))

    def stop(self) -> None:
        stop_all(self.processes.values())
        self.processes.clear()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"


def _sqlite(tmp: Path) -> Tuple[str, Dict[str, str]]:
    url = f"sqlite:///{tmp / 'nagarik.db'}"
    migrate(url)
    return with_city(url), {}


def _postgres() -> Tuple[str, Dict[str, str]]:
    """A database of its own on the machine's PostgreSQL (the stack's processes connect to it by URL)."""
    name = f"nagarik_resilience_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    return with_city(url), {}


def _drop_postgres(url: str) -> None:
    dispose(url)
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, graph: FakeGraph, tmp_path_factory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp(f"stack-{request.param}")
    database, _ = _sqlite(workdir) if request.param == "sqlite" else _postgres()
    # Only DATABASE_URL: conversations go to the same database by default.
    env = whatsapp_env(graph, database, workdir)
    for name in ("NAGARIK_TRACKER_STORE_URL", "REDIS_URL", "RABBITMQ_URL", "NAGARIK_MAX_MESSAGE_CHARS"):
        env.pop(name, None)
    stack = Stack(database, workdir, env)
    stack.start_actions()
    stack.start_rasa()
    try:
        yield stack
    finally:
        stack.stop()
        if request.param == "postgresql":
            _drop_postgres(database)


def _post_json(url: str, payload: Any, timeout: float = 60) -> Tuple[int, Any]:
    body = json.dumps(payload, ensure_ascii=True).encode()  # lone surrogates travel as \\ud800 escapes
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def rest(stack: Stack, sender: str, message: Any) -> List[Dict[str, Any]]:
    status, replies = _post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200, f"REST answered {status}"
    return replies


def _rest_texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def _stored(database: str, phone: str) -> List[Tuple[str, int, str]]:
    with session_scope(database) as session:
        rows = session.execute(select(Complaint).join(Citizen).where(Citizen.phone == phone)).scalars().all()
        return [(c.category_code, c.ward, c.reference) for c in rows]


def _finish_by_rest(stack: Stack, sender: str, first: str) -> str:
    """Answers the remaining questions (skip the landmark, then yes) until a reference comes."""
    texts = first
    for _ in range(5):
        if REFERENCE.search(texts):
            return REFERENCE.findall(texts)[0]
        texts = _rest_texts(rest(stack, sender, "skip" if "skip" in texts.lower() or "स्किप" in texts else "हाँ"))
    raise AssertionError(f"no reference: {texts}")


# Conversations survive restarts.

def test_a_rest_conversation_goes_on_after_the_rasa_server_is_killed(stack: Stack) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    asked = _rest_texts(rest(stack, sender, "वार्ड 12 में स्ट्रीट लाइट तीन दिन से खराब है"))
    assert DEVANAGARI.search(asked) and not REFERENCE.search(asked)
    stack.kill("rasa")
    stack.start_rasa()
    # The answer to the question asked before the restart continues the same complaint: the category
    # and ward said before it are kept (a new conversation would not file a street light in ward 12).
    reference = _finish_by_rest(stack, sender, asked)
    assert _stored(stack.database, sender) == [("street_light", 12, reference)]


def test_a_whatsapp_conversation_goes_on_after_the_action_server_is_killed(stack: Stack, graph: FakeGraph) -> None:
    citizen = Citizen_(f"{stack.url}/webhooks/whatsapp/webhook", graph, f"91980{uuid.uuid4().int % 10**7:07d}")
    first = citizen.say("garbage has not been collected in ward 30 for a week near the school")
    assert first and not REFERENCE.search(_texts(first))
    stack.kill("actions")
    stack.start_actions()
    replies = citizen.say("yes")
    for _ in range(4):
        if REFERENCE.search(_texts(replies)):
            break
        replies = citizen.say("skip" if "skip" in _texts(replies).lower() else "yes")
    (reference,) = REFERENCE.findall(_texts(replies))[:1]
    assert _stored(stack.database, citizen.phone) == [("sanitation", 30, reference)]


# Hostile input: every message gets an answer, nothing fails with a 5xx.

HOSTILE_TEXTS = [
    "\ud800 पानी नहीं आ रहा \udfff",  # lone surrogates
    "street\x00 light\x07 \x1b[31m broken\r\n",  # control characters
    "12345",  # digits only
    "বাতি नहीं jal raha ward ১২",  # mixed scripts
    12,  # a number, not a string
    ["a", "list"],
    {"an": "object"},
    "",
]


@pytest.mark.parametrize("message", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_any_text_over_rest_gets_an_answer(stack: Stack, message: Any) -> None:
    replies = rest(stack, f"hostile-{uuid.uuid4().hex[:8]}", message)
    assert replies and any(reply.get("text") for reply in replies)


def test_bodies_that_are_not_objects_get_no_5xx(stack: Stack) -> None:
    for body in ([1, 2], "text", None, {"sender": ["x"], "message": "hello", "metadata": [1]}):
        status, _ = _post_json(f"{stack.url}/webhooks/rest/webhook", body)
        assert status < 500


@pytest.mark.parametrize("caption", [12, ["a", "list"], {"an": "object"}, "\ud800"], ids=["number", "list", "object", "surrogate"])
def test_an_image_with_any_caption_gets_an_answer(stack: Stack, graph: FakeGraph, caption: Any) -> None:
    citizen = Citizen_(f"{stack.url}/webhooks/whatsapp/webhook", graph, f"91981{uuid.uuid4().int % 10**7:07d}")
    replies = citizen.send({"type": "image", "image": {"id": "PHOTO1", "mime_type": "image/jpeg", "caption": caption}})
    assert replies, "no answer to an image with an odd caption"


def test_a_whatsapp_text_with_lone_surrogates_gets_an_answer(stack: Stack, graph: FakeGraph) -> None:
    citizen = Citizen_(f"{stack.url}/webhooks/whatsapp/webhook", graph, f"91982{uuid.uuid4().int % 10**7:07d}")
    assert citizen.say("नमस्ते \ud83d जी")


# A very long message.

def test_a_very_long_message_is_answered_at_once_and_holds_up_no_one(stack: Stack) -> None:
    rest(stack, "warm-up", "namaste")
    long_text = ("सड़क पर बहुत बड़ा गड्ढा है और पानी भरा रहता है " * 2500)[:100_000]

    def timed(sender: str, message: str) -> Tuple[float, List[Dict[str, Any]]]:
        start = time.perf_counter()
        replies = rest(stack, sender, message)
        return time.perf_counter() - start, replies

    with ThreadPoolExecutor(2) as pool:
        long_call = pool.submit(timed, f"long-{uuid.uuid4().hex[:8]}", long_text)
        time.sleep(0.05)
        short_call = pool.submit(timed, f"short-{uuid.uuid4().hex[:8]}", "namaste")
        (long_seconds, long_replies), (short_seconds, short_replies) = long_call.result(), short_call.result()
    print(f"100,000 characters answered in {long_seconds * 1000:.0f} ms; 'namaste' beside it in {short_seconds * 1000:.0f} ms")
    assert "100,000" in _rest_texts(long_replies) and "4,096" in _rest_texts(long_replies)
    assert DEVANAGARI.search(_rest_texts(long_replies))  # in the message's language
    assert short_replies
    # Generous bounds for a shared 2-core machine; the figures are printed above.
    assert long_seconds < 2 and short_seconds < 2


def test_the_category_question_comes_with_its_buttons(stack: Stack) -> None:
    # The menu's "report a problem" button: the form asks the category first.
    replies = rest(stack, f"category-{uuid.uuid4().hex[:8]}", "/report_complaint")
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons") or []]
    # Rasa's templating reads the doubled braces of domain.yml as text (and logs no error for them).
    assert '/inform{"complaint_category": "street_light"}' in payloads


# Health and readiness.

def _get(url: str) -> Tuple[int, Dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_readiness_checks_the_databases(stack: Stack) -> None:
    status, body = _get(f"{stack.url}/webhooks/health/ready")
    assert status == 200 and body["checks"] == {"model": "ok", "complaint_database": "ok", "conversation_database": "ok"}
    assert _get(f"{stack.url}/webhooks/health/live")[0] == 200
    status, body = _get(f"http://127.0.0.1:{stack.action_port}/ready")
    assert status == 200 and body["checks"] == {"complaint_database": "ok"}


def test_normal_operation_logs_no_error_lines(stack: Stack) -> None:
    """Run last in the module: every log of every server started so far, restarts included."""
    for log in stack.logs:
        errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line or "[error" in line]
        assert not errors, f"{log.name}: {errors[:3]}"
