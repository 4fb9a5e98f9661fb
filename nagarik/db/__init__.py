"""The complaint database (SQLAlchemy models, sessions, lifecycle, city catalog)."""
