"""The city's wards in the database, and who follows which ward's notices.

`nagarik city load` replaces the wards in one transaction after the file was
validated, so the assistant never sees half a city. Notices and subscriptions
refer to ward numbers, not rows, so reloading the wards keeps them.
"""

from __future__ import annotations

import logging
from typing import List, Sequence, Tuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from nagarik.cache import TTLCache
from nagarik.db.complaints import citizen_for
from nagarik.db.models import Citizen, WardRecord, WardSubscription, utcnow
from nagarik.db.session import run_in_session
from nagarik.wards import RECORD_FIELDS, Ward, city_wards, ward_from_record, wards_file

logger = logging.getLogger(__name__)
# Wards change when officers reload the city: the assistant sees a reload within five minutes.
WARDS_CACHE = TTLCache[str, Tuple[Ward, ...]](seconds=300)


def replace_wards(session: Session, wards: Sequence[Ward]) -> None:
    """The loaded wards become exactly these."""
    session.execute(delete(WardRecord))
    loaded_at = utcnow()
    for ward in wards:
        session.add(WardRecord(**ward.as_record(), loaded_at=loaded_at))


def stored_wards(session: Session) -> Tuple[Ward, ...]:
    rows = session.execute(select(WardRecord).order_by(WardRecord.number)).scalars()
    return tuple(ward_from_record({field: getattr(row, field) for field in RECORD_FIELDS}) for row in rows)


async def current_wards() -> Tuple[Ward, ...]:
    """The loaded wards, cached; the wards file when none are loaded yet (or the database is down)."""
    cached = WARDS_CACHE.get("wards")
    if cached is not None:
        return cached
    try:
        wards = await run_in_session(stored_wards)
    except SQLAlchemyError:
        # Not cached: the database is asked again next time, so an outage costs minutes of nothing.
        logger.exception("the wards could not be read from the database; answering from %s", wards_file())
        return city_wards()
    if not wards:
        logger.warning("no wards loaded (run `nagarik city load`); answering from %s", wards_file())
        wards = city_wards()
    WARDS_CACHE.put("wards", wards)
    return wards


def _subscription(session: Session, citizen_id: int, ward: int) -> WardSubscription:
    query = select(WardSubscription).where(WardSubscription.citizen_id == citizen_id, WardSubscription.ward == ward)
    return session.execute(query).scalar_one_or_none()


def subscribe(session: Session, phone: str, ward: int, language: str) -> bool:
    """Follow a ward's notices; False when this number already did (nothing changes)."""
    citizen = citizen_for(session, phone, language)
    subscription = _subscription(session, citizen.id, ward)
    if subscription is not None and subscription.ended_at is None:
        return False
    if subscription is not None:
        subscription.ended_at = None  # subscribed again: one row per citizen and ward
        subscription.created_at = utcnow()
        return True
    try:
        with session.begin_nested():
            session.add(WardSubscription(citizen_id=citizen.id, ward=ward))
    except IntegrityError:
        return False  # the same request twice at once: the other one subscribed
    return True


def subscribed_wards(session: Session, phone: str) -> List[int]:
    query = (
        select(WardSubscription.ward)
        .join(Citizen)
        .where(Citizen.phone == phone, WardSubscription.ended_at.is_(None))
        .order_by(WardSubscription.ward)
    )
    return list(session.execute(query).scalars())


def unsubscribe(session: Session, phone: str, ward: int | None = None) -> List[int]:
    """Stop one ward's notices, or all when no ward is given; the wards that were stopped."""
    query = select(WardSubscription).join(Citizen).where(Citizen.phone == phone, WardSubscription.ended_at.is_(None))
    if ward is not None:
        query = query.where(WardSubscription.ward == ward)
    stopped = list(session.execute(query).scalars())
    now = utcnow()
    for subscription in stopped:
        subscription.ended_at = now
    return sorted(s.ward for s in stopped)


def subscribers(session: Session, ward: int) -> List[Citizen]:
    query = (
        select(Citizen)
        .join(WardSubscription)
        .where(WardSubscription.ward == ward, WardSubscription.ended_at.is_(None))
        .order_by(Citizen.id)
    )
    return list(session.execute(query).scalars())
