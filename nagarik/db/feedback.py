"""Suggestions and praise from citizens, kept with their ward and category when given."""

from __future__ import annotations

from typing import Optional

from sqlalchemy.orm import Session

from nagarik.db.complaints import citizen_for
from nagarik.db.models import Category, Feedback


def store_feedback(
    session: Session,
    phone: str,
    text: str,
    language: str,
    ward: Optional[int] = None,
    category: Optional[str] = None,
) -> Feedback:
    """Store one piece of feedback; a category the city does not know is dropped, not guessed."""
    if category and session.get(Category, category) is None:
        category = None
    feedback = Feedback(
        citizen=citizen_for(session, phone, language),
        text=text.strip(),
        ward=ward,
        category_code=category,
        language=language,
    )
    session.add(feedback)
    return feedback
