"""`python -m benchmark`: the whole stack under load, Nagarik and Rasa's default configuration in
the same run. See the package docstring and README "Performance"."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from tqdm import tqdm

from benchmark import report
from benchmark.conversations import SCRIPTS, schedule
from benchmark.fake_graph import FakeGraph
from benchmark.load import Citizens, Pacing
from benchmark.stack import DEFAULT_DATABASE, REPO, THREADED_SQL_STORE, ProcessWatch, Setup, Stack, fresh_database


# More messages than any level ever has in flight: in effect, no admission limit.
UNLIMITED = 100_000


def _project_tracker_store(args: argparse.Namespace) -> str:
    return "SQL" if args.rasa_tracker_store else THREADED_SQL_STORE


def setups(args: argparse.Namespace) -> List[Setup]:
    project = Setup("project", args.model, sanic_workers=args.workers, action_workers=args.action_workers,
                    redis_lock_store=args.workers > 1, selective_domain=True, tracker_store=_project_tracker_store(args))
    # What a Rasa user gets out of the box: the default configuration, one Sanic worker, and every
    # webhook delivery let into Rasa at once (no channel of Rasa's limits them).
    default = Setup("rasa_default", args.baseline_model,
                    extra_env={"WHATSAPP_MAX_CONCURRENT": str(args.default_max_concurrent)})
    return [s for s in (project, default) if s.name in args.only]


def cpu_ms_per_message(cpu_seconds: Dict[str, Optional[float]], answered: int) -> Dict[str, Optional[float]]:
    """Each process's CPU milliseconds per answered message; None where it cannot be told (no
    message answered, or the process ended while measured)."""
    return {name: round(seconds * 1000 / answered, 1) if seconds is not None and answered else None
            for name, seconds in cpu_seconds.items()}


async def measure(setup: Setup, args: argparse.Namespace, graph: FakeGraph, workdir: Path) -> Dict[int, Dict[str, Any]]:
    await asyncio.to_thread(fresh_database, args.database_url)
    stack = Stack(setup, args.database_url, graph.base_url, workdir)
    print(f"starting {setup.name}: {setup.model.name}, {setup.sanic_workers} Sanic worker(s)", flush=True)
    webhook = await asyncio.to_thread(stack.start)
    figures: Dict[int, Dict[str, Any]] = {}
    try:
        # Untimed: the first messages build TensorFlow's graphs and open the connection pools.
        await Citizens(webhook, graph, Pacing(think=0.2)).run(list(SCRIPTS), 6, f"916{len(setup.name):02d}")
        for index, level in enumerate(args.concurrency):
            # At least one conversation per concurrent citizen, or fewer would be writing at once.
            conversations = schedule(max(args.conversations, level), seed=level)
            total = sum(len(c.messages) for c in conversations)
            own_cpu = time.process_time()
            with tqdm(total=total, desc=f"{setup.name} @ {level}", unit="msg", leave=False) as bar, \
                    ProcessWatch(stack.processes) as watch:
                outcome = await Citizens(webhook, graph, Pacing(think=args.think, ramp=args.ramp), bar).run(
                    conversations, level, f"91{7 + index}{len(setup.name):02d}")
            # This process: the simulated citizens and the fake Graph API.
            watch.cpu_seconds["citizens_and_graph"] = time.process_time() - own_cpu
            figures[level] = {**outcome.summary(), "rss_mb": round(sum(watch.peaks_mb.values())),
                              "rss_mb_by_process": {k: round(v) for k, v in watch.peaks_mb.items()},
                              "cpu_ms_per_msg_by_process": cpu_ms_per_message(
                                  watch.cpu_seconds, len(outcome.latencies_ms))}
            print(f"{setup.name} @ {level}: {figures[level]}", flush=True)
    finally:
        stack.stop()
    return figures


async def bench(args: argparse.Namespace) -> Dict[str, Dict[int, Dict[str, Any]]]:
    graph = FakeGraph()
    await graph.start()
    figures = {}
    try:
        with tempfile.TemporaryDirectory(prefix="nagarik-bench-") as workdir:
            for setup in setups(args):
                figures[setup.name] = await measure(setup, args, graph, Path(workdir))
    finally:
        await graph.stop()
    return figures


def _missing(args: argparse.Namespace) -> Optional[str]:
    for setup in setups(args):
        if not setup.model.exists():
            target = "make train" if setup.name == "project" else "make train-baseline"
            return f"no trained model at {setup.model}: run `{target}` first"
    return None


def parse(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--conversations", type=int, default=120,
                        help="conversations per concurrency level, each from its own number (default 120)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a citizen takes to answer (default 1)")
    parser.add_argument("--ramp", type=float, default=1.5,
                        help="seconds over which the citizens start, one after another (default 1.5; 0: all at once)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SANIC_WORKERS", 1)),
                        help="Sanic workers of Nagarik's rasa server (more than 1 uses the Redis lock store)")
    parser.add_argument("--action-workers", type=int, default=1)
    parser.add_argument("--default-max-concurrent", type=int, default=UNLIMITED,
                        help="WHATSAPP_MAX_CONCURRENT for Rasa's default configuration (default: no limit)")
    parser.add_argument("--rasa-tracker-store", action="store_true",
                        help="Nagarik with Rasa's own SQLTrackerStore instead of stores.sql.ThreadedSQLTrackerStore")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
                        help="recreated for each setup (default: PostgreSQL database nagarik_bench)")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "nagarik.tar.gz")
    parser.add_argument("--baseline-model", type=Path, default=REPO / "models" / "rasa_default.tar.gz")
    parser.add_argument("--only", nargs="+", choices=["project", "rasa_default"], default=["project", "rasa_default"])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)
    problem = _missing(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    figures = asyncio.run(bench(args))
    settings = {
        "think_seconds": args.think, "ramp_seconds": args.ramp, "conversations_per_level": args.conversations, "project_sanic_workers": args.workers,
        "project_action_workers": args.action_workers, "database": args.database_url.split("://")[0],
        "project_tracker_store": _project_tracker_store(args),
        "rasa_default_max_concurrent": args.default_max_concurrent,
        "cpus": os.cpu_count(), "python": platform.python_version(),
    }
    document = report.document(figures, args.concurrency, settings)
    path = report.write(document, args.out)
    if len(figures) > 0:
        report.plot(figures, args.concurrency, args.out / "benchmark.png")
    print(report.table(figures, args.concurrency))
    print(f"written: {path} and {args.out / 'benchmark.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
