"""components.training_code: an edit to the components package retrains Rasa's models instead of reusing them."""

from __future__ import annotations

import importlib
import shutil

import pytest
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.training.fingerprinting import calculate_fingerprint_key
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.selectors.response_selector import ResponseSelector

from components import training_code
from components.cached_ted import CachedTEDPolicy
from components.retrieval import RetrievalIntentSelector


def test_any_change_to_a_module_changes_the_digest(tmp_path) -> None:
    package = tmp_path / "components"
    shutil.copytree(training_code.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = training_code.source_digest(package)
    assert before == training_code.source_digest(training_code.PACKAGE)
    path = package / "fast_training.py"
    path.write_text(path.read_text() + "\n# an edit\n")
    after = training_code.source_digest.__wrapped__(package)
    path.rename(package / "faster_training.py")
    renamed = training_code.source_digest.__wrapped__(package)
    assert len({before, after, renamed}) == 3


@pytest.mark.parametrize(
    "component", [DIETClassifier, ResponseSelector, RetrievalIntentSelector, TEDPolicy, CachedTEDPolicy]
)
def test_the_fingerprint_of_rasas_trained_models_follows_the_package(component, monkeypatch) -> None:
    importlib.import_module("components")  # installs it
    config = component.get_default_config()
    now = calculate_fingerprint_key(component, config, {})
    assert calculate_fingerprint_key(component, config, {}) == now
    monkeypatch.setattr(training_code, "source_digest", lambda: "edited")
    assert calculate_fingerprint_key(component, config, {}) != now


def test_featurisers_keep_their_own_fingerprint(monkeypatch) -> None:
    importlib.import_module("components")
    config = CountVectorsFeaturizer.get_default_config()
    now = calculate_fingerprint_key(CountVectorsFeaturizer, config, {})
    monkeypatch.setattr(training_code, "source_digest", lambda: "edited")
    assert calculate_fingerprint_key(CountVectorsFeaturizer, config, {}) == now
