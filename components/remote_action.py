"""Checks the action server's replies against Rasa's schema without re-checking the schema itself.

Rasa 3.6 validates every action server reply with `jsonschema.validate(result, schema)`, which
first checks the schema against the JSON Schema meta-schema: about 0.1 s of CPU per custom action
call on this machine, more than the whole rest of a turn (`make bench` profile). Here the schema
is checked once and the same validator is reused; what is accepted or refused is unchanged.

Installed when the `components` package is imported, that is whenever a Nagarik model is loaded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

from components.schema_checks import checked_validator


@lru_cache(maxsize=1)
def _validator() -> Any:
    return checked_validator(RemoteAction.action_response_format_spec())


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same contract as RemoteAction._validate_action_result: True, or ValidationError with Rasa's hint."""
    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
