"""The complaint queue: filtering, sorting and paging complaints, assignments and staff notes.

Shared by the command line (`nagarik complaints list`) and the officers' web workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from nagarik.db.complaints import OPEN_STATUSES
from nagarik.db.models import Assignment, Citizen, Complaint, Officer, StaffNote, utcnow
from nagarik.references import canonical_reference

SORTS = {
    "created": Complaint.created_at,
    "due": Complaint.due_at,
    "ward": Complaint.ward,
    "status": Complaint.status,
    "category": Complaint.category_code,
    "reference": Complaint.reference,
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class ComplaintFilter:
    status: Optional[str] = None
    ward: Optional[int] = None
    category: Optional[str] = None
    department: Optional[str] = None
    assignee_id: Optional[int] = None  # "assigned to me"
    overdue: bool = False
    created_from: Optional[date] = None  # in the city's time zone, inclusive
    created_to: Optional[date] = None
    search: str = ""  # a reference (any case or spacing) or some digits of the citizen's number
    sort: str = "created"
    descending: bool = False
    timezone: str = "UTC"


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(timezone))


def conditions(chosen: ComplaintFilter, now: Optional[datetime] = None) -> List[ColumnElement]:
    """The WHERE conditions of a filter (the query must join Citizen when it searches by number)."""
    found: List[ColumnElement] = []
    for column, value in ((Complaint.status, chosen.status), (Complaint.ward, chosen.ward),
                          (Complaint.category_code, chosen.category), (Complaint.department_code, chosen.department)):
        if value is not None and value != "":
            found.append(column == value)
    if chosen.assignee_id is not None:
        found.append(Complaint.id.in_(select(Assignment.complaint_id).where(Assignment.officer_id == chosen.assignee_id)))
    if chosen.overdue:
        found.append(and_(Complaint.status.in_(OPEN_STATUSES), Complaint.due_at < (now or utcnow())))
    if chosen.created_from:
        found.append(Complaint.created_at >= _local_midnight(chosen.created_from, chosen.timezone))
    if chosen.created_to:
        found.append(Complaint.created_at < _local_midnight(chosen.created_to + timedelta(days=1), chosen.timezone))
    search = chosen.search.strip()
    if search:
        found.append(_search(search))
    return found


def _search(search: str) -> ColumnElement:
    """A reference finds that complaint (by its unique index; not OR-ed with the numbers, which would
    scan them all); otherwise four or more digits find the citizens' numbers that contain them."""
    reference = canonical_reference(search)
    if reference:
        return Complaint.reference == reference
    digits = "".join(ch for ch in search if ch.isdigit())
    if len(digits) >= 4:
        return Complaint.citizen_id.in_(select(Citizen.id).where(Citizen.phone.like(f"%{digits}%")))
    return Complaint.id.is_(None)


def filtered(query: Select, chosen: ComplaintFilter, scope: ColumnElement, now: Optional[datetime] = None) -> Select:
    return query.where(scope, *conditions(chosen, now))


def ordered(query: Select, chosen: ComplaintFilter) -> Select:
    column = SORTS.get(chosen.sort, Complaint.created_at)
    if chosen.descending:
        return query.order_by(column.desc(), Complaint.id.desc())
    return query.order_by(column, Complaint.id)


@dataclass(frozen=True)
class QueueRow:
    reference: str
    status: str
    category: str
    department: str
    ward: Optional[int]
    locality: Optional[str]
    language: str
    phone: str
    created_at: datetime
    due_at: Optional[datetime]
    assignee: Optional[str]

    def overdue(self, now: datetime) -> bool:
        return self.status in OPEN_STATUSES and self.due_at is not None and self.due_at < now


_ROW_COLUMNS = (
    Complaint.reference, Complaint.status, Complaint.category_code, Complaint.department_code, Complaint.ward,
    Complaint.locality, Complaint.language, Citizen.phone, Complaint.created_at, Complaint.due_at, Officer.name,
)


def _rows_query() -> Select:
    return (
        select(*_ROW_COLUMNS)
        .join(Citizen, Citizen.id == Complaint.citizen_id)
        .outerjoin(Assignment, Assignment.complaint_id == Complaint.id)
        .outerjoin(Officer, Officer.id == Assignment.officer_id)
    )


def queue_page(
    session: Session, chosen: ComplaintFilter, scope: ColumnElement, page: int = 1, size: int = PAGE_SIZE
) -> Tuple[List[QueueRow], int]:
    """One page of the filtered queue and how many complaints match in all."""
    now = utcnow()
    total = session.execute(filtered(select(func.count(Complaint.id)), chosen, scope, now)).scalar_one()
    # The page's ids first, from complaints alone (an index walk, even deep into the queue); the
    # citizens and assignees are joined for those 50 only, not for every row the offset skips.
    ids = ordered(filtered(select(Complaint.id), chosen, scope, now), chosen).limit(size).offset((max(page, 1) - 1) * size)
    query = ordered(_rows_query().where(Complaint.id.in_(ids.scalar_subquery())), chosen)
    return [QueueRow(*row) for row in session.execute(query)], total


def queue_rows(session: Session, chosen: ComplaintFilter, scope: ColumnElement) -> List[QueueRow]:
    """Every complaint the filter matches, in its order (CSV export)."""
    query = ordered(filtered(_rows_query(), chosen, scope), chosen)
    return [QueueRow(*row) for row in session.execute(query)]


def matching_references(session: Session, chosen: ComplaintFilter, scope: ColumnElement) -> List[str]:
    return list(session.execute(ordered(filtered(select(Complaint.reference), chosen, scope), chosen)).scalars())


def assign(session: Session, complaint: Complaint, officer_id: int, assigned_by: str) -> Optional[str]:
    """Make `officer_id` the complaint's assignee; the previous assignee's name, if any."""
    current = session.get(Assignment, complaint.id)
    previous = current.officer.name if current is not None else None
    if current is None:
        session.add(Assignment(complaint_id=complaint.id, officer_id=officer_id, assigned_by=assigned_by))
    else:
        current.officer_id, current.assigned_by, current.assigned_at = officer_id, assigned_by, utcnow()
    complaint.updated_at = utcnow()
    return previous


def assignee_of(session: Session, complaint_id: int) -> Optional[Tuple[int, str]]:
    row = session.execute(
        select(Officer.id, Officer.name).join(Assignment, Assignment.officer_id == Officer.id)
        .where(Assignment.complaint_id == complaint_id)
    ).first()
    return (row[0], row[1]) if row else None


def add_staff_note(session: Session, complaint: Complaint, officer_id: int, text: str) -> StaffNote:
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    note = StaffNote(complaint_id=complaint.id, officer_id=officer_id, text=text)
    session.add(note)
    return note


def staff_notes(session: Session, complaint_id: int) -> List[Dict[str, Any]]:
    query = (select(StaffNote.created_at, Officer.name, StaffNote.text).join(Officer, Officer.id == StaffNote.officer_id)
             .where(StaffNote.complaint_id == complaint_id).order_by(StaffNote.id))
    return [{"at": at, "by": by, "text": text} for at, by, text in session.execute(query)]
