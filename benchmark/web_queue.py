"""How fast the complaint queue pages at 100,000 complaints: `python -m benchmark.web_queue` (`make web-bench`).

Recreates BENCH_DATABASE_URL's database (default postgresql://postgres@127.0.0.1:5432/nagarik_web_bench),
fills it with complaints spread over 70 wards, 8 categories, every status and a year of filing dates,
starts `nagarik web` on it, and times the queue's pages over HTTP as an officer's browser asks for them
(the page's HTML, the server's queries included), printing the median and the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Dict, List, Tuple

import requests
from sqlalchemy import create_engine, insert, select, text

from benchmark.stack import free_port, fresh_database, start_server
from nagarik.db.catalog import CONTRACT_CATEGORIES
from nagarik.db.complaints import STATUSES, reference_for_id
from nagarik.db.models import Assignment, Category, Citizen, Complaint, StatusEvent, utcnow
from nagarik.db.officers import add_officer
from nagarik.db.session import dispose, session_scope

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/nagarik_web_bench"
PASSWORD = "benchmark password"
CITIZENS = 20_000


def fill(url: str, count: int, seed: int = 7) -> None:
    """`count` complaints with their citizens, a tenth of them assigned to the bench's officer, and a
    'resolved' event for each resolved or closed one."""
    chooser = random.Random(seed)
    now = utcnow()
    with session_scope(url) as session:
        officer = add_officer(session, "bench officer", PASSWORD, "department", department="jalkal")
        add_officer(session, "bench admin", PASSWORD, "admin")
        officer_id = officer.id
        sla = {c.code: (c.department_code, c.sla_hours) for c in session.execute(select(Category)).scalars()}
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(insert(Citizen), [{"id": i, "phone": f"9198{i:08d}", "preferred_language": "hi", "created_at": now}
                                             for i in range(1, CITIZENS + 1)])
        rows, assigned, events = [], [], []
        for i in range(1, count + 1):
            category = CONTRACT_CATEGORIES[chooser.randrange(len(CONTRACT_CATEGORIES))]
            created = now - timedelta(minutes=chooser.randrange(365 * 24 * 60))
            rows.append({
                "id": i, "reference": reference_for_id(i), "citizen_id": chooser.randrange(1, CITIZENS + 1),
                "category_code": category, "department_code": sla[category][0], "ward": chooser.randrange(1, 71),
                "locality": "Shastri Nagar", "description": "bench complaint", "language": chooser.choice(("hi", "bn", "en")),
                "status": chooser.choice(STATUSES), "due_at": created + timedelta(hours=sla[category][1]),
                "created_at": created, "updated_at": created,
            })
            if rows[-1]["status"] in ("resolved", "closed"):  # what the dashboard's resolution figures read
                events.append({"complaint_id": i, "from_status": "in_progress", "to_status": "resolved", "actor": "bench",
                               "created_at": min(now, created + timedelta(hours=chooser.randrange(1, 240)))})
            if i % 10 == 0:
                assigned.append({"complaint_id": i, "officer_id": officer_id, "assigned_by": "bench", "assigned_at": now})
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Complaint), rows[start:start + 10_000])
        connection.execute(insert(Assignment), assigned)
        connection.execute(insert(StatusEvent), events)
        for table in ("citizens", "complaints"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


class Client:
    def __init__(self, base: str, name: str) -> None:
        self.base, self.http = base, requests.Session()
        form = self.http.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        self.http.post(f"{base}/login", data={"csrf_token": token, "name": name, "password": PASSWORD}).raise_for_status()

    def timed(self, path: str, repeats: int) -> Tuple[List[float], str]:
        times, body = [], ""
        for _ in range(repeats):
            start = time.perf_counter()
            reply = self.http.get(f"{self.base}{path}")
            times.append((time.perf_counter() - start) * 1000)
            reply.raise_for_status()
            body = reply.text
        return times, body


def pages(count: int) -> Dict[str, Tuple[str, str]]:
    """name -> (officer, path) of what officers ask the queue for."""
    last = -(-count // 50)
    return {
        "first page, newest first": ("admin", "/complaints?sort=created&desc=1"),
        "page 2": ("admin", "/complaints?page=2"),
        f"last page ({last})": ("admin", f"/complaints?page={last}"),
        "status=received": ("admin", "/complaints?status=received"),
        "ward=12, by due time": ("admin", "/complaints?ward=12&sort=due"),
        "overdue": ("admin", "/complaints?overdue=1"),
        "category + date range": ("admin", "/complaints?category=roads&from=2026-06-01&to=2026-08-31"),
        "search by reference": ("admin", f"/complaints?q={reference_for_id(count // 2)}"),
        "search by number's last digits": ("admin", "/complaints?q=00012345"),
        "department officer's queue": ("officer", "/complaints"),
        "department officer, mine": ("officer", "/complaints?mine=1"),
        "CSV export, ward 12 (~1,400 rows)": ("admin", "/complaints.csv?ward=12"),
        "dashboard (admin: all 100,000)": ("admin", "/dashboard"),
    }


def _matching(path: str, body: str) -> str:
    total = re.search(r'id="total">([^<]+)<', body)
    if total:
        return total.group(1)
    return f"{body.count(chr(10)) - 1} rows" if ".csv" in path else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    start = time.perf_counter()
    fresh_database(url)  # migrated, with the sample city's departments, categories and wards
    fill(url, args.complaints)
    dispose(url)
    print(f"filled {args.complaints:,} complaints in {time.perf_counter() - start:.1f} s ({url})")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as media:
        env = {**os.environ, "NAGARIK_MEDIA_DIR": media, "PYTHONWARNINGS": "ignore"}
        server = start_server([sys.executable, "-m", "nagarik.cli", "--database", url, "web", "--port", str(port)],
                              env, f"{base}/login", Path(media) / "web.log")
        try:
            clients = {"admin": Client(base, "bench admin"), "officer": Client(base, "bench officer")}
            print(f"{'request':<40} {'median ms':>10} {'p95 ms':>8}  matching")
            for name, (who, path) in pages(args.complaints).items():
                clients[who].timed(path, 2)  # warm the server's and the database's caches
                times, body = clients[who].timed(path, args.repeats)
                print(f"{name:<40} {statistics.median(times):>10.1f} {statistics.quantiles(times, n=20)[-1]:>8.1f}  "
                      f"{_matching(path, body)}")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
