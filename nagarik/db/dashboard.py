"""Figures for the officers' dashboard, within an officer's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from nagarik.db.complaints import OPEN_STATUSES
from nagarik.db.models import Complaint, StatusEvent, utcnow

WEEKS = 12
RECENT_DAYS = 90


@dataclass(frozen=True)
class Dashboard:
    by_status: Dict[str, int]
    by_category: Dict[str, int]
    by_ward: List[Tuple[Optional[int], int]]  # busiest first
    by_department: Dict[str, int]
    weeks: List[Tuple[datetime, int, int]]  # week start (Monday, UTC), received, resolved
    median_hours_to_resolve: Optional[float]
    resolved_within_sla: Optional[float]  # 0..1
    open_count: int
    overdue_count: int
    oldest_open: List[Tuple[str, str, Optional[int], datetime, Optional[datetime]]]  # ref, category, ward, filed, due


def _counts(session: Session, column, scope: ColumnElement) -> Dict:
    query = select(column, func.count(Complaint.id)).where(scope).group_by(column)
    return {key: count for key, count in session.execute(query)}


def _week_start(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _first_resolutions(session: Session, scope: ColumnElement, since: datetime):
    """(filed, due, first resolved) of complaints in scope first resolved since `since`."""
    first = (select(StatusEvent.complaint_id, func.min(StatusEvent.created_at).label("at"))
             .where(StatusEvent.to_status == "resolved").group_by(StatusEvent.complaint_id).subquery())
    query = (select(Complaint.created_at, Complaint.due_at, first.c.at)
             .join(first, first.c.complaint_id == Complaint.id).where(scope, first.c.at >= since))
    # min() keeps the column's type, so the times come back aware (UTC) on SQLite as well.
    return [tuple(row) for row in session.execute(query)]


def dashboard(session: Session, scope: ColumnElement, now: Optional[datetime] = None) -> Dashboard:
    now = now or utcnow()
    first_week = _week_start(now) - timedelta(weeks=WEEKS - 1)
    received: Dict[datetime, int] = {first_week + timedelta(weeks=i): 0 for i in range(WEEKS)}
    resolved = dict(received)
    filed_since = select(Complaint.created_at).where(scope, Complaint.created_at >= first_week)
    for (filed,) in session.execute(filed_since):
        received[_week_start(filed)] = received.get(_week_start(filed), 0) + 1
    resolutions = _first_resolutions(session, scope, min(first_week, now - timedelta(days=RECENT_DAYS)))
    for _, _, at in resolutions:
        if at >= first_week:
            resolved[_week_start(at)] += 1
    recent = [(filed, due, at) for filed, due, at in resolutions if at >= now - timedelta(days=RECENT_DAYS)]
    is_open = Complaint.status.in_(OPEN_STATUSES)
    oldest = session.execute(
        select(Complaint.reference, Complaint.category_code, Complaint.ward, Complaint.created_at, Complaint.due_at)
        .where(scope, is_open).order_by(Complaint.created_at, Complaint.id).limit(10)
    ).all()
    by_ward = sorted(_counts(session, Complaint.ward, scope).items(), key=lambda item: (-item[1], item[0] or 0))
    return Dashboard(
        by_status=_counts(session, Complaint.status, scope),
        by_category=_counts(session, Complaint.category_code, scope),
        by_ward=by_ward[:15],
        by_department=_counts(session, Complaint.department_code, scope),
        weeks=[(week, received[week], resolved[week]) for week in sorted(received)],
        median_hours_to_resolve=median((at - filed).total_seconds() / 3600 for filed, _, at in recent) if recent else None,
        resolved_within_sla=sum(1 for _, due, at in recent if due and at <= due) / len(recent) if recent else None,
        open_count=session.execute(select(func.count(Complaint.id)).where(scope, is_open)).scalar_one(),
        overdue_count=session.execute(select(func.count(Complaint.id)).where(scope, is_open, Complaint.due_at < now)).scalar_one(),
        oldest_open=[tuple(row) for row in oldest],
    )
