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
    """Configures logging with Rasa's own function, as `rasa run` does, at a given level; restores
    structlog and the root logger afterwards."""
    from rasa.utils.log_utils import configure_structlog

    saved, root = structlog.get_config(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield configure_structlog
    structlog.configure(**saved)
    root.handlers[:], root.level = handlers, level


def _deepcopies_outside_debug_logs(tree: ast.AST) -> List[int]:
    """Line numbers of uses of `copy.deepcopy` (called or passed on) that are not inside the
    arguments of `structlogger.debug`."""
    inside_debug = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "debug" and getattr(node.func.value, "id", None) == "structlogger"):
            inside_debug.update(id(inner) for inner in ast.walk(node))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "deepcopy" and id(node) not in inside_debug]


def test_every_deep_copy_in_rasas_processor_is_for_a_debug_log_line() -> None:
    tree = ast.parse(inspect.getsource(rasa.core.processor))
    assert _deepcopies_outside_debug_logs(tree) == []
    # The check itself sees copies made for real work, and ignores those for debug lines.
    assert _deepcopies_outside_debug_logs(ast.parse("x = copy.deepcopy(events)")) == [1]
    assert _deepcopies_outside_debug_logs(ast.parse("\nx = list(map(copy.deepcopy, events))")) == [2]
    assert _deepcopies_outside_debug_logs(ast.parse("structlogger.debug('e', events=copy.deepcopy(e))")) == []


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
