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
    if not isinstance(departments, dict) or not isinstance(categories, dict):
        raise ConfigError("departments and categories must be mappings")
    missing = [code for code in CONTRACT_CATEGORIES if code not in categories]
    if missing:
        raise ConfigError(f"the city file has no entry for the categories: {', '.join(missing)}")
    # Validate everything before writing anything.
    names = {code: per_language(value, f"departments.{code}") for code, value in departments.items()}
    routes = {code: _route(code, entry, departments) for code, entry in categories.items()}
    for code, department_names in names.items():
        session.merge(Department(code=code, names=department_names))
    for code, (department, hours) in routes.items():
        session.merge(Category(code=code, department_code=department, sla_hours=hours))


def _route(code: str, entry: Any, departments: Mapping[str, Any]) -> tuple:
    if code not in CONTRACT_CATEGORIES:
        raise ConfigError(f"unknown category {code!r}; the contract's are: {', '.join(CONTRACT_CATEGORIES)}")
    if not isinstance(entry, dict):
        raise ConfigError(f"category {code}: expected department and sla_hours, not {entry!r}")
    department = entry.get("department")
    if department not in departments:
        raise ConfigError(f"category {code}: department {department!r} is not under departments")
    hours = entry.get("sla_hours")
    if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
        raise ConfigError(f"category {code}: sla_hours must be a positive whole number, not {hours!r}")
    return department, hours
