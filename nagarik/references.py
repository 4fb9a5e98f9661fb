"""Complaint reference numbers: `NG` and six digits, typed any way on a phone."""

from __future__ import annotations

import re
from typing import Optional

from nagarik.text import normalize_text

PREFIX = "NG"
_REFERENCE = re.compile(r"^\s*n\s*g[\s\-./#]*((?:\d[\s\-]?){5}\d)\s*$", re.IGNORECASE)


def canonical_reference(text: str) -> Optional[str]:
    """`"ng 104 233"`, `"Ng-104233"`, `"ng१०४२३३"` → `"NG104233"`; None if it is not a reference."""
    match = _REFERENCE.match(normalize_text(text))  # also turns Indic digits into ASCII
    if not match:
        return None
    return PREFIX + re.sub(r"\D", "", match.group(1))
