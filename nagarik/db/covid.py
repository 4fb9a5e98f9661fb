"""Storing district COVID-19 figures, and finding the ones to tell a citizen."""

from __future__ import annotations

import logging
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nagarik.cache import TTLCache
from nagarik.covid import FeedError, FeedSettings, Figures, fetch_figures
from nagarik.db.models import CovidFigures
from nagarik.db.session import session_scope

logger = logging.getLogger(__name__)


def store_figures(session: Session, figures: Figures, published_by: Optional[str] = None) -> CovidFigures:
    """Keep figures (a feed's last good ones, or a bulletin); the same feed figures are kept once."""
    latest = _latest_row(session, figures.state, figures.district, figures.source)
    if latest is not None and figures.source == "feed" and _same(latest, figures):
        return latest
    row = CovidFigures(
        state=figures.state,
        district=figures.district,
        confirmed=figures.confirmed,
        active=figures.active,
        recovered=figures.recovered,
        deceased=figures.deceased,
        new_confirmed=figures.new_confirmed,
        as_of=figures.as_of,
        source=figures.source,
        published_by=published_by,
    )
    session.add(row)
    return row


def _same(row: CovidFigures, figures: Figures) -> bool:
    return (row.confirmed, row.active, row.recovered, row.deceased, row.new_confirmed) == (
        figures.confirmed, figures.active, figures.recovered, figures.deceased, figures.new_confirmed
    )


def _latest_row(session: Session, state: str, district: str, source: Optional[str] = None) -> Optional[CovidFigures]:
    query = select(CovidFigures).where(
        func.lower(CovidFigures.state) == state.lower(), func.lower(CovidFigures.district) == district.lower()
    )
    if source:
        query = query.where(CovidFigures.source == source)
    return session.execute(query.order_by(CovidFigures.as_of.desc(), CovidFigures.id.desc()).limit(1)).scalar_one_or_none()


def stored_figures(session: Session, state: str, district: str) -> Optional[Figures]:
    """The newest figures known for the district, from the feed or a bulletin."""
    row = _latest_row(session, state, district)
    if row is None:
        return None
    return Figures(
        row.state, row.district, row.confirmed, row.active, row.recovered, row.deceased,
        as_of=row.as_of, new_confirmed=row.new_confirmed, source=row.source,
    )


def current_figures(feed: FeedSettings, cache: TTLCache, url: str = "") -> Optional[Figures]:
    """Fresh feed figures (cached), else the last stored ones; None if nothing is known at all.

    Blocking (HTTP and database): call it from a worker thread.
    """
    if feed.url:
        key = (feed.url, feed.state, feed.district)
        cached = cache.get(key)
        if cached is not None:
            return cached
        try:
            figures = fetch_figures(feed.url, feed.state, feed.district)
        except FeedError as error:
            logger.warning("COVID feed unusable (%s); using the last stored figures", error)
        else:
            cache.put(key, figures)
            with session_scope(url) as session:
                store_figures(session, figures)
            return figures
    with session_scope(url) as session:
        return stored_figures(session, feed.state, feed.district)
