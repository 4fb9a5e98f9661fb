"""Several rasa servers, Rasa's way, on this machine: two rasa servers and two action servers behind
HAProxy (Debian's package), with PostgreSQL (conversations and complaints) and Redis (Rasa's lock
store): the topology of deploy/ (docs/deploy.md), run with its own files (deploy/haproxy.cfg,
deploy/endpoints.yml) and the repository's credentials.yml.

Citizens hold complaint conversations over WhatsApp at the same time, in Hindi, Bengali and English,
and WhatsApp delivers some messages twice, both copies at the same moment (so that they reach
different servers). Then an officer changes every complaint's status while both servers deliver
notifications. Then more citizens start, and one rasa server is killed (SIGKILL) in the middle.

Checked: each message is handled once (its wamid appears in one user turn at most), each citizen's
replies arrive in the order of their conversation and each once, every complaint is filed once with
the reference the citizen was told, each status change reaches its citizen once, and after the kill
the other server carries every conversation to its end. What a killed server had accepted but not
yet handled is lost (the webhook was already answered 200, so WhatsApp does not send it again); a
citizen who hears nothing writes again. Replies it had released to its in-memory outbox but not yet
sent are lost too (the conversation and the complaint are kept): a citizen who never saw their
reference asks for their complaint's status. The numbers of both are printed.

Needs haproxy (`.ci/run` installs it); skipped without it or without a trained model.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import redis
from sqlalchemy import create_engine, select, text

from benchmark.stack import BIN, free_port, kill, start_action_server, stop_all, wait_healthy
from conftest import POSTGRES, REPO, migrate, with_city
from nagarik.db.complaints import change_status
from nagarik.db.models import Citizen, Complaint
from nagarik.db.session import dispose, session_scope
from nagarik.whatsapp import signature
from test_conversation import REFERENCE
from test_whatsapp_integration import SECRET, Citizen_, FakeGraph, _delivery, _post, _texts, graph, whatsapp_env  # noqa: F401 (graph: a fixture)

MODEL = REPO / "models" / "nagarik.tar.gz"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REDIS_URL = os.environ.get("NAGARIK_TEST_CLUSTER_REDIS", "redis://127.0.0.1:6379/14")
pytestmark = [
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make train` first"),
    pytest.mark.skipif(not Path(HAPROXY).exists(), reason="haproxy is not installed (apt-get install haproxy)"),
]

OPENINGS = [
    "वार्ड 12 में स्ट्रीट लाइट तीन दिन से खराब है",
    "১৪ নম্বর ওয়ার্ডে পাড়ার নর্দমা উপচে রাস্তায় জল জমে আছে",
    "garbage has not been collected in ward 30 for a week near the school",
    "ward 7 me paani ki pipe leak ho rahi hai",
]
YES = {"hi": "हाँ", "bn": "হ্যাঁ", "en": "yes"}
TRACK = {"hi": "मेरी शिकायत की स्थिति क्या है", "bn": "আমার অভিযোগের অবস্থা কী", "en": "what is the status of my complaint"}
SKIP_WORDS = ("*skip*", "*स्किप*", "*স্কিপ*")

DEPLOY = REPO / "deploy"


class Cluster:
    """Two action servers and two rasa servers behind HAProxy, sharing PostgreSQL and Redis."""

    def __init__(self, database: str, workdir: Path, graph: FakeGraph) -> None:
        self.database, self.workdir = database, workdir
        self.env = {
            **whatsapp_env(graph, database, workdir), "REDIS_URL": REDIS_URL,
            # A killed server's tickets block its conversations until they expire (Rasa's default 60 s).
            "TICKET_LOCK_LIFETIME": "10",
        }
        for name in ("NAGARIK_TRACKER_STORE_URL", "RABBITMQ_URL"):
            self.env.pop(name, None)
        self.action_ports = [free_port(), free_port()]
        self.rasa_ports = [free_port(), free_port()]
        self.balancer_port, self.balanced_actions_port = free_port(), free_port()
        self.processes: Dict[str, subprocess.Popen] = {}

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}/webhooks/whatsapp/webhook"

    def start(self) -> None:
        # deploy/haproxy.cfg itself, with loopback addresses.
        addresses = {"RASA_BIND": f"127.0.0.1:{self.balancer_port}", "ACTIONS_BIND": f"127.0.0.1:{self.balanced_actions_port}",
                     **{f"RASA{n}_ADDRESS": f"127.0.0.1:{port}" for n, port in enumerate(self.rasa_ports, start=1)},
                     **{f"ACTIONS{n}_ADDRESS": f"127.0.0.1:{port}" for n, port in enumerate(self.action_ports, start=1)}}
        config, balancer_env = DEPLOY / "haproxy.cfg", {**os.environ, **addresses}
        subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], check=True, env=balancer_env)
        self.processes["haproxy"] = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], env=balancer_env,
                                                     stdout=subprocess.DEVNULL, stderr=(self.workdir / "haproxy.log").open("wb"))
        for n, port in enumerate(self.action_ports, start=1):
            self.processes[f"actions{n}"] = start_action_server(port, self.env, self.workdir / f"actions{n}.log", 90)
        endpoints = DEPLOY / "endpoints.yml"  # the action servers at ACTION_SERVER_URL: the balancer
        self.env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{self.balanced_actions_port}/webhook"
        for n, port in enumerate(self.rasa_ports, start=1):  # both load their model at the same time
            command = [str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(endpoints),
                       "--credentials", str(REPO / "credentials.yml"), "--port", str(port)]
            self.processes[f"rasa{n}"] = subprocess.Popen(command, cwd=REPO, env=self.env, stderr=subprocess.STDOUT,
                                                          stdout=(self.workdir / f"rasa{n}.log").open("wb"))
        for n, port in enumerate(self.rasa_ports, start=1):
            wait_healthy(f"http://127.0.0.1:{port}/webhooks/health/ready", self.processes[f"rasa{n}"], 400,
                         self.workdir / f"rasa{n}.log")
        wait_healthy(f"http://127.0.0.1:{self.balancer_port}/webhooks/health/ready", self.processes["haproxy"], 30)

    def kill(self, name: str) -> None:
        kill(self.processes.pop(name))

    def stop(self) -> None:
        stop_all(self.processes.values())


class WhatsAppCitizen(Citizen_):
    """One citizen on WhatsApp, through the load balancer; some messages delivered twice at once."""

    def __init__(self, cluster: Cluster, graph: FakeGraph, phone: str, opening: str, seed: int) -> None:
        super().__init__(cluster.webhook, graph, phone)
        self.cluster, self.opening = cluster, opening
        self.random = random.Random(seed)
        self.sent: List[str] = []  # wamids, in order
        self.rewritten = 0  # messages written again after hearing nothing
        self.refused = 0  # deliveries not answered 200 (sent again, as WhatsApp does)
        self.asked = False  # asked for the complaint's status to learn its reference
        self.reference: Optional[str] = None

    def _deliver(self, body: bytes) -> None:
        copies = 2 if self.random.random() < 0.4 else 1  # WhatsApp's redelivery, both at the same moment
        threads = [threading.Thread(target=self._post_until_accepted, args=(body,)) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _post_until_accepted(self, body: bytes) -> None:
        """As WhatsApp does: a delivery not answered 200 is sent again (here at once, at most 5 times)."""
        for _ in range(5):
            status = _post(self.cluster.webhook, body, signature(body, SECRET))
            if status == 200:
                return
            self.refused += 1
            time.sleep(0.5)
        raise AssertionError(f"{self.phone}: a delivery was refused five times")

    def say(self, words: str, wait: float = 20) -> List[Dict[str, Any]]:
        """Sends, waits for the replies; writes again (a new message) if none come within `wait` seconds."""
        for attempt in range(3):
            wamid = f"wamid.{self.phone}.{len(self.sent) + 1}"
            self.sent.append(wamid)
            before = len(self.graph.to(self.phone))
            self._deliver(_delivery(self.phone, {"id": wamid, "type": "text", "text": {"body": words}}))
            replies = self._replies(before, wait)
            if replies:
                return replies
            self.rewritten += 1
        raise AssertionError(f"{self.phone}: no answer to {words!r} after writing it three times")

    def file_complaint(self, language: str, may_ask: bool = False) -> str:
        replies = self.say(self.opening)
        for _ in range(4):
            words = _texts(replies)
            if REFERENCE.search(words):
                self.reference = REFERENCE.findall(words)[0]
                return self.reference
            replies = self.say("skip" if any(w in words for w in SKIP_WORDS) else YES[language])
        if may_ask:
            # The reference went out with a killed server (its replies were released but not yet sent):
            # the complaint is filed, and the citizen asks about it, as anyone would.
            self.asked = True
            words = _texts(self.say(TRACK[language]))
            if REFERENCE.search(words):
                self.reference = REFERENCE.findall(words)[0]
                return self.reference
        raise AssertionError(f"{self.phone}: no reference: {_texts(replies)}")


def _language(opening: str) -> str:
    return "bn" if "ওয়ার্ড" in opening else "hi" if "वार्ड" in opening else "en"


def _conversation(database: str, phone: str) -> List[Dict[str, Any]]:
    engine = create_engine(database, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": phone})
            return [json.loads(row[0]) for row in rows]
    finally:
        engine.dispose()


def _complaints(database: str, phone: str) -> List[str]:
    with session_scope(database) as session:
        return list(session.execute(select(Complaint.reference).join(Citizen).where(Citizen.phone == phone)).scalars())


def _check_citizen(cluster: Cluster, graph: FakeGraph, citizen: WhatsAppCitizen, strict: bool) -> int:
    """Each message handled once, replies once and in order, one complaint with the told reference.
    Returns how many messages were lost (accepted by a killed server, never handled)."""
    events = _conversation(cluster.database, citizen.phone)
    handled = [e["message_id"] for e in events if e["event"] == "user"]
    assert len(handled) == len(set(handled)), f"{citizen.phone}: a message was handled twice"
    assert set(handled) <= set(citizen.sent)
    lost = len(citizen.sent) - len(handled)
    if strict:
        assert lost == 0 and citizen.rewritten == 0, f"{citizen.phone}: {lost} messages not answered"
    bot = [e.get("text") or "" for e in events if e["event"] == "bot"]
    received = [_texts([m]) for m in graph.to(citizen.phone)]
    # Every reply is one of the conversation's, in the same order and once: a subsequence of it (all of
    # it when nothing was lost).
    position = 0
    for reply in received:
        while position < len(bot) and bot[position].strip() != reply.strip():
            position += 1
        assert position < len(bot), f"{citizen.phone}: reply out of order or twice: {reply[:80]!r}"
        position += 1
    if strict:
        assert len(received) == len(bot), f"{citizen.phone}: {len(bot) - len(received)} replies missing"
    turns = [(e["event"], e.get("text") or e.get("name"), e.get("message_id")) for e in events
             if e["event"] in ("user", "bot") or (e["event"] == "action" and e.get("name", "").startswith("action_"))]
    assert _complaints(cluster.database, citizen.phone) == [citizen.reference], f"{citizen.phone}: {turns}"
    return lost


@pytest.fixture(scope="module")
def cluster(graph: FakeGraph, tmp_path_factory) -> Iterator[Cluster]:
    name = f"nagarik_cluster_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    migrate(database)
    with_city(database)
    # The conversations' table made once, before the servers start together (as on a deployment's
    # first start, docs/deploy.md): two servers creating it at the same moment log an error.
    subprocess.run([str(BIN / "python"), "-m", "stores.sql"], cwd=REPO, env={**os.environ, "DATABASE_URL": database}, check=True)
    # Locks a run that was stopped half-way may have left for these numbers (nothing else is touched).
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="lock:9197*"):
        client.delete(key)
    cluster = Cluster(database, tmp_path_factory.mktemp("cluster"), graph)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        dispose(database)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _citizens(cluster: Cluster, graph: FakeGraph, count: int, first: int) -> List[WhatsAppCitizen]:
    return [WhatsAppCitizen(cluster, graph, f"9197{first + n:08d}", OPENINGS[n % len(OPENINGS)], seed=first + n) for n in range(count)]


def _run(citizens: List[WhatsAppCitizen], may_ask: bool = False) -> None:
    with ThreadPoolExecutor(len(citizens)) as pool:
        for done in [pool.submit(c.file_complaint, _language(c.opening), may_ask) for c in citizens]:
            done.result()


def test_two_rasa_servers_answer_every_message_once_in_order_and_survive_losing_one(cluster: Cluster, graph: FakeGraph) -> None:
    # Both servers up: 12 citizens at once, redeliveries included.
    first = _citizens(cluster, graph, 12, first=1)
    _run(first)
    for citizen in first:
        _check_citizen(cluster, graph, citizen, strict=True)
    assert sum(citizen.refused for citizen in first) == 0

    # An officer moves every complaint; both servers' notifiers compete for the queue.
    before = {c.phone: len(graph.to(c.phone)) for c in first}
    with session_scope(cluster.database) as session:
        for complaint in session.execute(select(Complaint)).scalars():
            change_status(session, complaint, "assigned", actor="JE", note="team sent")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(graph.to(c.phone)) == before[c.phone] for c in first):
        time.sleep(0.2)
    time.sleep(2)  # a second copy, if any, would come now
    for citizen in first:
        notices = [m for m in graph.to(citizen.phone)[before[citizen.phone]:] if citizen.reference in _texts([m])]
        assert len(notices) == 1, f"{citizen.phone}: {len(notices)} status messages"

    # 12 more citizens; one rasa server is killed while they talk.
    second = _citizens(cluster, graph, 12, first=101)
    killer = threading.Timer(1.5, cluster.kill, args=("rasa1",))  # while the first messages are handled
    killer.start()
    _run(second, may_ask=True)
    killer.join()
    lost = sum(_check_citizen(cluster, graph, citizen, strict=False) for citizen in second)
    rewritten = sum(citizen.rewritten for citizen in second)
    refused = sum(citizen.refused for citizen in first + second)
    asked = sum(citizen.asked for citizen in second)
    print(f"\nafter killing rasa1: {lost} messages lost, {refused} deliveries refused and sent again, "
          f"{asked} citizens asked for their complaint's status to learn its reference, "
          f"{rewritten} written again, {len(second)} of {len(second)} conversations finished on rasa2")
    assert "rasa1" not in cluster.processes and cluster.processes["rasa2"].poll() is None
    assert lost <= rewritten  # every lost message was noticed by its citizen, who wrote again
