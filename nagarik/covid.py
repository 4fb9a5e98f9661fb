"""District COVID-19 figures: from a feed, else the last good figures, else an officer's bulletin.

Two feed formats are read:

* covid19india.org's `state_district_wise.json`:
  `{"<state>": {"districtData": {"<district>": {"confirmed": n, "active": n,
  "recovered": n, "deceased": n, "delta": {"confirmed": n, ...}}}}}` (no date:
  the figures are taken as of the moment they were fetched);
* the project's own `nagarik-covid-v1`:
  `{"format": "nagarik-covid-v1", "as_of": "2026-11-20", "districts": [{"state": ...,
  "district": ..., "confirmed": n, "active": n, "recovered": n, "deceased": n,
  "new_confirmed": n}]}`.

Numbers are never invented: a feed that is down, slow or malformed falls back
to the last figures stored in the database, with their date.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping, Optional

import requests

logger = logging.getLogger(__name__)

FORMAT_V1 = "nagarik-covid-v1"
COUNTS = ("confirmed", "active", "recovered", "deceased")


class FeedError(Exception):
    """The feed could not be fetched or did not hold usable figures for the district."""


@dataclass(frozen=True)
class Figures:
    state: str
    district: str
    confirmed: int
    active: int
    recovered: int
    deceased: int
    as_of: datetime
    new_confirmed: Optional[int] = None
    source: str = "feed"  # "feed" or "bulletin"


def _count(raw: Mapping[str, Any], key: str, required: bool = True) -> Optional[int]:
    value = raw.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FeedError(f"{key!r} is {value!r}, not a count")
    return value


def _find(mapping: Mapping[str, Any], name: str, what: str) -> Any:
    """A state or district by name, ignoring case and spaces at the ends."""
    for key, value in mapping.items():
        if isinstance(key, str) and key.strip().lower() == name.strip().lower():
            return value
    raise FeedError(f"{what} {name!r} is not in the feed")


def _from_covid19india(data: Mapping[str, Any], state: str, district: str, fetched_at: datetime) -> Figures:
    state_data = _find(data, state, "state")
    districts = state_data.get("districtData") if isinstance(state_data, dict) else None
    if not isinstance(districts, dict):
        raise FeedError(f"state {state!r} has no districtData")
    raw = _find(districts, district, "district")
    if not isinstance(raw, dict):
        raise FeedError(f"district {district!r} is not an object")
    delta = raw.get("delta") if isinstance(raw.get("delta"), dict) else {}
    return Figures(
        state, district, *(_count(raw, key) for key in COUNTS), as_of=fetched_at,
        new_confirmed=_count(delta, "confirmed", required=False),
    )


def _from_v1(data: Mapping[str, Any], state: str, district: str) -> Figures:
    try:
        as_of = datetime.combine(date.fromisoformat(str(data.get("as_of"))), datetime.min.time(), timezone.utc)
    except ValueError as error:
        raise FeedError(f"as_of {data.get('as_of')!r} is not a date (YYYY-MM-DD)") from error
    for raw in data.get("districts") or []:
        if not isinstance(raw, dict):
            continue
        if str(raw.get("district", "")).strip().lower() == district.strip().lower() and str(
            raw.get("state", state)
        ).strip().lower() == state.strip().lower():
            return Figures(
                state, district, *(_count(raw, key) for key in COUNTS), as_of=as_of,
                new_confirmed=_count(raw, "new_confirmed", required=False),
            )
    raise FeedError(f"district {district!r} of {state!r} is not in the feed")


def parse_feed(data: Any, state: str, district: str, fetched_at: Optional[datetime] = None) -> Figures:
    """The district's figures from a parsed feed in either format; FeedError if they are not there."""
    if not isinstance(data, dict):
        raise FeedError("the feed is not a JSON object")
    if data.get("format") == FORMAT_V1:
        return _from_v1(data, state, district)
    return _from_covid19india(data, state, district, fetched_at or datetime.now(timezone.utc))


def fetch_figures(
    url: str,
    state: str,
    district: str,
    timeout: float = 4.0,
    retries: int = 2,
    backoff: float = 0.5,
    get: Callable[..., requests.Response] = requests.get,
) -> Figures:
    """Fetch and parse the feed; retries timeouts, connection errors and 5xx with growing pauses."""
    last_error: Exception = FeedError("not fetched")
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = get(url, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout) as error:
            last_error = FeedError(f"the feed did not answer: {error.__class__.__name__}")
            continue
        if response.status_code >= 500:
            last_error = FeedError(f"the feed answered {response.status_code}")
            continue
        if response.status_code != 200:
            raise FeedError(f"the feed answered {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise FeedError("the feed is not valid JSON") from error
        return parse_feed(data, state, district)
    raise last_error


@dataclass(frozen=True)
class FeedSettings:
    url: Optional[str]
    state: str
    district: str
    cache_seconds: float


def feed_settings(default_state: str, default_district: str, environ: Mapping[str, str] = os.environ) -> FeedSettings:
    """COVID_FEED_URL / COVID_STATE / COVID_DISTRICT / COVID_CACHE_SECONDS, else the city file's."""
    try:
        cache_seconds = float(environ.get("COVID_CACHE_SECONDS") or 600)
    except ValueError:
        cache_seconds = 600.0
    return FeedSettings(
        url=environ.get("COVID_FEED_URL") or None,
        state=environ.get("COVID_STATE") or default_state,
        district=environ.get("COVID_DISTRICT") or default_district,
        cache_seconds=cache_seconds,
    )


def as_bulletin(figures: Figures) -> Figures:
    return replace(figures, source="bulletin")


def indian_grouping(number: int) -> str:
    """12345678 -> '1,23,45,678' (lakh and crore grouping)."""
    digits = str(abs(number))
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join(groups + [tail])
    return ("-" if number < 0 else "") + digits
