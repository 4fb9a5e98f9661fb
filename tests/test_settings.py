"""City settings: the sample file loads, overrides apply, bad files say what is wrong."""

from __future__ import annotations

import pytest

from nagarik.settings import ConfigError, city_settings, parse_city

VALID = {
    "city": {"name": {"en": "Sample"}, "default_language": "bn"},
    "helpline": {"phone": "123", "office_hours": {"en": "9 to 5", "hi": "9 से 5", "bn": "৯টা থেকে ৫টা"}},
}


def test_sample_city_loads_and_is_marked_sample() -> None:
    city_settings.cache_clear()
    settings = city_settings()
    assert settings.sample
    assert settings.default_language in ("en", "hi", "bn")
    assert set(settings.helpline.office_hours) == {"en", "hi", "bn"}


def test_environment_overrides() -> None:
    env = {"NAGARIK_HELPLINE_PHONE": "999", "NAGARIK_OFFICE_HOURS": "24x7", "NAGARIK_DEFAULT_LANGUAGE": "en"}
    settings = parse_city(VALID, env)
    assert settings.helpline.phone == "999"
    assert settings.helpline.hours_in("bn") == "24x7"
    assert settings.default_language == "en"


def test_time_zone_and_wards_default_to_an_indian_city_of_70_wards() -> None:
    settings = parse_city(VALID, {})
    assert (settings.timezone, settings.ward_count) == ("Asia/Kolkata", 70)


def test_covid_places_default_to_the_nearest_government_centre() -> None:
    places = parse_city(VALID, {}).covid_places
    assert places.ambulance == "108"
    assert "सरकारी" in places.vaccination_centres["hi"] and "সরকারি" in places.testing_centres["bn"]
    custom = parse_city({**VALID, "covid": {"ambulance": "102", "testing_centres": {"en": "Town hall"}}}, {}).covid_places
    assert custom.ambulance == "102" and custom.testing_centres["bn"] == "Town hall"


def test_missing_language_falls_back_to_english() -> None:
    raw = {**VALID, "helpline": {"phone": "1", "office_hours": {"en": "9 to 5"}}}
    assert parse_city(raw, {}).helpline.hours_in("hi") == "9 to 5"


@pytest.mark.parametrize(
    "raw, message",
    [
        ({**VALID, "helpline": {"office_hours": "x"}}, "helpline.phone"),
        ({**VALID, "helpline": {"phone": "1"}}, "office_hours"),
        ({**VALID, "city": {"default_language": "fr"}}, "default language"),
        ({**VALID, "helpline": {"phone": "1", "office_hours": {"hi": "x"}}}, "at least 'en'"),
        ({**VALID, "city": {"timezone": "India/Delhi"}}, "time zone"),
        ({**VALID, "city": {"ward_count": 0}}, "ward_count"),
        ({**VALID, "city": {"ward_count": "seventy"}}, "ward_count"),
    ],
)
def test_bad_city_data_is_refused_clearly(raw, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_city(raw, {})


def test_unreadable_city_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NAGARIK_CITY_FILE", str(tmp_path / "missing.yml"))
    city_settings.cache_clear()
    with pytest.raises(ConfigError, match="cannot read the city file"):
        city_settings()
    bad = tmp_path / "bad.yml"
    bad.write_text("city: [unclosed", encoding="utf-8")
    monkeypatch.setenv("NAGARIK_CITY_FILE", str(bad))
    city_settings.cache_clear()
    with pytest.raises(ConfigError, match="not valid YAML"):
        city_settings()
    city_settings.cache_clear()
