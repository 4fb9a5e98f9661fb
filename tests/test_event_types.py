"""components.event_types: the event classes Rasa finds, found once."""

from __future__ import annotations

import importlib

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from components import event_types


def test_installed_with_the_components() -> None:
    importlib.import_module("components")
    assert Event.resolve_by_type is event_types.resolve_by_type


def test_event_classes_are_the_ones_rasa_finds() -> None:
    for cls in (ActionExecuted, SlotSet, UserUttered):
        assert Event.resolve_by_type(cls.type_name) is cls
        assert event_types._rasa_resolve_by_type(cls.type_name) is cls
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert "no_such_event" not in event_types._found
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "ward", "value": "12"}) == SlotSet("ward", "12")
