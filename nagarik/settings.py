"""Configuration from the city data file and the environment.

The city file (`NAGARIK_CITY_FILE`, default `city/sample-city.yml`) holds what
a municipality edits: its name, default language, helpline and office hours.
Environment variables override single values for a deployment without
touching the file, and carry everything secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from nagarik.language import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CITY_FILE = REPO_ROOT / "city" / "sample-city.yml"


class ConfigError(ValueError):
    """The city file or an environment variable has a value we cannot use."""


@dataclass(frozen=True)
class Helpline:
    phone: str
    office_hours: Mapping[str, str]

    def hours_in(self, language: str) -> str:
        return self.office_hours.get(language) or self.office_hours["en"]


@dataclass(frozen=True)
class CovidPlaces:
    """The city's own answers inside the COVID-19 FAQ: where to get vaccinated or tested, the ambulance."""

    ambulance: str
    vaccination_centres: Mapping[str, str]
    testing_centres: Mapping[str, str]


_NEAREST_CENTRE = {
    "en": "ask your nearest government hospital or health centre",
    "hi": "अपने नज़दीकी सरकारी अस्पताल या स्वास्थ्य केंद्र से पूछें",
    "bn": "কাছের সরকারি হাসপাতাল বা স্বাস্থ্যকেন্দ্রে জেনে নিন",
}


def _covid_places(covid: Mapping[str, Any]) -> CovidPlaces:
    return CovidPlaces(
        ambulance=str(covid.get("ambulance") or "108"),
        vaccination_centres=per_language(covid.get("vaccination_centres") or _NEAREST_CENTRE, "covid.vaccination_centres"),
        testing_centres=per_language(covid.get("testing_centres") or _NEAREST_CENTRE, "covid.testing_centres"),
    )


@dataclass(frozen=True)
class CitySettings:
    name: Mapping[str, str]
    default_language: str
    helpline: Helpline
    sample: bool
    # Dates shown to citizens are in the city's time zone.
    timezone: str = "Asia/Kolkata"
    ward_count: int = 70
    # The district whose COVID-19 figures citizens get (COVID_STATE / COVID_DISTRICT override).
    covid_state: str = ""
    covid_district: str = ""
    covid_places: "CovidPlaces" = None  # type: ignore[assignment]


def per_language(value: Any, what: str) -> Dict[str, str]:
    if isinstance(value, str):
        return {language: value for language in LANGUAGES}
    if not isinstance(value, dict) or "en" not in value:
        raise ConfigError(f"{what} must be a text or a mapping with at least 'en' (and 'hi', 'bn')")
    return {language: str(value.get(language) or value["en"]) for language in LANGUAGES}


def parse_city(raw: Mapping[str, Any], environ: Mapping[str, str]) -> CitySettings:
    """Build settings from the parsed city file, applying environment overrides."""
    city = raw.get("city") or {}
    helpline = raw.get("helpline") or {}
    default_language = environ.get("NAGARIK_DEFAULT_LANGUAGE") or city.get("default_language", "en")
    if default_language not in LANGUAGES:
        raise ConfigError(f"default language must be one of {', '.join(LANGUAGES)}, not {default_language!r}")
    phone = environ.get("NAGARIK_HELPLINE_PHONE") or helpline.get("phone")
    if not phone:
        raise ConfigError("the city file needs helpline.phone (or set NAGARIK_HELPLINE_PHONE)")
    hours = environ.get("NAGARIK_OFFICE_HOURS") or helpline.get("office_hours")
    if not hours:
        raise ConfigError("the city file needs helpline.office_hours (or set NAGARIK_OFFICE_HOURS)")
    return CitySettings(
        name=per_language(city.get("name", "Nagarik"), "city.name"),
        default_language=default_language,
        helpline=Helpline(phone=str(phone), office_hours=per_language(hours, "helpline.office_hours")),
        sample=bool(city.get("sample", False)),
        timezone=_timezone(city.get("timezone", "Asia/Kolkata")),
        ward_count=_ward_count(city.get("ward_count", 70)),
        covid_state=str((raw.get("covid") or {}).get("state") or ""),
        covid_district=str((raw.get("covid") or {}).get("district") or ""),
        covid_places=_covid_places(raw.get("covid") or {}),
    )


def _timezone(name: Any) -> str:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"city.timezone {name!r} is not a time zone name such as Asia/Kolkata") from error
    return str(name)


def _ward_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"city.ward_count must be a whole number of wards, not {value!r}")
    return value


def city_file() -> Path:
    return Path(os.environ.get("NAGARIK_CITY_FILE") or DEFAULT_CITY_FILE)


def read_city_file(path: Path) -> Dict[str, Any]:
    """The parsed city file, or a ConfigError that names the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read the city file {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"the city file {path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"the city file {path} must be a mapping")
    return raw


@lru_cache(maxsize=1)
def city_settings() -> CitySettings:
    """The settings of the configured city, read once per process."""
    return parse_city(read_city_file(city_file()), os.environ)


def media_dir() -> Path:
    """Where photos and documents citizens send are stored (NAGARIK_MEDIA_DIR, default media/)."""
    return Path(os.environ.get("NAGARIK_MEDIA_DIR") or "media")
