"""Alembic environment: migrates the database that nagarik.db.session points at."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from nagarik.db.models import metadata
from nagarik.db.session import database_url, make_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Tests and tools may pass a URL explicitly: config.attributes["url"].
URL = config.attributes.get("url") or database_url()


def run_migrations_offline() -> None:
    context.configure(url=URL, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(URL)
    with engine.connect() as connection:
        # batch mode lets SQLite alter tables (it cannot ALTER most things in place)
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
