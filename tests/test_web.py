"""The officers' web workspace over HTTP, without a browser: roles and scopes, CSRF, throttled
log-ins, the lifecycle's rules, bulk actions, CSV, uploads, publishing, the audit log; on SQLite
and PostgreSQL, against a real `nagarik web` process on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from sqlalchemy import select, update

from conftest import fresh_database
from nagarik.db.complaints import NewAttachment
from nagarik.db.models import (
    Assignment, Attachment, AuditEntry, Complaint, CovidFigures, Notification, OfficerSession,
    Officer as OfficerRow, StaffNote, WardNotice, utcnow,
)
from nagarik.db.session import session_scope
from nagarik.db.wards import subscribe
from web_helpers import Officer, add_user, file, web_server

PAGES = ("/complaints", "/dashboard", "/notices", "/covid", "/feedback", "/audit", "/complaints.csv", "/")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory) -> Iterator[Tuple[str, str, Path]]:
    """(base URL, database URL, media folder) of one server per backend, shared by the module's tests."""
    folder = tmp_path_factory.mktemp(request.param)
    media = folder / "media"
    media.mkdir()
    with fresh_database(request.param, folder) as database, web_server(database, media) as base:
        yield base, database, media


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def phone() -> str:
    return "9198" + str(uuid.uuid4().int)[:8]


def signed_in(site, role: str, department=None, wards=(), language: str = "en") -> Officer:
    base, database, _ = site
    name = unique(role)
    add_user(database, name, role, department, wards, language)
    officer = Officer(base)
    assert officer.log_in(name).status_code == 200
    officer.name = name
    return officer


def status_of(database: str, reference: str) -> str:
    with session_scope(database) as session:
        return session.execute(select(Complaint.status).where(Complaint.reference == reference)).scalar_one()


def notifications(database: str, reference: str) -> list:
    with session_scope(database) as session:
        rows = session.execute(select(Notification).where(Notification.payload["reference"].as_string() == reference)
                               .order_by(Notification.id)).scalars().all()
        return [(n.language, n.payload["status"]) for n in rows]


def test_no_page_without_a_login(site) -> None:
    base, database, _ = site
    stranger = Officer(base)
    reference = file(database, phone(), "roads", 4)
    for path in PAGES + (f"/complaints/{reference}", f"/complaints/{reference}/attachments/1"):
        reply = stranger.get(path, allow_redirects=False)
        assert reply.status_code == 302 and reply.headers["location"].startswith("/login"), path
    reply = stranger.post(f"/complaints/{reference}/status", {"status": "assigned"}, allow_redirects=False)
    assert reply.status_code == 401 and "You are not logged in" in reply.text and status_of(database, reference) == "received"


def test_five_wrong_passwords_slow_the_name_down(site) -> None:
    base, database, _ = site
    name = unique("clerk")
    add_user(database, name, "viewer")
    officer = Officer(base)
    for _ in range(5):
        reply = officer.log_in(name, "wrong password!")
        assert reply.status_code == 401 and "Wrong name or password" in reply.text
    # Now even the right password is not checked until the wait is over.
    reply = officer.log_in(name)
    assert reply.status_code == 429 and re.search(r"Try again in \d+ seconds", reply.text)
    assert officer.get("/complaints", allow_redirects=False).status_code == 302


def test_a_form_without_its_csrf_token_is_refused(site) -> None:
    _, database, _ = site
    admin = signed_in(site, "admin")
    reference = file(database, phone(), "roads", 4)
    seen = admin.seen(reference)
    for data, csrf in (({"status": "assigned", "seen": seen}, False),
                       ({"status": "assigned", "seen": seen, "csrf_token": "forged"}, False)):
        reply = admin.post(f"/complaints/{reference}/status", data, csrf=csrf)
        assert reply.status_code == 403 and "did not come from this site" in reply.text
    assert status_of(database, reference) == "received" and notifications(database, reference) == []
    # The login form is protected too: without the cookie's token the password is never looked at.
    stranger = Officer(admin.base)
    assert stranger.post("/login", {"name": admin.name, "password": "a long enough password"}, csrf=False).status_code == 403


def test_each_role_reaches_only_its_scope(site) -> None:
    base, database, media = site
    photo = media / f"{uuid.uuid4().hex}.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    water = file(database, phone(), "water_supply", 21, attachments=[NewAttachment(str(photo), "image/jpeg")])
    light = file(database, phone(), "street_light", 22)
    jalkal = signed_in(site, "department", department="jalkal")
    ward22 = signed_in(site, "ward", wards=[22])
    queue = jalkal.get("/complaints?ward=21").text + jalkal.get("/complaints?ward=22").text
    assert water in queue and light not in queue
    queue = ward22.get("/complaints").text
    assert light in queue and water not in queue
    with session_scope(database) as session:
        attachment_id = session.execute(select(Attachment.id).join(Complaint).where(Complaint.reference == water)).scalar_one()
    # Guessing URLs: the page, a change, the photo and the CSV all stay inside the scope.
    assert jalkal.get(f"/complaints/{light}").status_code == 404
    assert ward22.get(f"/complaints/{water}").status_code == 404
    assert ward22.get(f"/complaints/{water}/attachments/{attachment_id}").status_code == 404
    assert ward22.get(f"/complaints/{light}/attachments/{attachment_id}").status_code == 404
    assert jalkal.get(f"/complaints/{water}/attachments/{attachment_id}").content.startswith(b"\xff\xd8\xff")
    reply = ward22.post(f"/complaints/{water}/status", {"status": "assigned", "seen": ""})
    assert reply.status_code == 404 and status_of(database, water) == "received"
    assert water not in ward22.get("/complaints.csv").text
    assert ward22.get("/audit").status_code == 403


def test_viewers_read_with_numbers_masked_and_change_nothing(site) -> None:
    _, database, _ = site
    number = phone()
    reference = file(database, number, "sanitation", 23)
    viewer = signed_in(site, "viewer")
    admin = signed_in(site, "admin")
    page = viewer.get(f"/complaints/{reference}").text
    assert number not in page and "••••" + number[-4:] in page
    assert number in admin.get(f"/complaints/{reference}").text
    assert number not in viewer.get(f"/complaints.csv?q={reference}").text
    reply = viewer.post(f"/complaints/{reference}/status", {"status": "assigned", "seen": admin.seen(reference)})
    assert reply.status_code == 403 and status_of(database, reference) == "received"
    assert viewer.post(f"/complaints/{reference}/notes", {"text": "hello"}).status_code == 403


def test_status_change_follows_the_lifecycle_and_tells_the_citizen_in_their_language(site) -> None:
    _, database, _ = site
    reference = file(database, phone(), "water_supply", 24, language="bn")
    officer = signed_in(site, "department", department="jalkal")
    reply = officer.post(f"/complaints/{reference}/status", {"status": "assigned", "seen": officer.seen(reference)})
    assert reply.status_code == 200 and "The citizen will be told on WhatsApp in বাংলা" in reply.text
    assert status_of(database, reference) == "assigned" and notifications(database, reference) == [("bn", "assigned")]
    # A step the lifecycle forbids, a rejection without a reason, a stale page, an unknown reference.
    reply = officer.post(f"/complaints/{reference}/status", {"status": "closed", "seen": officer.seen(reference)})
    assert reply.status_code == 400 and "can only move to" in reply.text
    reply = officer.post(f"/complaints/{reference}/status", {"status": "rejected", "note": " ", "seen": officer.seen(reference)})
    assert reply.status_code == 400 and "needs a note saying why" in reply.text
    stale = officer.seen(reference)
    with session_scope(database) as session:
        session.execute(update(Complaint).where(Complaint.reference == reference).values(updated_at=utcnow()))
    reply = officer.post(f"/complaints/{reference}/status", {"status": "in_progress", "seen": stale})
    assert reply.status_code == 409 and "Someone else changed this complaint meanwhile" in reply.text
    assert status_of(database, reference) == "assigned" and len(notifications(database, reference)) == 1
    reply = officer.get("/complaints/NG000000")
    assert reply.status_code == 404 and "There is no complaint NG000000" in reply.text


def test_assignment_staff_notes_and_mine(site) -> None:
    _, database, _ = site
    reference = file(database, phone(), "roads", 25)
    lead = signed_in(site, "department", department="construction")
    engineer = signed_in(site, "ward", wards=[25])
    with session_scope(database) as session:
        engineer_id = session.execute(select(OfficerRow.id).where(OfficerRow.name == engineer.name)).scalar_one()
    reply = lead.post(f"/complaints/{reference}/assign", {"assignee": engineer_id, "seen": lead.seen(reference)})
    assert f"Assigned to {engineer.name}" in reply.text and status_of(database, reference) == "assigned"
    assert reference in engineer.get("/complaints?mine=1").text
    assert reference not in lead.get("/complaints?mine=1").text
    reply = engineer.post(f"/complaints/{reference}/notes", {"text": "needs a road roller from the depot"})
    assert "needs a road roller" in reply.text
    with session_scope(database) as session:
        assert session.execute(select(StaffNote.text).join(Complaint).where(Complaint.reference == reference)).scalar_one()
    # Staff notes never reach the citizen: the only notification is the status change.
    assert notifications(database, reference) == [("hi", "assigned")]
    reply = lead.post(f"/complaints/{reference}/assign", {"assignee": 999999, "seen": lead.seen(reference)})
    assert reply.status_code == 400 and "Choose an officer" in reply.text


def test_bulk_assign_and_bulk_status_say_what_failed(site) -> None:
    _, database, _ = site
    ward = 31
    first, second = (file(database, phone(), "sanitation", ward) for _ in range(2))
    officer = signed_in(site, "ward", wards=[ward])
    with session_scope(database) as session:
        officer_id = session.execute(select(OfficerRow.id).where(OfficerRow.name == officer.name)).scalar_one()
    reply = officer.post("/complaints/bulk", {"ref": [first, second], "operation": "assign", "assignee": officer_id,
                                              "back": f"ward={ward}"})
    assert f"Done for 2: {first}, {second}" in reply.text
    assert {status_of(database, r) for r in (first, second)} == {"assigned"}
    officer.post(f"/complaints/{first}/status", {"status": "in_progress", "seen": officer.seen(first)})
    reply = officer.post("/complaints/bulk", {"ref": [first, second], "operation": "status", "status": "in_progress"})
    assert f"Not done for {first}" in reply.text and f"Done for 1: {second}" in reply.text
    with session_scope(database) as session:
        assigned = session.execute(select(Assignment.officer_id).join(Complaint, Complaint.id == Assignment.complaint_id)
                                   .where(Complaint.reference.in_([first, second]))).scalars().all()
    assert assigned == [officer_id, officer_id]
    assert "Select at least one complaint" in officer.post("/complaints/bulk", {"operation": "status"}).text


def test_csv_export_is_what_is_filtered(site) -> None:
    _, database, _ = site
    ward = 33
    references = [file(database, phone(), category, ward) for category in ("roads", "roads", "sewerage")]
    admin = signed_in(site, "admin")
    reply = admin.get(f"/complaints.csv?ward={ward}&category=roads")
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert [row["ref"] for row in rows] == references[:2] and rows[0]["category"] == "roads"
    with session_scope(database) as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "export_csv",
                                                        AuditEntry.officer_name == admin.name)).scalar_one()


def test_uploads_oversized_or_malformed_are_refused_and_store_nothing(site) -> None:
    _, database, media = site
    reference = file(database, phone(), "roads", 34)
    admin = signed_in(site, "admin")

    def upload(name: str, body: bytes):
        return admin.post(f"/complaints/{reference}/attachments", {}, files={"file": (name, body)})

    assert upload("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024)).status_code == 413
    huge = upload("huge.jpg", b"\xff\xd8\xff" + b"0" * (21 * 1024 * 1024))
    assert huge.status_code == 413 and "The upload is too large; nothing was changed" in huge.text
    reply = upload("photo.jpg", b"<html>not a photo</html>")
    assert reply.status_code == 400 and "Only JPEG or PNG photos and PDF documents" in reply.text
    with session_scope(database) as session:
        assert session.execute(select(Attachment).join(Complaint).where(Complaint.reference == reference)).first() is None
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert upload("pothole.png", png).status_code == 200
    with session_scope(database) as session:
        stored = session.execute(select(Attachment).join(Complaint).where(Complaint.reference == reference)).scalar_one()
        outside = Attachment(complaint_id=stored.complaint_id, media_type="image/png", path="/etc/passwd")
        session.add(outside)
        session.flush()
        stored_id, outside_id = stored.id, outside.id
    assert Path(stored.path).is_relative_to(media)
    assert admin.get(f"/complaints/{reference}/attachments/{stored_id}").content == png
    # A row pointing outside the media folder is never served.
    assert admin.get(f"/complaints/{reference}/attachments/{outside_id}").status_code == 404


def test_notices_and_the_covid_bulletin(site) -> None:
    _, database, _ = site
    with session_scope(database) as session:
        subscribe(session, phone(), 41, "bn")
    ward_officer = signed_in(site, "ward", wards=[41])
    reply = ward_officer.post("/notices", {"ward": "41", "en": "No water on Sunday", "bn": "রবিবার জল বন্ধ"})
    assert "Published for ward 41; queued for 1 subscribers" in reply.text
    with session_scope(database) as session:
        notice = session.execute(select(WardNotice).where(WardNotice.ward == 41)).scalar_one()
        queued = session.execute(select(Notification).where(Notification.kind == "ward_notice",
                                                            Notification.payload["ward"].as_integer() == 41)).scalar_one()
    assert notice.published_by == ward_officer.name and queued.payload["text"] == "রবিবার জল বন্ধ"
    reply = ward_officer.post("/notices", {"ward": "42", "all": "not my ward"})
    assert reply.status_code == 400 and "There is no ward 42 that you may publish for" in reply.text
    assert ward_officer.post("/notices", {"ward": "41"}).status_code == 400
    assert ward_officer.post("/covid", {"confirmed": "1", "active": "1", "recovered": "0", "deceased": "0",
                                        "as_of": "2026-12-01"}).status_code == 403
    admin = signed_in(site, "admin")
    bad = admin.post("/covid", {"confirmed": "-3", "active": "1", "recovered": "0", "deceased": "0", "as_of": "2026-12-01"})
    assert bad.status_code == 400 and "whole numbers" in bad.text
    good = admin.post("/covid", {"confirmed": "120", "active": "7", "recovered": "110", "deceased": "3", "as_of": "2026-12-01"})
    assert "Bulletin published" in good.text
    with session_scope(database) as session:
        row = session.execute(select(CovidFigures).where(CovidFigures.published_by == admin.name)).scalar_one()
    assert (row.confirmed, row.source) == (120, "bulletin")


def test_pages_in_the_officers_language(site) -> None:
    officer = signed_in(site, "admin", language="hi")
    assert "शिकायतें" in officer.get("/complaints").text
    officer.post("/language", {"language": "bn", "back": "/dashboard"})
    page = officer.get("/dashboard").text
    assert "ড্যাশবোর্ড" in page and 'lang="bn"' in page
    for path in PAGES[:-2]:
        assert officer.get(path).status_code == 200, path


def test_expired_sessions_and_logging_out_end_access(site) -> None:
    _, database, _ = site
    officer = signed_in(site, "viewer")
    with session_scope(database) as session:
        mine = select(OfficerRow.id).where(OfficerRow.name == officer.name).scalar_subquery()
        session.execute(update(OfficerSession).where(OfficerSession.officer_id == mine)
                        .values(expires_at=utcnow() - timedelta(seconds=1)).execution_options(synchronize_session=False))
    assert officer.get("/complaints", allow_redirects=False).status_code == 302
    again = signed_in(site, "viewer")
    again.post("/logout", {})
    assert again.get("/complaints", allow_redirects=False).status_code == 302
    # A browser that is still signed in can sign in as someone else (the login form has its own token).
    first = signed_in(site, "viewer")
    other = unique("admin")
    add_user(site[1], other, "admin")
    assert first.log_in(other).status_code == 200 and f"{other} (administrator)" in first.get("/complaints").text


def test_the_audit_log_records_who_did_what(site) -> None:
    _, database, _ = site
    reference = file(database, phone(), "house_tax", 43)
    admin = signed_in(site, "admin")
    admin.post(f"/complaints/{reference}/status", {"status": "rejected", "note": "not municipal", "seen": admin.seen(reference)})
    page = admin.get(f"/audit?officer={admin.name}").text
    assert "change_status" in page and reference in page and "received -&gt; rejected; not municipal" in page
    assert "log_in" in page
