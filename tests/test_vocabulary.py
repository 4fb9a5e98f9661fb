"""Category and status names, and dates, as citizens read them in each language."""

from __future__ import annotations

from datetime import datetime, timezone

from nagarik.db.complaints import STATUSES
from nagarik.vocabulary import CATEGORY_NAMES, STATUS_NAMES, category_name, format_date, status_name

CONTRACT_CATEGORIES = {"street_light", "water_supply", "water_leakage", "sewerage", "sanitation", "roads", "house_tax", "other"}


def test_every_category_and_status_has_a_name_in_each_language() -> None:
    assert set(CATEGORY_NAMES) == CONTRACT_CATEGORIES
    assert set(STATUS_NAMES) == set(STATUSES)
    for names in list(CATEGORY_NAMES.values()) + list(STATUS_NAMES.values()):
        assert set(names) == {"en", "hi", "bn"} and all(names.values())


def test_unknown_codes_do_not_crash() -> None:
    assert category_name("potholes", "hi") == CATEGORY_NAMES["other"]["hi"]
    assert status_name("archived", "bn") == "archived"


def test_dates_are_in_the_city_time_zone_with_month_names_per_language() -> None:
    moment = datetime(2026, 11, 22, 18, 45, tzinfo=timezone.utc)  # 00:15 on the 23rd in India
    assert format_date(moment, "en", "Asia/Kolkata") == "23 Nov 2026, 12:15 am"
    assert format_date(moment, "hi", "Asia/Kolkata") == "23 नवंबर 2026, 00:15"
    assert format_date(moment, "bn", "Asia/Kolkata", with_time=False) == "23 নভেম্বর 2026"
