"""Event classes found by their type name once, not by walking Rasa's class tree every time.

Every event read back from the tracker store or returned by the action server is turned into
an object by `Event.resolve_by_type`, which lists all subclasses of `Event` (recursively, with an
`inspect.isabstract` check each) and compares their names. That was 12% of what the tracker
store's threads did in `make bench`. The class found for a name is remembered; a name not found
still goes to Rasa each time (and fails or falls back as there).

Installed when the `components` package is imported.
"""

from __future__ import annotations

from typing import Dict, Optional, Text, Type

from rasa.shared.core.events import Event

_rasa_resolve_by_type = Event.resolve_by_type
_found: Dict[Text, Type[Event]] = {}


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's `Event.resolve_by_type`, remembering the classes it finds."""
    found = _found.get(type_name)
    if found is not None:
        return found
    resolved = _rasa_resolve_by_type(type_name, default)
    if resolved is not None and resolved is not default and getattr(resolved, "type_name", None) == type_name:
        _found[type_name] = resolved
    return resolved


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
