"""The benchmark's parts: what the citizens send, how replies are timed, what is written."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

import aiohttp

from benchmark import report
from benchmark.__main__ import UNLIMITED, cpu_ms_per_message, parse, setups
from benchmark.conversations import SCRIPTS, schedule
from benchmark.fake_graph import ACCESS_TOKEN, FakeGraph
from benchmark.load import Citizens, Outcome, Pacing, delivery
from benchmark.stack import APP_SECRET, ProcessWatch, tracker_store_yaml, tree_cpu_seconds, tree_rss_mb
from nagarik.whatsapp import parse_delivery, rasa_text, signature, signature_ok


def test_conversations_are_5_to_10_messages_in_three_languages() -> None:
    assert all(5 <= len(c.messages) <= 10 for c in SCRIPTS)
    assert {c.language for c in SCRIPTS} == {"en", "hi", "bn"}
    assert {c.kind for c in SCRIPTS} == {"complaint", "tracking", "covid", "ward"}


def test_the_schedule_uses_every_script_equally_and_repeatably() -> None:
    conversations = schedule(len(SCRIPTS) * 3)
    assert Counter(conversations) == {script: 3 for script in SCRIPTS}
    assert schedule(30) == schedule(30)
    assert len(schedule(7)) == 7


def test_a_delivery_is_signed_and_read_like_one_from_meta() -> None:
    body = delivery("919800000001", "wamid.bench.1", "वार्ड 19")
    assert signature_ok(body, signature(body, APP_SECRET), APP_SECRET)
    assert not signature_ok(body, signature(body, "another secret"), APP_SECRET)
    messages, statuses = parse_delivery(json.loads(body))
    assert statuses == [] and len(messages) == 1
    assert messages[0].sender == "919800000001" and messages[0].wamid == "wamid.bench.1"
    assert rasa_text(messages[0]) == "वार्ड 19"


def test_the_summary_has_the_figures_the_issue_names() -> None:
    outcome = Outcome(20, latencies_ms=[float(n) for n in range(1, 101)], errors=2, sent=102, seconds=10.0)
    summary = outcome.summary()
    assert summary["throughput_msgs_per_s"] == 10.0  # answered messages per second
    assert summary["p50_ms"] == 50.5 and summary["p95_ms"] == 95.0 and summary["p99_ms"] == 99.0
    assert summary["errors"] == 2 and summary["messages"] == 102


def _figures(throughput: float) -> dict:
    return {"throughput_msgs_per_s": throughput, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "rss_mb": 10, "errors": 0}


def test_the_document_has_the_agreed_shape() -> None:
    figures = {"project": {20: _figures(8.0), 100: _figures(9.0)}, "rasa_default": {20: _figures(2.0), 100: _figures(3.0)}}
    document = report.document(figures, [20, 100], {"think_seconds": 1.0})
    assert document["concurrency"] == 20
    assert document["project"]["throughput_msgs_per_s"] == 8.0
    assert document["rasa_default"]["p99_ms"] == 3.0
    assert document["at_100"]["concurrency"] == 100 and document["at_100"]["project"]["throughput_msgs_per_s"] == 9.0
    assert document["throughput_ratio"] == {"20": 4.0, "100": 3.0}
    for key in ("throughput_msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "rss_mb"):
        assert key in document["project"] and key in document["at_100"]["rasa_default"]
    assert "project" in report.table(figures, [20, 100])


def test_the_plot_is_written(tmp_path) -> None:
    figures = {"project": {20: _figures(8.0)}, "rasa_default": {20: _figures(2.0)}}
    report.plot(figures, [20], tmp_path / "benchmark.png")
    assert (tmp_path / "benchmark.png").read_bytes()[:4] == b"\x89PNG"


def test_only_nagarik_limits_the_messages_inside_rasa() -> None:
    """Rasa's default configuration is measured as a Rasa user runs it: no admission limit."""
    project, default = setups(parse([]))
    assert "WHATSAPP_MAX_CONCURRENT" not in project.extra_env
    assert default.extra_env["WHATSAPP_MAX_CONCURRENT"] == str(UNLIMITED)
    _, limited = setups(parse(["--default-max-concurrent", "3"]))
    assert limited.extra_env["WHATSAPP_MAX_CONCURRENT"] == "3"


def test_the_tracker_store_follows_the_database_url() -> None:
    postgres = tracker_store_yaml("postgresql://postgres@127.0.0.1:5432/nagarik_bench")
    assert "dialect: postgresql" in postgres and 'db: "nagarik_bench"' in postgres and "port: 5432" in postgres
    assert 'db: "/tmp/b.db"' in tracker_store_yaml("sqlite:////tmp/b.db")


def test_memory_is_read_for_a_process_tree() -> None:
    import os

    assert tree_rss_mb(os.getpid()) > 10
    assert tree_rss_mb(2 ** 22 + 7) == 0  # no such process


def test_the_cpu_time_a_process_tree_uses_while_watched_is_counted() -> None:
    """A child that computes for 0.4 s inside the watch, then sleeps, counts about 0.4 s."""
    import subprocess
    import sys

    busy = ("import sys, time\nsys.stdin.readline()\n"
            "end = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
            "print('done', flush=True)\ntime.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", busy], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    async def watched() -> ProcessWatch:
        with ProcessWatch({"child": child}, interval=0.05) as watch:
            # The work starts inside the watch and is waited for, so a loaded machine cannot move
            # any of it outside.
            child.stdin.write("go\n")
            child.stdin.flush()
            assert await asyncio.to_thread(child.stdout.readline) == "done\n"
            await asyncio.sleep(0.2)
        return watch

    try:
        watch = asyncio.run(watched())
        assert 0.35 <= watch.cpu_seconds["child"] <= 0.8
        assert watch.peaks_mb["child"] > 1
        assert tree_cpu_seconds(2 ** 22 + 7) == 0  # no such process
    finally:
        child.kill()
        child.wait()


def test_a_process_that_ends_while_watched_has_no_cpu_figure() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)

    async def watched() -> ProcessWatch:
        with ProcessWatch({"child": child}) as watch:
            child.communicate("\n".encode())
        return watch

    assert asyncio.run(watched()).cpu_seconds == {"child": None}


def test_cpu_per_message_is_only_given_where_it_can_be_told() -> None:
    assert cpu_ms_per_message({"rasa": 2.0, "gone": None}, 100) == {"rasa": 20.0, "gone": None}
    assert cpu_ms_per_message({"rasa": 2.0}, 0) == {"rasa": None}


def test_the_fake_graph_times_each_reply_and_waits_for_the_turn_to_end() -> None:
    async def scenario() -> None:
        graph = FakeGraph()
        url = await graph.start()
        try:
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}) as http:
                waiter = asyncio.create_task(graph.next_reply("91981", 0, 5))
                async with http.post(f"{url}/123/messages", json={"to": "91981", "type": "text"}) as response:
                    assert response.status == 200 and (await response.json())["messages"][0]["id"]
                assert await waiter == graph.arrivals["91981"][0]
                assert await graph.next_reply("91981", 1, 0.2) is None  # no second reply
                async with http.post(f"{url}/123/messages", json={"to": "91981"}, headers={"Authorization": "Bearer x"}) as bad:
                    assert bad.status == 401
            await graph.quiet("91981", 0.05, 1)
            assert graph.count("91981") == 1
        finally:
            await graph.stop()

    asyncio.run(scenario())



def test_citizens_start_one_after_another_over_the_ramp(monkeypatch) -> None:
    started = []

    async def converse(self, http, phone, conversation, outcome, rng) -> None:
        started.append(time.monotonic())
        await asyncio.sleep(0.5)  # still talking when the next citizen starts

    monkeypatch.setattr(Citizens, "_converse", converse)
    citizens = Citizens("http://127.0.0.1:9/webhook", None, Pacing(ramp=0.4))
    asyncio.run(citizens.run(list(SCRIPTS)[:4], 4, "91999"))
    offsets = [round(moment - started[0], 1) for moment in started]
    assert offsets == [0.0, 0.1, 0.2, 0.3]
