"""Dialogue states computed once per conversation step, not once per policy.

Every policy turns the conversation into dialogue states before it predicts: Rasa 3.6 replays the
whole session's events for each call, and one prediction asks four times (RulePolicy twice,
MemoizationPolicy and TED once each) for two different kinds of states. Under load that replay was
a tenth of the rasa server's CPU (`make bench` profile). The states depend only on the events, the
domain and the arguments, so the tracker keeps the last ones it computed and hands out copies until
a new event arrives.

Installed when the `components` package is imported, that is whenever a Nagarik model is loaded.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Hashable, List, Optional, Text, Tuple

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

_ATTRIBUTE = "_nagarik_past_states"
_rasas_past_states = DialogueStateTracker.past_states


def _events_key(tracker: DialogueStateTracker) -> Tuple[int, int, int]:
    # The events are only ever appended (or, with max_event_history, the oldest dropped): their
    # count and the identity of the first and last live event change with every change.
    events = tracker.events
    if not events:
        return (0, 0, 0)
    return (len(events), id(events[0]), id(events[-1]))


def _arguments_key(domain: Domain, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                   rule_only_data: Optional[Dict[Text, Any]]) -> Hashable:
    rule_only = json.dumps(rule_only_data, sort_keys=True, default=str) if rule_only_data else ""
    return (id(domain), omit_unset_slots, ignore_rule_only_turns, rule_only)


def copy_states(states: List[State]) -> List[State]:
    """Copies down to the sub-state dictionaries, the level Rasa's featurizers change in place
    (the last user input loses its text or its intent); the values inside are immutable."""
    return [{part: dict(features) for part, features in state.items()} for state in states]


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[State]:
    """Same result as Rasa's DialogueStateTracker.past_states, computed once per events and arguments."""
    events_key = _events_key(self)
    cache = self.__dict__.get(_ATTRIBUTE)
    if cache is None or cache[0] != events_key:
        cache = (events_key, {})
        self.__dict__[_ATTRIBUTE] = cache
    arguments = _arguments_key(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    entry = cache[1].get(arguments)
    if entry is None:
        states = _rasas_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        # The key holds id(domain): the entry keeps that domain alive so the id is not reused.
        entry = cache[1][arguments] = (copy_states(states), domain)
    return copy_states(entry[0])


def install() -> None:
    DialogueStateTracker.past_states = past_states
