"""Rasa's processor copies a turn's events for its debug log lines only when they are written."""

from __future__ import annotations

import ast
import inspect
import logging
from typing import Iterator, List

import pytest
import rasa.core.processor
import structlog

import components  # noqa: F401  (installs the patch, as loading a Nagarik model does)
from components.debug_copies import debug_lines_written


@pytest.fixture
def structlog_at() -> Iterator:
    """Configures structlog as Rasa's server does, at a given level; restores it afterwards."""
    saved = structlog.get_config()

    def configure(level: int) -> None:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))

    yield configure
    structlog.configure(**saved)


def _deepcopy_calls_outside_debug_logs(tree: ast.AST) -> List[int]:
    """Line numbers of `copy.deepcopy(...)` calls that are not arguments of `structlogger.debug`."""
    inside_debug = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "debug" and getattr(node.func.value, "id", None) == "structlogger"):
            inside_debug.update(id(inner) for inner in ast.walk(node))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "deepcopy" and id(node) not in inside_debug]


def test_every_deep_copy_in_rasas_processor_is_for_a_debug_log_line() -> None:
    tree = ast.parse(inspect.getsource(rasa.core.processor))
    assert _deepcopy_calls_outside_debug_logs(tree) == []
    # The check itself sees a copy made for real work.
    assert _deepcopy_calls_outside_debug_logs(ast.parse("x = copy.deepcopy(events)")) == [1]


def test_no_copies_when_debug_lines_are_dropped(structlog_at) -> None:
    events = [{"event": "user", "text": "वार्ड 12 में लाइट नहीं"}]
    structlog_at(logging.INFO)
    assert not debug_lines_written()
    assert rasa.core.processor.copy.deepcopy(events) is events


def test_copies_as_rasa_does_when_debug_lines_are_written(structlog_at) -> None:
    events = [{"event": "user", "text": "वार्ड 12 में लाइट नहीं"}]
    structlog_at(logging.DEBUG)
    assert debug_lines_written()
    copied = rasa.core.processor.copy.deepcopy(events)
    assert copied == events and copied is not events and copied[0] is not events[0]
    # Everything else the processor might use is the standard copy module.
    assert rasa.core.processor.copy.copy(events) is not events
