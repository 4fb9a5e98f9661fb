"""The workspace's parts without a server: texts in three languages, accounts on the command line,
the queue's filters and the dashboard's figures (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, true, update

from nagarik.cli import main
from nagarik.db.complaints import NewComplaint, change_status, file_complaint
from nagarik.db.dashboard import dashboard
from nagarik.db.models import Complaint, Officer, utcnow
from nagarik.db.officers import ROLES, Scope, log_in, session_officer
from nagarik.db.queue import SORTS, ComplaintFilter, queue_page
from nagarik.db.session import session_scope
from nagarik.web.i18n import STRINGS
from nagarik.web.pages import mask_phone
from nagarik.web.svg import ward_map

TEMPLATES = Path(__file__).resolve().parent.parent / "nagarik" / "web" / "templates"
WEB_CODE = Path(__file__).resolve().parent.parent / "nagarik" / "web"


def test_every_text_exists_in_english_hindi_and_bengali() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == {"en", "hi", "bn"} and all(t.strip() for t in texts.values()), key
        placeholders = {language: set(re.findall(r"{(\w+)}", text)) for language, text in texts.items()}
        assert placeholders["hi"] == placeholders["en"] == placeholders["bn"], key


def test_every_key_the_pages_use_is_defined() -> None:
    used = set()
    for path in list(TEMPLATES.glob("*.html")) + [p for p in WEB_CODE.glob("*.py") if p.name != "i18n.py"]:
        used |= set(re.findall(r'\bt\(\s*["\'](\w+)["\']\s*[,)]', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'Refusal\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    # Keys made from a role or a sort order's name.
    used |= {f"role_{role}" for role in ROLES} | {f"sort_{sort}" for sort in SORTS}
    assert len(used) > 100 and used - set(STRINGS) == set()


def test_users_add_reads_the_password_from_standard_input(db_url: str, monkeypatch) -> None:
    def run(*argv: str, stdin: str = "a long enough password\n"):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        out = io.StringIO()
        return main(["--database", db_url, "users", "add", *argv], out=out), out.getvalue()

    assert run("JE Sharma", "--role", "department", "--department", "jalkal") == (0, "added JE Sharma (department; jalkal)\n")
    assert run("Ward 12 office", "--role", "ward", "--ward", "12", "13")[0] == 0
    assert run("Too short", "--role", "viewer", stdin="short\n")[0] == 1
    assert run("No department", "--role", "department")[0] == 1
    assert run("Unknown", "--role", "department", "--department", "parks")[0] == 1
    assert run("JE Sharma", "--role", "viewer")[0] == 1  # the name is taken
    with session_scope(db_url) as session:
        officers = {o.name: (o.role, o.department_code, o.wards) for o in session.execute(select(Officer)).scalars()}
        stored = session.execute(select(Officer.password_hash)).scalars().first()
    assert officers == {"JE Sharma": ("department", "jalkal", []), "Ward 12 office": ("ward", None, [12, 13])}
    assert stored.startswith("$argon2") and "a long enough password" not in stored
    with session_scope(db_url) as session:
        token = log_in(session, "JE Sharma", "a long enough password").token
        assert session_officer(session, token).scope == Scope("jalkal", None)
    assert main(["--database", db_url, "users", "disable", "JE Sharma"], out=io.StringIO()) == 0
    assert main(["--database", db_url, "users", "disable", "Nobody"], out=io.StringIO()) == 1
    with session_scope(db_url) as session:
        assert session_officer(session, token) is None
        assert log_in(session, "JE Sharma", "a long enough password").token is None


def _file(url: str, phone: str, category: str, ward: int) -> str:
    with session_scope(url) as session:
        return file_complaint(session, NewComplaint(phone=phone, category=category, ward=ward, language="en")).reference


def test_queue_filters_search_and_sorting(db_url: str) -> None:
    old = _file(db_url, "919800001111", "roads", 5)
    new = _file(db_url, "919800002222", "street_light", 6)
    with session_scope(db_url) as session:
        session.execute(update(Complaint).where(Complaint.reference == old).values(
            created_at=utcnow() - timedelta(days=10), due_at=utcnow() - timedelta(days=3)))

    def refs(scope=true(), **chosen):
        with session_scope(db_url) as session:
            rows, total = queue_page(session, ComplaintFilter(**chosen), scope)
        assert total == len(rows)
        return [row.reference for row in rows]

    assert refs() == [old, new] and refs(descending=True) == [new, old]
    assert refs(overdue=True) == [old]
    assert refs(search="2222") == [new] and refs(search=new.lower()) == [new] and refs(search="zz") == []
    assert refs(created_from=date.today() - timedelta(days=1)) == [new]
    assert refs(created_to=date.today() - timedelta(days=5)) == [old]
    assert refs(sort="ward", descending=True) == [new, old]
    assert refs(scope=Scope(wards=(5,)).clause()) == [old]
    assert refs(scope=Scope(department="street_lighting").clause()) == [new]
    assert refs(scope=Scope(wards=()).clause()) == []


def test_dashboard_figures_within_the_scope(db_url: str) -> None:
    fast, slow, other = (_file(db_url, f"91980000{i}", "roads", 7) for i in range(3))
    _file(db_url, "919800000009", "sanitation", 8)
    with session_scope(db_url) as session:
        for reference in (fast, slow):
            complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
            for status in ("assigned", "in_progress", "resolved"):
                change_status(session, complaint, status, actor="JE")
        # The slow one took 10 days, past its SLA.
        session.execute(update(Complaint).where(Complaint.reference == slow).values(
            created_at=utcnow() - timedelta(days=10), due_at=utcnow() - timedelta(days=3)))
    with session_scope(db_url) as session:
        figures = dashboard(session, Scope(department="construction").clause())
    assert figures.by_status == {"resolved": 2, "received": 1} and figures.open_count == 1
    assert set(figures.by_category) == {"roads"} and figures.by_ward == [(7, 3)]
    assert figures.resolved_within_sla == 0.5
    assert 4 * 24 < figures.median_hours_to_resolve < 6 * 24  # halfway between ~0 and 10 days
    assert sum(received for _, received, _ in figures.weeks) >= 2 and sum(r for _, _, r in figures.weeks) == 2
    assert [row[0] for row in figures.oldest_open] == [other]


def test_masking_and_the_map() -> None:
    assert mask_phone("919800001234") == "••••••••1234"
    square = {"type": "Polygon", "coordinates": [[[77.5, 29.93], [77.51, 29.93], [77.51, 29.94], [77.5, 29.94], [77.5, 29.93]]]}
    drawn = ward_map(square, (77.505, 29.935))
    assert drawn.count("<polygon") == 1 and "<circle" in drawn
    assert ward_map(None, None) == ""
