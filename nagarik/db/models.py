"""The complaint database: citizens, complaints, their history, and what to tell whom.

SQLAlchemy 1.4 (the version Rasa 3.6 pins) used the 2.0 way: `select()`
statements and `future=True` engines and sessions. Schema changes go through
Alembic (`nagarik/db/migrations`, `make db-upgrade`), never `create_all` in
production code.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

# Named constraints, so that migrations can drop and alter them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend.

    PostgreSQL keeps the zone; SQLite drops it and hands back naive values,
    which cannot be compared with aware ones. Stored as UTC, always returned
    aware, so exports and deadline checks behave the same everywhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use nagarik.db.models.utcnow()")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


class Department(Base):
    """A municipal department; loaded from the city file, not written by the bot."""

    __tablename__ = "departments"

    code = Column(String(64), primary_key=True)
    names = Column(JSON, nullable=False)  # {"en": ..., "hi": ..., "bn": ...}


class Category(Base):
    """A complaint category of the contract, with its department and SLA."""

    __tablename__ = "categories"

    code = Column(String(32), primary_key=True)
    department_code = Column(ForeignKey("departments.code"), nullable=False)
    sla_hours = Column(Integer, nullable=False)

    department = relationship(Department)


class Citizen(Base):
    """Someone who wrote to the helpline; the WhatsApp number is the identity."""

    __tablename__ = "citizens"

    id = Column(Integer, primary_key=True)
    phone = Column(String(32), nullable=False, unique=True)
    preferred_language = Column(String(2))
    created_at = _created()

    complaints = relationship("Complaint", back_populates="citizen")


class Complaint(Base):
    __tablename__ = "complaints"

    id = Column(Integer, primary_key=True)
    # Set from the id in the same transaction (see nagarik.db.complaints); unique.
    reference = Column(String(16), unique=True)
    # Idempotency: a retried submit of the same conversation turn finds the first complaint.
    submission_key = Column(String(128), unique=True)
    citizen_id = Column(ForeignKey("citizens.id"), nullable=False, index=True)
    category_code = Column(ForeignKey("categories.code"), nullable=False)
    department_code = Column(ForeignKey("departments.code"), nullable=False)
    ward = Column(Integer, index=True)
    locality = Column(String(200))
    landmark = Column(String(200))
    latitude = Column(Float)
    longitude = Column(Float)
    description = Column(Text)
    language = Column(String(2), nullable=False)
    status = Column(String(16), nullable=False, index=True)
    due_at = Column(UTCDateTime())
    created_at = _created()
    updated_at = Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    # The citizen's 1-5 rating once the problem is fixed.
    rating = Column(Integer)

    citizen = relationship(Citizen, back_populates="complaints")
    category = relationship(Category)
    department = relationship(Department)
    events = relationship("StatusEvent", back_populates="complaint", order_by="StatusEvent.id")
    attachments = relationship("Attachment", back_populates="complaint")
    notes = relationship("CitizenNote", back_populates="complaint", order_by="CitizenNote.id")


class CitizenNote(Base):
    """More detail a citizen added to a complaint they already had open (instead of a duplicate)."""

    __tablename__ = "citizen_notes"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(ForeignKey("complaints.id"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    created_at = _created()

    complaint = relationship(Complaint, back_populates="notes")


class StatusEvent(Base):
    """One change of a complaint's status: who, when, from what, to what, why."""

    __tablename__ = "status_events"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(ForeignKey("complaints.id"), nullable=False, index=True)
    from_status = Column(String(16))
    to_status = Column(String(16), nullable=False)
    actor = Column(String(100), nullable=False)
    note = Column(Text)
    created_at = _created()

    complaint = relationship(Complaint, back_populates="events")


class Attachment(Base):
    __tablename__ = "attachments"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(ForeignKey("complaints.id"), nullable=False, index=True)
    media_type = Column(String(100), nullable=False)
    path = Column(String(500), nullable=False)
    caption = Column(Text)
    kind = Column(String(16))  # image / document; NULL for rows from before it was stored
    size_bytes = Column(Integer)
    filename = Column(String(255))  # the name the citizen's document had
    created_at = _created()

    complaint = relationship(Complaint, back_populates="attachments")


class Feedback(Base):
    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    citizen_id = Column(ForeignKey("citizens.id"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    ward = Column(Integer)
    category_code = Column(ForeignKey("categories.code"))
    language = Column(String(2), nullable=False)
    created_at = _created()

    citizen = relationship(Citizen)


class Notification(Base):
    """A message owed to a citizen (e.g. a status change), until a channel delivers it."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    citizen_id = Column(ForeignKey("citizens.id"), nullable=False, index=True)
    complaint_id = Column(ForeignKey("complaints.id"), index=True)
    kind = Column(String(32), nullable=False)
    payload = Column(JSON, nullable=False)
    language = Column(String(2), nullable=False)
    created_at = _created()
    sent_at = Column(UTCDateTime())
    attempts = Column(Integer, nullable=False, default=0)

    citizen = relationship(Citizen)


class CovidFigures(Base):
    """District COVID-19 figures: the last good ones from the feed, and officers' bulletins."""

    __tablename__ = "covid_figures"

    id = Column(Integer, primary_key=True)
    state = Column(String(100), nullable=False)
    district = Column(String(100), nullable=False, index=True)
    confirmed = Column(Integer, nullable=False)
    active = Column(Integer, nullable=False)
    recovered = Column(Integer, nullable=False)
    deceased = Column(Integer, nullable=False)
    new_confirmed = Column(Integer)
    as_of = Column(UTCDateTime(), nullable=False)
    source = Column(String(16), nullable=False)  # "feed" or "bulletin"
    published_by = Column(String(100))
    created_at = _created()


class WardNotice(Base):
    """A notice officers publish for a ward; shown with the ward's information, newest first."""

    __tablename__ = "ward_notices"

    id = Column(Integer, primary_key=True)
    ward = Column(Integer, nullable=False, index=True)
    texts = Column(JSON, nullable=False)  # {"en": ..., "hi": ..., "bn": ...}; one text is shown as is to all
    published_by = Column(String(100), nullable=False)
    created_at = _created()


class WardRecord(Base):
    """A ward as `nagarik city load` validated and stored it: what the assistant answers from."""

    __tablename__ = "wards"

    number = Column(Integer, primary_key=True, autoincrement=False)
    name = Column(JSON, nullable=False)  # {"en": ..., "hi": ..., "bn": ...}
    councillor = Column(JSON, nullable=False)
    office = Column(JSON, nullable=False)  # {"address": {...}, "phone": "..."}
    committee = Column(JSON, nullable=False)  # [{"en": ..., "hi": ..., "bn": ...}, ...]
    localities = Column(JSON, nullable=False)
    boundary = Column(JSON)  # GeoJSON Polygon / MultiPolygon, optional
    loaded_at = Column(UTCDateTime(), nullable=False, default=utcnow)


class WardSubscription(Base):
    """A citizen who asked for a ward's notices; ended_at is set when they unsubscribe."""

    __tablename__ = "ward_subscriptions"
    __table_args__ = (UniqueConstraint("citizen_id", "ward", name="uq_ward_subscriptions_citizen_ward"),)

    id = Column(Integer, primary_key=True)
    citizen_id = Column(ForeignKey("citizens.id"), nullable=False, index=True)
    ward = Column(Integer, nullable=False, index=True)
    created_at = _created()
    ended_at = Column(UTCDateTime())

    citizen = relationship(Citizen)


class WhatsAppInbound(Base):
    """A WhatsApp message received: redelivered ones (same wamid) are processed once, also across restarts.

    Kept a week (WhatsApp retries for far less).
    """

    __tablename__ = "whatsapp_inbound"

    wamid = Column(String(128), primary_key=True)
    sender = Column(String(32), nullable=False, index=True)
    received_at = Column(UTCDateTime(), nullable=False, default=utcnow, index=True)


class WhatsAppContact(Base):
    """A number that wrote on WhatsApp, and when it last did: only these get WhatsApp notifications,
    as free text inside WhatsApp's 24-hour window and as a template outside it."""

    __tablename__ = "whatsapp_contacts"

    wa_id = Column(String(32), primary_key=True)
    first_seen = Column(UTCDateTime(), nullable=False, default=utcnow)
    last_seen = Column(UTCDateTime(), nullable=False, default=utcnow, index=True)


# ---------------------------------------------------------------- officers (the web workspace)


class Officer(Base):
    """Someone who works on complaints in the web workspace (`nagarik users add`).

    role: admin (everything, users, audit log), department (its department's complaints),
    ward (its wards' complaints), viewer (reads, with phone numbers masked).
    """

    __tablename__ = "officers"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)
    role = Column(String(16), nullable=False)
    department_code = Column(ForeignKey("departments.code"))
    wards = Column(JSON, nullable=False, default=list)  # [12, 13]
    language = Column(String(2), nullable=False, default="en")
    active = Column(Integer, nullable=False, default=1)
    created_at = _created()


class OfficerSession(Base):
    """A signed-in browser: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "officer_sessions"

    token_hash = Column(String(64), primary_key=True)
    officer_id = Column(ForeignKey("officers.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = _created()
    expires_at = Column(UTCDateTime(), nullable=False, index=True)

    officer = relationship(Officer)


class LoginFailure(Base):
    """Consecutive wrong passwords for a name (known or not), and until when it must wait."""

    __tablename__ = "login_failures"

    name = Column(String(100), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    blocked_until = Column(UTCDateTime())


class AuditEntry(Base):
    """Every action in the web workspace: who, when, what, on which complaint or ward."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    officer_id = Column(ForeignKey("officers.id"), index=True)
    officer_name = Column(String(100), nullable=False)
    action = Column(String(40), nullable=False, index=True)
    target = Column(String(40))
    detail = Column(Text)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow, index=True)


class StaffNote(Base):
    """A private note on a complaint: officers read it, the citizen never does."""

    __tablename__ = "staff_notes"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(ForeignKey("complaints.id"), nullable=False, index=True)
    officer_id = Column(ForeignKey("officers.id"), nullable=False)
    text = Column(Text, nullable=False)
    created_at = _created()

    officer = relationship(Officer)


class Assignment(Base):
    """Who works on a complaint now (one row per complaint; reassigning replaces it).

    A table of its own rather than a column on complaints, so the bot's side of the
    schema is untouched; the queue joins it for "assigned to me".
    """

    __tablename__ = "assignments"

    complaint_id = Column(ForeignKey("complaints.id"), primary_key=True)
    officer_id = Column(ForeignKey("officers.id"), nullable=False, index=True)
    assigned_by = Column(String(100), nullable=False)
    assigned_at = Column(UTCDateTime(), nullable=False, default=utcnow)

    officer = relationship(Officer)


# The queue filters and sorts on these at 100,000 complaints (nagarik/web/bench.py); its order is
# (column, id), so that a page is read from the index instead of sorting every matching row.
Index("ix_complaints_created_at", Complaint.created_at, Complaint.id)
Index("ix_complaints_due_at", Complaint.due_at, Complaint.id)
Index("ix_complaints_department_code", Complaint.department_code)
Index("ix_complaints_category_code", Complaint.category_code)
