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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from nagarik.db.models import Notification, utcnow
from nagarik.db.whatsapp import in_reply_window

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
    """Up to `limit` notifications that can go now: inside the 24-hour window, or with a template.

    The others wait (unclaimed) until the citizen writes again or a template is configured.
    """
    query = (
        select(Notification)
        .options(selectinload(Notification.citizen))
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS)
        .order_by(Notification.id)
        .limit(limit * 10)
        .with_for_update(skip_locked=True)
    )
    claimed: List[Due] = []
    for notification in session.execute(query).scalars():
        phone = notification.citizen.phone
        in_window = in_reply_window(session, phone, now)
        if not in_window and notification.kind not in template_kinds:
            continue
        notification.sent_at = now or utcnow()
        notification.attempts += 1
        claimed.append(Due(notification.id, phone, notification.kind, notification.language,
                           dict(notification.payload), in_window))
        if len(claimed) >= limit:
            break
    return claimed


def release(session: Session, notification_id: int) -> None:
    """Not sent after all: due again at the next round (until MAX_ATTEMPTS)."""
    notification = session.get(Notification, notification_id)
    if notification is not None:
        notification.sent_at = None
