"""Ward notices: officers publish them, citizens see the latest with their ward's information.

Publishing also queues one notification per subscriber of the ward, in the
same transaction; the WhatsApp channel delivers the queue.
"""

from __future__ import annotations

from typing import Dict, List, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from nagarik.db.models import Notification, WardNotice
from nagarik.db.wards import subscribers
from nagarik.language import LANGUAGES
from nagarik.settings import city_settings


def publish_notice(session: Session, ward: int, texts: Mapping[str, str], published_by: str) -> int:
    """Store a notice (a text per language, or one text, key "all", shown as is) and queue it for
    every subscriber, in their language; the number of subscribers it was queued for."""
    cleaned = {language: text.strip() for language, text in texts.items() if text and text.strip()}
    if not cleaned:
        raise ValueError("a notice needs some text")
    unknown = set(cleaned) - set(LANGUAGES) - {"all"}
    if unknown:
        raise ValueError(f"unknown language(s) {', '.join(sorted(unknown))}: use en, hi, bn (or one text for all)")
    notice = WardNotice(ward=ward, texts=cleaned, published_by=published_by)
    session.add(notice)
    session.flush()  # the notice's id goes into the notifications
    followers = subscribers(session, ward)
    for citizen in followers:
        language = citizen.preferred_language or city_settings().default_language
        session.add(
            Notification(
                citizen_id=citizen.id,
                kind="ward_notice",
                language=language,
                payload={"ward": ward, "notice_id": notice.id, "text": notice_text(cleaned, language)},
            )
        )
    return len(followers)


def notice_text(texts: Mapping[str, str], language: str) -> str:
    """The notice in the citizen's language, else the one text for all, else English, else any."""
    return texts.get(language) or texts.get("all") or texts.get("en") or next(iter(texts.values()))


def latest_notices(session: Session, ward: int, limit: int = 3) -> List[WardNotice]:
    query = select(WardNotice).where(WardNotice.ward == ward).order_by(WardNotice.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def notices_for(session: Session, ward: int, language: str, limit: int = 3) -> List[Dict[str, object]]:
    return [
        {"at": notice.created_at, "text": notice_text(notice.texts, language)}
        for notice in latest_notices(session, ward, limit)
    ]
