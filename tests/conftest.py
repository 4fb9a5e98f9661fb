"""Shared fixtures: the repository's domain, NLU data and contract names."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

REPO = Path(__file__).resolve().parent.parent
NLU_GROUPS = ("en", "hi", "bn", "hi_latn", "bn_latn")
CONTRACT_INTENTS = (
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "report_complaint",
    "track_complaint", "give_feedback", "covid_update", "covid_faq", "ward_info", "set_language",
    "human_handoff", "inform", "out_of_scope",
)
COVID_FAQ = ("symptoms", "prevention", "vaccination", "testing", "helpline")
CATEGORIES = ("street_light", "water_supply", "water_leakage", "sewerage", "sanitation", "roads", "house_tax", "other")
ENTITIES = ("complaint_category", "ward", "locality", "complaint_id", "language")


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def _examples(path: Path) -> List[Message]:
    return list(load_data(str(path)).training_examples)


@pytest.fixture(scope="session")
def training_examples() -> Dict[str, List[Message]]:
    return {group: _examples(REPO / "data" / "nlu" / f"{group}.yml") for group in NLU_GROUPS}


@pytest.fixture(scope="session")
def heldout_examples() -> Dict[str, List[Message]]:
    return {group: _examples(REPO / "tests" / "nlu_heldout" / f"{group}.yml") for group in NLU_GROUPS}
