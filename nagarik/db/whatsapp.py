"""WhatsApp bookkeeping: which messages were already processed, and who wrote when.

WhatsApp allows free-text messages to a number only within 24 hours of its
last message; outside that, only approved templates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nagarik.db.models import WhatsAppContact, WhatsAppInbound, utcnow

KEEP_SEEN = timedelta(days=7)  # WhatsApp retries a delivery for far less
# 24 hours, less a margin: the time counted is when the message was processed, not sent.
REPLY_WINDOW = timedelta(hours=23, minutes=30)
# INSERT ... ON CONFLICT, which both backends have and SQLAlchemy builds per dialect.
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def first_sight(session: Session, wamid: str, sender: str, now: Optional[datetime] = None) -> bool:
    """Records a received message and its sender; False when this wamid was already recorded (a redelivery).

    Two upserts, on PostgreSQL and SQLite alike: every message passes here, and the savepoints,
    the lookup and the update of an ORM version took three times as long, in the thread pool that
    the rasa server's event loop shares the GIL with.
    """
    now = now or utcnow()
    insert = _INSERTS.get(session.get_bind().dialect.name)
    if insert is None:
        return _first_sight_portable(session, wamid, sender, now)
    received = session.execute(
        insert(WhatsAppInbound).values(wamid=wamid, sender=sender, received_at=now).on_conflict_do_nothing()
    )
    if received.rowcount == 0:
        return False
    contact = insert(WhatsAppContact).values(wa_id=sender, first_seen=now, last_seen=now)
    session.execute(contact.on_conflict_do_update(
        index_elements=[WhatsAppContact.wa_id],
        set_={"last_seen": contact.excluded.last_seen},
        where=WhatsAppContact.last_seen < contact.excluded.last_seen,
    ))
    return True


def _first_sight_portable(session: Session, wamid: str, sender: str, now: datetime) -> bool:
    """`first_sight` with the ORM and savepoints, for a database whose upsert SQLAlchemy cannot build."""
    try:
        with session.begin_nested():
            session.add(WhatsAppInbound(wamid=wamid, sender=sender, received_at=now))
    except IntegrityError:
        return False
    contact = session.get(WhatsAppContact, sender)
    if contact is None:
        try:
            with session.begin_nested():
                session.add(WhatsAppContact(wa_id=sender, first_seen=now, last_seen=now))
        except IntegrityError:  # the same number's first two messages at once
            contact = session.get(WhatsAppContact, sender)
    if contact is not None and contact.last_seen < now:
        contact.last_seen = now
    return True


def forget_old(session: Session, now: Optional[datetime] = None) -> int:
    result = session.execute(delete(WhatsAppInbound).where(WhatsAppInbound.received_at < (now or utcnow()) - KEEP_SEEN))
    return result.rowcount or 0


def window_start(now: Optional[datetime] = None) -> datetime:
    """Numbers last seen after this may get free text."""
    return (now or utcnow()) - REPLY_WINDOW

