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
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterable, List, Optional, Union

from rasa.core.policies.ted_policy import TEDPolicy
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

PACKAGE = Path(__file__).resolve().parent


def files_digest(paths: Iterable[Union[str, Path]]) -> str:
    """md5 of the files' names and contents, in the order given."""
    digest = hashlib.md5()
    for path in map(Path, paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def module_files(*modules: ModuleType) -> List[Path]:
    """The source files of the modules, for `files_digest`."""
    return [Path(inspect.getsourcefile(module) or module.__name__) for module in modules]


@functools.lru_cache(maxsize=None)
def source_digest(package: Path = PACKAGE) -> str:
    """md5 of the package's Python files, names and contents, in name order."""
    return files_digest(sorted(package.glob("*.py")))


def fingerprint_addon(cls: type, config: Dict[str, Any]) -> Optional[str]:
    return f"nagarik-components-{source_digest()}"


def install() -> None:
    for trained_with_nagariks_code in (DIETClassifier, TEDPolicy):
        trained_with_nagariks_code.fingerprint_addon = classmethod(fingerprint_addon)
