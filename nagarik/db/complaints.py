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
from typing import Dict, FrozenSet, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from nagarik.db.models import Category, Citizen, Complaint, Notification, StatusEvent, utcnow
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
# because ids are (the database hands them out), short, digits only after the
# prefix, and not a guessable count of how many complaints there are.
_REFERENCE_SPACE = 1_000_000
_MULTIPLIER = 7919  # prime, coprime to 10**6, so the map is a bijection
_OFFSET = 104_729


class TransitionError(ValueError):
    """A status change the lifecycle does not allow."""


def reference_for_id(complaint_id: int) -> str:
    if not 0 < complaint_id < _REFERENCE_SPACE:
        raise ValueError(f"complaint id {complaint_id} is outside the reference space")
    return f"{PREFIX}{(complaint_id * _MULTIPLIER + _OFFSET) % _REFERENCE_SPACE:06d}"


def citizen_for(session: Session, phone: str, language: Optional[str] = None) -> Citizen:
    """The citizen with this number, created on first contact; remembers the language."""
    citizen = session.execute(select(Citizen).where(Citizen.phone == phone)).scalar_one_or_none()
    if citizen is None:
        citizen = Citizen(phone=phone)
        session.add(citizen)
    if language:
        citizen.preferred_language = language
    return citizen


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


def file_complaint(session: Session, new: NewComplaint) -> Complaint:
    """Store a complaint with its reference, department and due time.

    With a `submission_key` seen before, returns that complaint instead of
    filing a second one (a retried submit from the same conversation).
    """
    if new.submission_key:
        existing = session.execute(
            select(Complaint).where(Complaint.submission_key == new.submission_key)
        ).scalar_one_or_none()
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
    session.add(complaint)
    session.flush()  # the database assigns the id the reference is made from
    complaint.reference = reference_for_id(complaint.id)
    session.add(StatusEvent(complaint=complaint, from_status=None, to_status="received", actor="citizen"))
    return complaint


def change_status(
    session: Session, complaint: Complaint, to_status: str, actor: str, note: Optional[str] = None
) -> StatusEvent:
    """Move a complaint to `to_status`, record who did it, and queue the citizen's notification."""
    if to_status not in TRANSITIONS:
        raise TransitionError(f"unknown status {to_status!r}; statuses are: {', '.join(STATUSES)}")
    allowed = TRANSITIONS[complaint.status]
    if to_status not in allowed:
        options = ", ".join(sorted(allowed)) or "none (the complaint is closed)"
        raise TransitionError(f"{complaint.reference} is {complaint.status}; it can move to: {options}")
    if to_status in ("rejected", "reopened") and not (note and note.strip()):
        raise TransitionError(f"moving a complaint to {to_status} needs a reason (--note)")
    event = StatusEvent(
        complaint=complaint, from_status=complaint.status, to_status=to_status, actor=actor, note=note
    )
    complaint.status = to_status
    session.add(event)
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
