"""WhatsApp bookkeeping: which messages were already processed, and the 24-hour window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nagarik.db.models import WhatsAppInbound, utcnow

KEEP_SEEN = timedelta(days=7)  # WhatsApp retries for far less; the 24-hour window needs one day
REPLY_WINDOW = timedelta(hours=24)


def first_sight(session: Session, wamid: str, sender: str, now: Optional[datetime] = None) -> bool:
    """Records a received message; False when this wamid was already recorded (a redelivery)."""
    try:
        with session.begin_nested():
            session.add(WhatsAppInbound(wamid=wamid, sender=sender, received_at=now or utcnow()))
    except IntegrityError:
        return False
    return True


def forget_old(session: Session, now: Optional[datetime] = None) -> int:
    result = session.execute(delete(WhatsAppInbound).where(WhatsAppInbound.received_at < (now or utcnow()) - KEEP_SEEN))
    return result.rowcount or 0


def last_inbound(session: Session, sender: str) -> Optional[datetime]:
    query = (
        select(WhatsAppInbound.received_at)
        .where(WhatsAppInbound.sender == sender)
        .order_by(WhatsAppInbound.received_at.desc())
        .limit(1)
    )
    return session.execute(query).scalar()


def in_reply_window(session: Session, sender: str, now: Optional[datetime] = None) -> bool:
    """Whether free text may be sent: the citizen wrote within the last 24 hours."""
    latest = last_inbound(session, sender)
    if latest is None:
        return False
    return (now or utcnow()) - latest < REPLY_WINDOW
