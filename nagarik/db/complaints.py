"""Filing complaints and moving them through the contract's lifecycle.

    received -> assigned -> in_progress -> resolved -> closed
    rejected (with a reason) from received or assigned
    reopened from resolved or rejected, then assigned or in_progress again

Every change is a StatusEvent (who, when, from, to, note) and queues a
Notification to the citizen, in the complaint's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Dict, FrozenSet, List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nagarik.db.models import (
    Attachment,
    Category,
    Citizen,
    CitizenNote,
    Complaint,
    Notification,
    StatusEvent,
    utcnow,
)
from nagarik.references import PREFIX

TRANSITIONS: Dict[str, FrozenSet[str]] = {
    "received": frozenset({"assigned", "rejected"}),
    "assigned": frozenset({"in_progress", "rejected"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset({"closed", "reopened"}),
    "rejected": frozenset({"reopened"}),
    "reopened": frozenset({"assigned", "in_progress"}),
    "closed": frozenset(),
}
STATUSES = tuple(TRANSITIONS)
OPEN_STATUSES = frozenset({"received", "assigned", "in_progress", "reopened"})

# References are an affine permutation of the row id modulo 10**6: unique
# because ids are (the database hands them out, also under concurrency), short,
# digits only after the prefix, and not a plain running count. The map is
# public and invertible, so a reference is NOT a secret: showing a complaint
# must always check that the asking number filed it. It covers ids up to
# 999,999; past that, filing fails loudly and the format must grow.
_REFERENCE_SPACE = 1_000_000
_MULTIPLIER = 7919  # prime, coprime to 10**6, so the map is a bijection
_OFFSET = 104_729


class TransitionError(ValueError):
    """A status change the lifecycle does not allow."""


def reference_for_id(complaint_id: int) -> str:
    if not 0 < complaint_id < _REFERENCE_SPACE:
        raise ValueError(f"complaint id {complaint_id} is outside the reference space")
    return f"{PREFIX}{(complaint_id * _MULTIPLIER + _OFFSET) % _REFERENCE_SPACE:06d}"


def _citizen_by_phone(session: Session, phone: str) -> Optional[Citizen]:
    return session.execute(select(Citizen).where(Citizen.phone == phone)).scalar_one_or_none()


def citizen_for(session: Session, phone: str, language: Optional[str] = None) -> Citizen:
    """The citizen with this number, created on first contact; remembers the language.

    Two first messages from one number may race: the loser of the unique
    constraint takes the winner's row instead of failing.
    """
    citizen = _citizen_by_phone(session, phone)
    if citizen is None:
        try:
            with session.begin_nested():
                citizen = Citizen(phone=phone)
                session.add(citizen)
        except IntegrityError:
            citizen = _citizen_by_phone(session, phone)
    if language:
        citizen.preferred_language = language
    return citizen


def _complaint_by_key(session: Session, submission_key: str) -> Optional[Complaint]:
    return session.execute(select(Complaint).where(Complaint.submission_key == submission_key)).scalar_one_or_none()


def media_kind(media_type: Optional[str]) -> str:
    """"image" for an image/* MIME type, "document" for anything else."""
    return "image" if (media_type or "").startswith("image") else "document"


@dataclass(frozen=True)
class NewAttachment:
    """A photo or document the citizen sent, already saved where `path` says."""

    path: str
    media_type: str
    caption: Optional[str] = None
    kind: Optional[str] = None  # image / document
    size_bytes: Optional[int] = None
    filename: Optional[str] = None


@dataclass(frozen=True)
class NewComplaint:
    phone: str
    category: str
    language: str
    ward: Optional[int] = None
    locality: Optional[str] = None
    landmark: Optional[str] = None
    description: Optional[str] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    submission_key: Optional[str] = None
    attachments: Tuple[NewAttachment, ...] = ()


def file_complaint(session: Session, new: NewComplaint) -> Complaint:
    """Store a complaint with its reference, department and due time.

    With a `submission_key` seen before, returns that complaint instead of
    filing a second one (a retried submit from the same conversation).
    """
    if new.submission_key:
        existing = _complaint_by_key(session, new.submission_key)
        if existing is not None:
            return existing
    category = session.get(Category, new.category)
    if category is None:
        raise ValueError(f"unknown complaint category {new.category!r}")
    now = utcnow()
    complaint = Complaint(
        citizen=citizen_for(session, new.phone, new.language),
        category_code=category.code,
        department_code=category.department_code,
        ward=new.ward,
        locality=new.locality,
        landmark=new.landmark,
        description=new.description,
        latitude=new.latitude,
        longitude=new.longitude,
        language=new.language,
        status="received",
        due_at=now + timedelta(hours=category.sla_hours),
        submission_key=new.submission_key,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(complaint)
            session.flush()  # the database assigns the id the reference is made from
    except IntegrityError:
        # The same submission won a race with us: hand back what it filed.
        existing = _complaint_by_key(session, new.submission_key) if new.submission_key else None
        if existing is None:
            raise
        return existing
    complaint.reference = reference_for_id(complaint.id)
    session.add(StatusEvent(complaint=complaint, from_status=None, to_status="received", actor="citizen"))
    _attach(session, complaint, new.attachments)
    return complaint


def _attach(session: Session, complaint: Complaint, attachments: Tuple[NewAttachment, ...]) -> None:
    for attachment in attachments:
        session.add(
            Attachment(
                complaint=complaint, path=attachment.path, media_type=attachment.media_type, caption=attachment.caption,
                kind=attachment.kind, size_bytes=attachment.size_bytes, filename=(attachment.filename or None) and attachment.filename[:255],
            )
        )


def open_duplicate(session: Session, phone: str, category: str, ward: int) -> Optional[Complaint]:
    """The citizen's newest open complaint of this category in this ward, if any."""
    return session.execute(
        select(Complaint)
        .join(Citizen)
        .where(
            Citizen.phone == phone,
            Complaint.category_code == category,
            Complaint.ward == ward,
            Complaint.status.in_(OPEN_STATUSES),
        )
        .order_by(Complaint.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def add_citizen_note(
    session: Session, complaint: Complaint, text: str, attachments: Tuple[NewAttachment, ...] = ()
) -> CitizenNote:
    """More detail (and photos) from the citizen on a complaint they already filed."""
    note = CitizenNote(complaint=complaint, text=text.strip())
    session.add(note)
    _attach(session, complaint, attachments)
    return note


def complaint_of_citizen(session: Session, reference: str, phone: str) -> Optional[Complaint]:
    """The complaint with this reference, but only if this number filed it (references are not secret)."""
    return session.execute(
        select(Complaint).join(Citizen).where(Complaint.reference == reference, Citizen.phone == phone)
    ).scalar_one_or_none()


def latest_complaints(session: Session, phone: str, limit: int = 3) -> List[Complaint]:
    """The citizen's newest complaints, newest first."""
    return list(
        session.execute(
            select(Complaint).join(Citizen).where(Citizen.phone == phone).order_by(Complaint.id.desc()).limit(limit)
        ).scalars()
    )


def preferred_language(session: Session, phone: str) -> Optional[str]:
    citizen = _citizen_by_phone(session, phone)
    return citizen.preferred_language if citizen else None


def close_as_fixed(session: Session, complaint: Complaint, rating: int) -> StatusEvent:
    """The citizen confirms a resolved complaint is fixed and rates the work 1-5."""
    if not 1 <= rating <= 5:
        raise ValueError(f"a rating is 1 to 5, not {rating}")
    complaint.rating = rating
    return change_status(session, complaint, "closed", actor="citizen", note=f"rated {rating}/5", notify=False)


def reopen_as_not_fixed(session: Session, complaint: Complaint, reason: str) -> StatusEvent:
    """The citizen says a resolved (or rejected) complaint is not fixed: reopen it with their reason."""
    return change_status(session, complaint, "reopened", actor="citizen", note=reason, notify=False)


def change_status(
    session: Session,
    complaint: Complaint,
    to_status: str,
    actor: str,
    note: Optional[str] = None,
    notify: bool = True,
) -> StatusEvent:
    """Move a complaint to `to_status`, record who did it, and queue the citizen's notification.

    `notify=False` when the citizen made the change in the chat and was already told there.
    """
    if to_status not in TRANSITIONS:
        raise TransitionError(f"unknown status {to_status!r}; statuses are: {', '.join(STATUSES)}")
    allowed = TRANSITIONS[complaint.status]
    if to_status not in allowed:
        options = ", ".join(sorted(allowed)) or "none (the complaint is closed)"
        raise TransitionError(f"{complaint.reference} is {complaint.status}; it can move to: {options}")
    if to_status in ("rejected", "reopened") and not (note and note.strip()):
        raise TransitionError(f"moving a complaint to {to_status} needs a reason (--note)")
    previous = complaint.status
    # Compare-and-set: if someone else moved the complaint since we read it,
    # this updates nothing and we refuse rather than record a second history.
    # "evaluate" copies the new values onto the loaded object without a second UPDATE.
    moved = session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id, Complaint.status == previous)
        .values(status=to_status, updated_at=utcnow())
        .execution_options(synchronize_session="evaluate")
    )
    if moved.rowcount != 1:
        raise TransitionError(f"{complaint.reference} was changed by someone else meanwhile; look at it again")
    event = StatusEvent(complaint=complaint, from_status=previous, to_status=to_status, actor=actor, note=note)
    session.add(event)
    if not notify:
        return event
    session.add(
        Notification(
            citizen_id=complaint.citizen_id,
            complaint_id=complaint.id,
            kind="status_changed",
            language=complaint.language,
            payload={"reference": complaint.reference, "status": to_status, "note": note},
        )
    )
    return event
