"""The officers' command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import REPO
from nagarik.cli import main
from nagarik.db.complaints import NewAttachment, NewComplaint, add_citizen_note, change_status, file_complaint
from nagarik.db.models import Complaint, Notification
from nagarik.db.session import session_scope


def run(db_url: str, *argv: str):
    out = io.StringIO()
    code = main(["--database", db_url, *argv], out=out)
    return code, out.getvalue()


@pytest.fixture
def filed(db_url: str) -> list:
    """Three complaints: two in ward 12 (light, water), one in ward 3 (garbage)."""
    specs = [("919800000001", "street_light", 12, "hi"), ("919800000002", "water_supply", 12, "bn"),
             ("919800000003", "sanitation", 3, "en")]
    references = []
    with session_scope(db_url) as session:
        for phone, category, ward, language in specs:
            new = NewComplaint(phone=phone, category=category, ward=ward, language=language, locality="Shastri Nagar")
            references.append(file_complaint(session, new).reference)
    return references


def test_list_json_has_the_fields_officers_need(db_url: str, filed: list) -> None:
    code, output = run(db_url, "complaints", "list", "--json")
    rows = json.loads(output)
    assert code == 0 and [r["ref"] for r in rows] == filed
    assert {"ref", "citizen", "category", "department", "ward", "status", "language", "created_at", "due_at"} <= set(rows[0])
    assert rows[0]["created_at"].endswith("+00:00")  # the same on SQLite and PostgreSQL
    assert rows[1]["department"] == "jalkal" and rows[1]["language"] == "bn"


@pytest.mark.parametrize(
    "filters, expected",
    [(["--ward", "12"], [0, 1]), (["--category", "sanitation"], [2]), (["--department", "jalkal"], [1]),
     (["--status", "received"], [0, 1, 2]), (["--status", "closed"], [])],
)
def test_list_filters(db_url: str, filed: list, filters, expected) -> None:
    _, output = run(db_url, "complaints", "list", "--json", *filters)
    assert [r["ref"] for r in json.loads(output)] == [filed[i] for i in expected]


def test_list_table_for_people(db_url: str, filed: list) -> None:
    _, output = run(db_url, "complaints", "list")
    assert output.splitlines()[0].split()[:3] == ["ref", "status", "category"]
    assert filed[0] in output and output.rstrip().endswith("3 complaint(s)")


def test_update_follows_the_lifecycle_and_queues_a_notification(db_url: str, filed: list) -> None:
    reference = filed[0].lower()[:4] + " " + filed[0][4:]  # typed loosely, as officers do
    code, output = run(db_url, "complaints", "update", reference, "--status", "assigned", "--by", "JE Sharma")
    assert code == 0 and f"{filed[0]}: received -> assigned" in output
    _, shown = run(db_url, "complaints", "show", filed[0], "--json")
    history = json.loads(shown)["history"]
    assert [(h["from"], h["to"], h["by"]) for h in history] == [(None, "received", "citizen"), ("received", "assigned", "JE Sharma")]
    with session_scope(db_url) as session:
        [notification] = session.execute(select(Notification)).scalars().all()
    assert notification.language == "hi" and notification.payload["status"] == "assigned"


def test_update_refuses_a_skipped_step(db_url: str, filed: list, capsys) -> None:
    code, _ = run(db_url, "complaints", "update", filed[0], "--status", "resolved")
    assert code == 1
    assert "it can move to: assigned, rejected" in capsys.readouterr().err


def test_rejection_without_reason_is_refused(db_url: str, filed: list, capsys) -> None:
    code, _ = run(db_url, "complaints", "update", filed[0], "--status", "rejected")
    assert code == 1 and "needs a reason" in capsys.readouterr().err
    code, _ = run(db_url, "complaints", "update", filed[0], "--status", "rejected", "--note", "private property")
    assert code == 0


def test_unknown_reference(db_url: str, filed: list, capsys) -> None:
    assert run(db_url, "complaints", "show", "NG000000")[0] == 1
    assert "no complaint with reference 'NG000000'" in capsys.readouterr().err


def test_show_for_people(db_url: str, filed: list) -> None:
    code, output = run(db_url, "complaints", "show", filed[2])
    assert code == 0 and "sanitation" in output and "-> received  by citizen" in output


def test_show_includes_the_citizens_notes_and_rating(db_url: str, filed: list) -> None:
    with session_scope(db_url) as session:
        complaint = session.execute(select(Complaint).where(Complaint.reference == filed[0])).scalar_one()
        add_citizen_note(session, complaint, "now the whole lane is dark")
    code, output = run(db_url, "complaints", "show", filed[0], "--json")
    record = json.loads(output)
    assert code == 0 and record["rating"] is None
    assert [n["text"] for n in record["citizen_notes"]] == ["now the whole lane is dark"]
    _, people = run(db_url, "complaints", "show", filed[0])
    assert "added by the citizen:" in people and "now the whole lane is dark" in people


def test_export_csv_and_json(db_url: str, filed: list) -> None:
    _, as_csv = run(db_url, "complaints", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["ref"] for r in rows] == filed and rows[0]["locality"] == "Shastri Nagar"
    _, as_json = run(db_url, "complaints", "export", "--format", "json")
    assert [r["ref"] for r in json.loads(as_json)] == filed


def _with_photo_and_document(db_url: str, tmp_path: Path) -> str:
    """A complaint filed with a photo (as the WhatsApp channel saves it) and a document added later."""
    photo = tmp_path / "919800000009" / "wamid_1.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8" + b"x" * 1498)
    with session_scope(db_url) as session:
        complaint = file_complaint(session, NewComplaint(
            phone="919800000009", category="roads", ward=7, language="hi", submission_key="919800000009:wamid.7",
            attachments=(NewAttachment(str(photo), "image/jpeg", "यह गड्ढा", kind="image", size_bytes=1500),)))
        add_citizen_note(session, complaint, "the estimate", (NewAttachment(
            str(tmp_path / "estimate.pdf"), "application/pdf", kind="document", size_bytes=20480, filename="estimate.pdf"),))
        change_status(session, complaint, "assigned", actor="JE Roads")
        return complaint.reference


def test_show_and_export_list_attachments_and_everything_stored(db_url: str, tmp_path) -> None:
    reference = _with_photo_and_document(db_url, tmp_path)
    _, output = run(db_url, "complaints", "show", reference, "--json")
    record = json.loads(output)
    assert [(a["kind"], a["media_type"], a["size_bytes"], Path(a["path"]).name, a["filename"], a["caption"])
            for a in record["attachments"]] == [
        ("image", "image/jpeg", 1500, "wamid_1.jpg", None, "यह गड्ढा"),
        ("document", "application/pdf", 20480, "estimate.pdf", "estimate.pdf", None)]
    assert record["submission_key"] == "919800000009:wamid.7" and record["updated_at"]
    assert [(n["kind"], n["language"], n["sent_at"]) for n in record["notifications"]] == [("status_changed", "hi", None)]
    _, people = run(db_url, "complaints", "show", reference)
    assert "attachments:" in people and "image image/jpeg, 1,500 bytes" in people and "(estimate.pdf)" in people
    assert "notifications to the citizen:" in people and "status_changed (hi): not sent" in people

    (exported,) = json.loads(run(db_url, "complaints", "export", "--format", "json")[1])
    assert exported == record
    (row,) = csv.DictReader(io.StringIO(run(db_url, "complaints", "export", "--format", "csv")[1]))
    assert row["attachments"].startswith("image image/jpeg 1500 ") and "document application/pdf 20480 " in row["attachments"]
    assert row["citizen_notes"] == "the estimate" and row["updated_at"]


def test_city_load_reports_bad_files(db_url: str, tmp_path, capsys) -> None:
    bad = tmp_path / "city.yml"
    bad.write_text("departments: {}\ncategories: {}\n", encoding="utf-8")
    assert run(db_url, "city", "load", str(bad))[0] == 1
    assert "no entry for the categories" in capsys.readouterr().err
    assert run(db_url, "city", "load", str(REPO / "city" / "sample-city.yml"))[0] == 0


def test_console_script_is_installed_and_checks_usage() -> None:
    script = Path(sys.executable).parent / "nagarik"
    assert script.exists(), "the nagarik console script is not installed in this venv"
    result = subprocess.run([str(script), "complaints", "update", "NG1"], capture_output=True, text=True)
    assert result.returncode == 2 and "--status" in result.stderr


def test_feedback_list(db_url: str) -> None:
    from nagarik.db.feedback import store_feedback

    with session_scope(db_url) as session:
        store_feedback(session, "919800000005", "the safai workers are great", "en", ward=7, category="sanitation")
        store_feedback(session, "919800000006", "बहुत अच्छा काम", "hi", category="no_such_category")
    code, output = run(db_url, "feedback", "list", "--json")
    rows = json.loads(output)
    assert code == 0 and [r["text"] for r in rows] == ["the safai workers are great", "बहुत अच्छा काम"]
    assert (rows[0]["ward"], rows[0]["category"]) == (7, "sanitation")
    assert rows[1]["category"] is None  # an unknown category is dropped, not guessed
    _, table = run(db_url, "feedback", "list")
    assert "ward 7, sanitation" in table and table.rstrip().endswith("2 feedback message(s)")
