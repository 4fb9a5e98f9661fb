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


class TrainedModelComponent(GraphComponent):
    """A graph component that trains one Python object (a `nagarik.textclass.TextClassifier`) and
    keeps it in Rasa's model under `MODEL_FILE`. Subclasses train it in `train` (then `_keep` it)
    and use `self._model`, which is None when there was nothing to learn or it could not be loaded
    (`WITHOUT_MODEL` says what the assistant does then)."""

    MODEL_FILE = "model.joblib"
    WITHOUT_MODEL = "the component does nothing"

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, model: Optional[Any] = None
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TrainedModelComponent":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TrainedModelComponent":
        return cls(config, model_storage, resource, cls._load(model_storage, resource))

    @classmethod
    def _load(cls, model_storage: ModelStorage, resource: Resource) -> Optional[Any]:
        """The kept object, or None with a warning.

        Any failure counts (no file, a model trained before the component existed, a scikit-learn
        that cannot read it): the assistant still starts and answers, less well, instead of not at all.
        """
        import joblib

        try:
            with model_storage.read_from(resource) as directory:
                return joblib.load(directory / cls.MODEL_FILE)
        except Exception:  # noqa: BLE001 - see the docstring
            logger.warning("could not load %s from the model; %s", cls.MODEL_FILE, cls.WITHOUT_MODEL, exc_info=True)
            return None

    def _keep(self, model: Optional[Any]) -> Resource:
        """Use the trained object and keep it in the model (nothing is kept for None)."""
        import joblib

        self._model = model
        if model is not None:
            with self._storage.write_to(self._resource) as directory:
                joblib.dump(model, directory / self.MODEL_FILE)
        return self._resource
