"""Departments and complaint categories from the city file into the database."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from nagarik.db.models import Category, Department
from nagarik.settings import ConfigError, per_language

CONTRACT_CATEGORIES = (
    "street_light", "water_supply", "water_leakage", "sewerage", "sanitation", "roads", "house_tax", "other",
)


def load_catalog(session: Session, raw: Mapping[str, Any]) -> None:
    """Insert or update every department and category of a parsed city file.

    Refuses a file that misses a contract category, names an unknown
    department, or gives an SLA that is not a positive number of hours.
    """
    departments = raw.get("departments") or {}
    categories = raw.get("categories") or {}
    missing = [code for code in CONTRACT_CATEGORIES if code not in categories]
    if missing:
        raise ConfigError(f"the city file has no entry for the categories: {', '.join(missing)}")
    for code, names in departments.items():
        session.merge(Department(code=code, names=per_language(names, f"departments.{code}")))
    for code, entry in categories.items():
        if code not in CONTRACT_CATEGORIES:
            raise ConfigError(f"unknown category {code!r}; the contract's are: {', '.join(CONTRACT_CATEGORIES)}")
        department = (entry or {}).get("department")
        if department not in departments:
            raise ConfigError(f"category {code}: department {department!r} is not under departments")
        hours = (entry or {}).get("sla_hours")
        if not isinstance(hours, int) or hours <= 0:
            raise ConfigError(f"category {code}: sla_hours must be a positive whole number, not {hours!r}")
        session.merge(Category(code=code, department_code=department, sla_hours=hours))
