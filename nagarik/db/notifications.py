"""The notification queue: what the complaint lifecycle and ward notices owe citizens, until sent.

A sender claims a batch (marking it sent in the same transaction, with
SKIP LOCKED on PostgreSQL so that several servers never take the same row),
then sends; a failed send is released for a later try, up to MAX_ATTEMPTS.
Delivery is therefore at most once: a crash between claim and send loses that
one message rather than sending it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Dict, List, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nagarik.db.models import Citizen, Notification, WhatsAppContact, utcnow
from nagarik.db.whatsapp import window_start

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Due:
    id: int
    phone: str
    kind: str
    language: str
    payload: Dict[str, Any]
    in_window: bool  # the citizen wrote within 24 hours: free text is allowed


def claim_due(
    session: Session, template_kinds: Collection[str] = (), limit: int = 20, now: Optional[datetime] = None
) -> List[Due]:
    """Up to `limit` notifications that can go now, oldest first: to numbers that wrote on WhatsApp,
    inside the 24-hour window, or outside it when a template exists for the kind.

    The others wait, unclaimed, until the citizen writes again (or forever for citizens of other
    channels, which have no proactive messages).
    """
    start = window_start(now)
    deliverable = WhatsAppContact.last_seen > start
    if template_kinds:
        deliverable = or_(deliverable, Notification.kind.in_(list(template_kinds)))
    query = (
        select(Notification, WhatsAppContact.last_seen)
        .join(Citizen, Citizen.id == Notification.citizen_id)
        .join(WhatsAppContact, WhatsAppContact.wa_id == Citizen.phone)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS, deliverable)
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(of=Notification, skip_locked=True)
    )
    claimed: List[Due] = []
    for notification, last_seen in session.execute(query).all():
        notification.sent_at = now or utcnow()
        notification.attempts += 1
        claimed.append(Due(notification.id, notification.citizen.phone, notification.kind, notification.language,
                           dict(notification.payload), last_seen > start))
    return claimed


def release(session: Session, notification_id: int) -> None:
    """Not sent after all: due again at the next round (until MAX_ATTEMPTS)."""
    notification = session.get(Notification, notification_id)
    if notification is not None:
        notification.sent_at = None
