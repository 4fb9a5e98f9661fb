"""Rasa's training cache forgets DIET, the ResponseSelector and TED when Nagarik's code changes.

Rasa reuses a trained component from `.rasa/cache` when its class's source, its configuration and
its inputs are unchanged. Nagarik changes how Rasa's own DIETClassifier, ResponseSelector and
TEDPolicy train (`fast_training`, `training_input`, `sparse_combine`, ...) from this package, which
is none of those things: after an edit here, `make train` would retrain nothing and pack the old
weights. Rasa's per-class `fingerprint_addon` hook gets a digest of every module of the package,
so any change to it trains those three again (the featurisers' outputs are fingerprinted by their
content, so they are reused when the change does not touch them).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Dict, Optional

from rasa.core.policies.ted_policy import TEDPolicy
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def source_digest(package: Path = PACKAGE) -> str:
    """md5 of the package's Python files, names and contents, in name order."""
    digest = hashlib.md5()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint_addon(cls: type, config: Dict[str, Any]) -> Optional[str]:
    return f"nagarik-components-{source_digest()}"


def install() -> None:
    for trained_with_nagariks_code in (DIETClassifier, TEDPolicy):
        trained_with_nagariks_code.fingerprint_addon = classmethod(fingerprint_addon)
