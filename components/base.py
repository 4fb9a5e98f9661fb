"""What the project's stateless NLU components share."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class StatelessComponent(GraphComponent):
    """A graph component with no configuration and nothing to train or persist."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StatelessComponent":
        return cls()


logger = logging.getLogger(__name__)


def save_model(model_storage: ModelStorage, resource: Resource, filename: str, model: Any) -> None:
    """Keep a trained Python object (a `nagarik.textclass.TextClassifier`) in Rasa's model."""
    import joblib

    with model_storage.write_to(resource) as directory:
        joblib.dump(model, directory / filename)


def load_model(model_storage: ModelStorage, resource: Resource, filename: str, without: str) -> Optional[Any]:
    """The object `save_model` kept, or None with a warning saying what goes `without` it.

    Any failure counts (no file, a model trained before the component existed, a scikit-learn
    that cannot read it): the assistant still starts and answers, less well, instead of not at all.
    """
    import joblib

    try:
        with model_storage.read_from(resource) as directory:
            return joblib.load(directory / filename)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("could not load %s from the model; %s", filename, without, exc_info=True)
        return None
