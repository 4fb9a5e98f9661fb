"""components.remote_action: action server replies are checked as strictly as Rasa does, faster."""

from __future__ import annotations

from unittest import mock

import pytest
from jsonschema import ValidationError
from jsonschema.validators import Draft202012Validator
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the check)
from components import remote_action

GOOD = {
    "events": [{"event": "slot", "name": "language", "value": "hi", "timestamp": None}],
    "responses": [{"response": "utter_greet"}],
}


def _action() -> RemoteAction:
    return RemoteAction("action_anything", None)


def test_importing_the_components_installs_the_check() -> None:
    assert RemoteAction._validate_action_result is remote_action.validate_action_result


def test_a_valid_reply_passes() -> None:
    assert _action()._validate_action_result(GOOD) is True
    assert _action()._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize("bad", [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["not an object"]},
])
def test_an_invalid_reply_is_refused_with_rasas_hint(bad) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _action()._validate_action_result(bad)


def test_the_schema_itself_is_checked_once_not_per_reply() -> None:
    remote_action._validator.cache_clear()
    with mock.patch.object(Draft202012Validator, "check_schema", wraps=Draft202012Validator.check_schema) as check:
        for _ in range(5):
            _action()._validate_action_result(GOOD)
    assert check.call_count <= 1
