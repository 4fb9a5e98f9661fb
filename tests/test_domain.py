"""Every response exists in every language, and the domain matches the contract."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import yaml

from conftest import ALL_INTENTS, CONTRACT_INTENTS, ENTITIES, REPO
from nagarik.language import LANGUAGES

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _language_of(variation: Dict[str, Any]) -> Optional[str]:
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "language":
            return condition.get("value")
    return None


def _used_actions() -> set:
    used = set()
    for path in (REPO / "data").glob("*.yml"):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("rules", []) + content.get("stories", []):
            used.update(step["action"] for step in block["steps"] if "action" in step)
    return used


def test_every_response_has_exactly_one_variation_per_language(domain) -> None:
    problems: List[str] = []
    for name, variations in domain.responses.items():
        languages = [_language_of(variation) for variation in variations]
        if sorted(language or "" for language in languages) != sorted(LANGUAGES):
            problems.append(f"{name}: languages {languages}")
    assert not problems, "responses missing or repeating a language:\n" + "\n".join(problems)


def test_no_variation_is_channel_only(domain) -> None:
    # A `channel:` variation without a language condition would override every language.
    for name, variations in domain.responses.items():
        for variation in variations:
            assert _language_of(variation), f"{name} has a variation without a language condition"


def test_variations_agree_on_placeholders_and_buttons(domain) -> None:
    for name, variations in domain.responses.items():
        placeholders = {frozenset(_PLACEHOLDER.findall(v.get("text", ""))) for v in variations}
        assert len(placeholders) == 1, f"{name}: placeholders differ between languages: {placeholders}"
        payloads = {tuple(button["payload"] for button in v.get("buttons", [])) for v in variations}
        assert len(payloads) == 1, f"{name}: buttons differ between languages"


def test_texts_are_in_their_language(domain) -> None:
    scripts = {"hi": re.compile(r"[\u0900-\u097f]"), "bn": re.compile(r"[\u0980-\u09ff]")}
    for name, variations in domain.responses.items():
        for variation in variations:
            language = _language_of(variation)
            if language in scripts:
                assert scripts[language].search(variation["text"]), f"{name} [{language}] is not in its script"


def test_contract_intents_and_entities_are_in_the_domain(domain) -> None:
    assert set(CONTRACT_INTENTS) <= set(domain.intents)
    assert set(ENTITIES) <= set(domain.entities)


def test_every_intent_is_answered_by_a_rule_or_story(domain) -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "data").glob("*.yml"))
    for intent in ALL_INTENTS:
        assert re.search(rf"intent: {intent}\b", text), f"no rule or story handles {intent}"


def test_actions_used_in_rules_exist(domain) -> None:
    known = set(domain.action_names_or_texts) | {"utter_covid_faq"}
    assert _used_actions() <= known


def test_sessions_expire_and_keep_the_language(domain) -> None:
    assert domain.session_config.session_expiration_time > 0
    assert domain.session_config.carry_over_slots
