"""Shared fixtures: the repository's domain, NLU data and contract names."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from nagarik.db.catalog import load_catalog
from nagarik.db.session import dispose, session_scope
from nagarik.db.wards import WARDS_CACHE, replace_wards
from nagarik.wards import city_wards

REPO = Path(__file__).resolve().parent.parent
NLU_GROUPS = ("en", "hi", "bn", "hi_latn", "bn_latn")
CONTRACT_INTENTS = (
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "report_complaint",
    "track_complaint", "give_feedback", "covid_update", "covid_faq", "ward_info", "set_language",
    "human_handoff", "inform", "out_of_scope",
)
COVID_FAQ = ("symptoms", "prevention", "vaccination", "testing", "helpline")
CATEGORIES = ("street_light", "water_supply", "water_leakage", "sewerage", "sanitation", "roads", "house_tax", "other")
# The project's own intents beyond the contract (domain.yml says why).
PROJECT_INTENTS = ("subscribe_notices", "unsubscribe_notices", "share_location")
ALL_INTENTS = CONTRACT_INTENTS + PROJECT_INTENTS
ENTITIES = ("complaint_category", "ward", "locality", "complaint_id", "language")


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def graph_component(agent, cls: type):
    """The loaded model's instance of a graph component class (a policy, a classifier, a provider)."""
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return next(node._component for node in nodes if isinstance(node._component, cls))


def _examples(path: Path) -> List[Message]:
    return list(load_data(str(path)).training_examples)


@pytest.fixture(scope="session")
def training_examples() -> Dict[str, List[Message]]:
    return {group: _examples(REPO / "data" / "nlu" / f"{group}.yml") for group in NLU_GROUPS}


@pytest.fixture(scope="session")
def heldout_examples() -> Dict[str, List[Message]]:
    return {group: _examples(REPO / "tests" / "nlu_heldout" / f"{group}.yml") for group in NLU_GROUPS}


# ---------------------------------------------------------------- database

# The PostgreSQL the database tests use; .ci/run makes sure it is running.
POSTGRES = os.environ.get("NAGARIK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CITY = yaml.safe_load((REPO / "city" / "sample-city.yml").read_text(encoding="utf-8"))


def migrate(url: str, revision: str = "head") -> None:
    config = Config(str(REPO / "alembic.ini"))
    config.attributes["url"] = url
    if revision == "base":
        command.downgrade(config, "base")
    else:
        command.upgrade(config, revision)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database with the sample city's catalog: "sqlite" (a file in `folder`) or "postgresql"."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'nagarik.db'}"
        migrate(url)
        yield with_city(url)
        dispose(url)
        return
    # A schema of its own per test, so tests never see each other's rows.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield with_city(url)
    finally:
        dispose(url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database with the sample city's catalog."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


def with_city(url: str) -> str:
    """The sample city's departments, categories and wards loaded into a migrated database."""
    with session_scope(url) as session:
        load_catalog(session, CITY)
        replace_wards(session, city_wards())
    return url


@pytest.fixture(autouse=True)
def fresh_ward_cache() -> Iterator[None]:
    """The actions cache the loaded wards; every test starts from its own database."""
    WARDS_CACHE.clear()
    yield
    WARDS_CACHE.clear()
