"""No deep copies of a turn's events for debug log lines that are not written.

Rasa 3.6's message processor passes `copy.deepcopy(...)` of the events, slots and parse data of
every turn to `structlogger.debug(...)`, so that the log's anonymisation step cannot change the
tracker's own objects. Python evaluates the arguments before structlog looks at the level, so the
copies are made even when debug logging is off, as in every deployment: 8 copies and 0.25 ms a
message in-process, 0.7% of a turn. Here the processor module's `copy` is one whose `deepcopy` copies
only while structlog writes debug lines; anything else is the standard `copy` module.

Every `copy.deepcopy` in the processor must be such a log argument; `tests/test_debug_copies.py`
checks Rasa's source for it, so an upgrade that uses one for real work fails the tests.

Installed when the `components` package is imported, that is whenever a Nagarik model is loaded.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, TypeVar

import structlog

import rasa.core.processor

T = TypeVar("T")

# The method a filtering structlog logger has for a level below its threshold: it does nothing.
_DROPPED = structlog.make_filtering_bound_logger(logging.CRITICAL).debug


def debug_lines_written() -> bool:
    """Whether structlog's debug calls go anywhere. Rasa configures a filtering logger at the
    server's log level; an unconfigured structlog (or any other logger class) counts as writing."""
    wrapper = structlog.get_config()["wrapper_class"]
    return getattr(wrapper, "debug", None) is not _DROPPED


class _CopyForDebugLog:
    """Stands in for the `copy` module inside `rasa.core.processor`."""

    @staticmethod
    def deepcopy(value: T, *args: Any, **kwargs: Any) -> T:
        return copy.deepcopy(value, *args, **kwargs) if debug_lines_written() else value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    rasa.core.processor.copy = _CopyForDebugLog()
