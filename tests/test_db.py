"""The complaint database on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from conftest import CITY, migrate
from nagarik.db.catalog import load_catalog
from nagarik.db.complaints import (
    NewAttachment,
    NewComplaint,
    TransitionError,
    add_citizen_note,
    change_status,
    close_as_fixed,
    complaint_of_citizen,
    file_complaint,
    latest_complaints,
    open_duplicate,
    preferred_language,
    reference_for_id,
    reopen_as_not_fixed,
)
from nagarik.db.models import Category, Citizen, Complaint, Notification, StatusEvent
from nagarik.db.session import dispose, make_engine, session_scope
from nagarik.settings import ConfigError

def _file(url: str, phone: str = "919800000001", category: str = "street_light", **extra) -> str:
    with session_scope(url) as session:
        complaint = file_complaint(session, NewComplaint(phone=phone, category=category, language="hi", **extra))
        return complaint.reference


def _by_reference(session, reference: str) -> Complaint:
    return session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()


def _tables(url: str) -> set:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_go_up_and_down(db_url: str) -> None:
    _file(db_url)
    dispose(db_url)
    migrate(db_url, "base")
    assert _tables(db_url) <= {"alembic_version"}
    migrate(db_url, "head")
    assert {"complaints", "citizens", "status_events", "notifications", "attachments", "feedback"} <= _tables(db_url)
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(Complaint.id))).scalar_one() == 0


def test_catalog_routes_every_category(db_url: str) -> None:
    with session_scope(db_url) as session:
        routes = {c.code: (c.department_code, c.sla_hours) for c in session.execute(select(Category)).scalars()}
    assert routes["street_light"] == ("street_lighting", 48)
    assert routes["house_tax"][0] == "revenue"
    assert len(routes) == 8


def test_filed_complaint_has_reference_department_due_time_and_history(db_url: str) -> None:
    reference = _file(db_url, ward=12, locality="Shastri Nagar", description="light off for a week")
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        assert reference.startswith("NG") and len(reference) == 8
        assert complaint.department_code == "street_lighting"
        assert complaint.status == "received"
        assert complaint.due_at - complaint.created_at == timedelta(hours=48)
        assert [(e.from_status, e.to_status, e.actor) for e in complaint.events] == [(None, "received", "citizen")]
        assert complaint.citizen.preferred_language == "hi"


def test_retried_submission_does_not_file_twice(db_url: str) -> None:
    first = _file(db_url, submission_key="919800000001:turn-7")
    second = _file(db_url, submission_key="919800000001:turn-7")
    assert first == second
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(Complaint.id))).scalar_one() == 1


def test_unknown_category_is_refused_and_nothing_is_stored(db_url: str) -> None:
    with pytest.raises(ValueError, match="unknown complaint category"):
        _file(db_url, category="parking")
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(Citizen.id))).scalar_one() == 0


def test_lifecycle_records_events_and_queues_notifications(db_url: str) -> None:
    reference = _file(db_url)
    steps = [("assigned", None), ("in_progress", None), ("resolved", "pole rewired"), ("reopened", "off again"),
             ("in_progress", None), ("resolved", None), ("closed", None)]
    for status, note in steps:
        with session_scope(db_url) as session:
            complaint = _by_reference(session, reference)
            change_status(session, complaint, status, actor="JE Sharma", note=note)
    with session_scope(db_url) as session:
        events = session.execute(select(StatusEvent).order_by(StatusEvent.id)).scalars().all()
        notifications = session.execute(select(Notification).order_by(Notification.id)).scalars().all()
    assert [e.to_status for e in events] == ["received"] + [status for status, _ in steps]
    assert events[4].from_status == "resolved" and events[4].note == "off again"
    assert [n.payload["status"] for n in notifications] == [status for status, _ in steps]
    assert {n.language for n in notifications} == {"hi"} and all(n.sent_at is None for n in notifications)


@pytest.mark.parametrize(
    "path, message",
    [
        (["in_progress"], "received; it can move to: assigned, rejected"),
        (["assigned", "in_progress", "resolved", "closed", "reopened"], "closed; it can move to: none"),
        (["finished"], "unknown status"),
    ],
)
def test_invalid_transitions_are_refused_with_the_options(db_url: str, path, message: str) -> None:
    reference = _file(db_url)
    with pytest.raises(TransitionError, match=message):
        with session_scope(db_url) as session:
            complaint = _by_reference(session, reference)
            for status in path:
                change_status(session, complaint, status, actor="officer")


def test_rejection_needs_a_reason_and_a_refusal_changes_nothing(db_url: str) -> None:
    reference = _file(db_url)
    with pytest.raises(TransitionError, match="needs a reason"):
        with session_scope(db_url) as session:
            complaint = _by_reference(session, reference)
            change_status(session, complaint, "assigned", actor="officer")
            change_status(session, complaint, "rejected", actor="officer", note="  ")
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        assert complaint.status == "received"  # the whole unit of work was rolled back
        assert session.execute(select(func.count(Notification.id))).scalar_one() == 0


def test_fifty_concurrent_submissions_get_fifty_unique_references(db_url: str) -> None:
    def submit(index: int) -> str:
        return _file(db_url, phone=f"9198000{index:05d}", category="sanitation")

    with ThreadPoolExecutor(max_workers=50) as pool:
        references = list(pool.map(submit, range(50)))
    assert len(set(references)) == 50
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(Complaint.id))).scalar_one() == 50


def test_references_are_a_bijection_of_ids() -> None:
    references = {reference_for_id(i) for i in range(1, 1_000_000)}
    assert len(references) == 999_999
    assert all(len(r) == 8 and r.startswith("NG") and r[2:].isdigit() for r in references)
    with pytest.raises(ValueError):
        reference_for_id(1_000_000)


def test_catalog_refuses_bad_city_files(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    migrate(url)
    with session_scope(url) as session:
        with pytest.raises(ConfigError, match="no entry for the categories: roads"):
            load_catalog(session, {**CITY, "categories": {k: v for k, v in CITY["categories"].items() if k != "roads"}})
        with pytest.raises(ConfigError, match="department 'parks' is not under departments"):
            load_catalog(session, {**CITY, "categories": {**CITY["categories"], "roads": {"department": "parks", "sla_hours": 5}}})
        with pytest.raises(ConfigError, match="expected department and sla_hours"):
            load_catalog(session, {**CITY, "categories": {**CITY["categories"], "roads": "construction"}})
        with pytest.raises(ConfigError, match="sla_hours must be a positive"):
            load_catalog(session, {**CITY, "categories": {**CITY["categories"], "roads": {"department": "construction", "sla_hours": True}}})
        with pytest.raises(ConfigError, match="sla_hours must be a positive"):
            load_catalog(session, {**CITY, "categories": {**CITY["categories"], "roads": {"department": "construction", "sla_hours": 0}}})


def test_the_same_submission_racing_files_one_complaint(db_url: str) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        references = list(pool.map(lambda _: _file(db_url, submission_key="919800000009:turn-3"), range(10)))
    assert len(set(references)) == 1
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(Complaint.id))).scalar_one() == 1
        assert session.execute(select(func.count(Citizen.id))).scalar_one() == 1


def test_two_officers_changing_one_complaint_at_once_leave_one_history(db_url: str) -> None:
    reference = _file(db_url)

    def move(target: str) -> str:
        try:
            with session_scope(db_url) as session:
                complaint = _by_reference(session, reference)
                barrier.wait(timeout=10)  # both have read "received" before either writes
                change_status(session, complaint, target, actor=target, note="reason")
            return "done"
        except TransitionError as error:
            return str(error)

    barrier = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(move, ["assigned", "rejected"]))
    assert outcomes.count("done") == 1, outcomes
    assert any("changed by someone else" in outcome for outcome in outcomes)
    with session_scope(db_url) as session:
        events = session.execute(select(StatusEvent).order_by(StatusEvent.id)).scalars().all()
        assert [e.from_status for e in events] == [None, "received"]
        assert session.execute(select(func.count(Notification.id))).scalar_one() == 1


def _resolve(session, reference: str) -> Complaint:
    complaint = _by_reference(session, reference)
    for status in ("assigned", "in_progress", "resolved"):
        change_status(session, complaint, status, actor="officer")
    return complaint


def test_open_duplicate_is_same_number_category_ward_and_still_open(db_url: str) -> None:
    reference = _file(db_url, ward=12)
    _file(db_url, phone="919800000002", ward=12)  # someone else's
    with session_scope(db_url) as session:
        assert open_duplicate(session, "919800000001", "street_light", 12).reference == reference
        assert open_duplicate(session, "919800000001", "street_light", 13) is None
        assert open_duplicate(session, "919800000001", "sanitation", 12) is None
        _resolve(session, reference)
    with session_scope(db_url) as session:
        assert open_duplicate(session, "919800000001", "street_light", 12) is None


def test_a_note_and_photos_are_added_to_the_open_complaint(db_url: str) -> None:
    reference = _file(db_url, ward=3)
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        add_citizen_note(session, complaint, "  now two poles are dark ", (NewAttachment("media/a.jpg", "image/jpeg"),))
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        assert [n.text for n in complaint.notes] == ["now two poles are dark"]
        assert [a.path for a in complaint.attachments] == ["media/a.jpg"]


def test_photos_sent_while_filing_are_stored_with_the_complaint(db_url: str) -> None:
    photo = NewAttachment("media/wamid.1.jpg", "image/jpeg", caption="the pole")
    reference = _file(db_url, attachments=(photo,))
    with session_scope(db_url) as session:
        (attachment,) = _by_reference(session, reference).attachments
        assert (attachment.path, attachment.media_type, attachment.caption) == ("media/wamid.1.jpg", "image/jpeg", "the pole")


def test_a_complaint_is_shown_only_to_the_number_that_filed_it(db_url: str) -> None:
    reference = _file(db_url)
    with session_scope(db_url) as session:
        assert complaint_of_citizen(session, reference, "919800000001") is not None
        assert complaint_of_citizen(session, reference, "919800000002") is None
        assert complaint_of_citizen(session, "NG000000", "919800000001") is None


def test_latest_complaints_are_the_newest_three_of_that_number(db_url: str) -> None:
    references = [_file(db_url, category=c) for c in ("street_light", "roads", "sanitation", "house_tax")]
    _file(db_url, phone="919800000002")
    with session_scope(db_url) as session:
        assert [c.reference for c in latest_complaints(session, "919800000001")] == references[::-1][:3]
        assert latest_complaints(session, "919800000003") == []


def test_fixed_complaint_is_closed_with_the_rating_and_no_notification(db_url: str) -> None:
    reference = _file(db_url)
    with session_scope(db_url) as session:
        complaint = _resolve(session, reference)
        close_as_fixed(session, complaint, 4)
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        assert (complaint.status, complaint.rating) == ("closed", 4)
        assert (complaint.events[-1].actor, complaint.events[-1].note) == ("citizen", "rated 4/5")
        # The officers' three changes notify the citizen; the citizen's own does not.
        assert session.execute(select(func.count(Notification.id))).scalar_one() == 3
    with session_scope(db_url) as session, pytest.raises(ValueError):
        close_as_fixed(session, _by_reference(session, reference), 6)


def test_not_fixed_reopens_with_the_citizens_reason(db_url: str) -> None:
    reference = _file(db_url)
    with session_scope(db_url) as session:
        reopen_as_not_fixed(session, _resolve(session, reference), "still dark at night")
    with session_scope(db_url) as session:
        complaint = _by_reference(session, reference)
        assert complaint.status == "reopened"
        assert (complaint.events[-1].from_status, complaint.events[-1].note) == ("resolved", "still dark at night")
        with pytest.raises(TransitionError):
            reopen_as_not_fixed(session, complaint, "again")  # reopened is not resolved


def test_the_language_is_remembered_for_the_number(db_url: str) -> None:
    _file(db_url)
    with session_scope(db_url) as session:
        assert preferred_language(session, "919800000001") == "hi"
        assert preferred_language(session, "919800000009") is None


@pytest.mark.parametrize("upsert", [True, False], ids=["upsert", "portable"])
def test_a_whatsapp_message_is_recorded_once_and_its_sender_last_seen_moves_forward(db_url: str, upsert: bool, monkeypatch) -> None:
    from nagarik.db import whatsapp
    from nagarik.db.models import WhatsAppContact, utcnow
    from nagarik.db.whatsapp import first_sight

    if not upsert:  # a database without INSERT ... ON CONFLICT in SQLAlchemy
        monkeypatch.setattr(whatsapp, "_INSERTS", {})

    earlier = utcnow() - timedelta(hours=2)
    with session_scope(db_url) as session:
        assert first_sight(session, "wamid.A", "919800000001", now=earlier)
        assert not first_sight(session, "wamid.A", "919800000001", now=earlier)  # a redelivery
    with session_scope(db_url) as session:
        assert first_sight(session, "wamid.B", "919800000001")
        # Delivered late: an older message does not move last_seen back.
        assert first_sight(session, "wamid.C", "919800000001", now=earlier - timedelta(hours=1))
    with session_scope(db_url) as session:
        contact = session.get(WhatsAppContact, "919800000001")
        assert contact.first_seen == earlier
        assert contact.last_seen > earlier + timedelta(hours=1)


def test_the_first_two_messages_of_a_number_at_once_are_both_recorded(db_url: str) -> None:
    from nagarik.db.models import WhatsAppContact, WhatsAppInbound
    from nagarik.db.whatsapp import first_sight

    barrier = threading.Barrier(2)

    def receive(wamid: str) -> bool:
        barrier.wait()
        with session_scope(db_url) as session:
            return first_sight(session, wamid, "919800000002")

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(receive, ["wamid.X", "wamid.Y"])) == [True, True]
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(WhatsAppInbound)) == 2
        assert session.scalar(select(func.count()).select_from(WhatsAppContact)) == 1
