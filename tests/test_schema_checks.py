"""components.schema_checks and the importer in config.yml: training data read as Rasa reads it, faster."""

from __future__ import annotations

import pytest
import rasa.shared.utils.validation as rasa_validation
from rasa.shared.exceptions import SchemaValidationError
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.utils.io import read_yaml_file

from conftest import REPO
from components import schema_checks
from components.training_data import NagarikFileImporter

NLU = """version: "3.1"
nlu:
- intent: report_complaint
  examples: |
    - ward [12]{"entity": "ward", "value": "12"} me [batti]{"entity": "complaint_category", "value": "streetlight"} nahi jal rahi
"""
BAD = NLU.replace('"value": "12"', '"value": "12", "role": 7')


def _rasa_original(json_data, schema) -> None:
    """What Rasa 3.6's validate_training_data does (jsonschema.validate, which re-checks the schema)."""
    from jsonschema import ValidationError, validate

    try:
        validate(json_data, schema)
    except ValidationError as error:
        error.message += (
            ". Failed to validate data, make sure your data is valid. For more information about "
            f"the format visit {rasa_validation.DOCS_URL_TRAINING_DATA}."
        )
        raise SchemaValidationError.create_from(error) from error


def test_config_names_the_importer_that_installs_the_checks() -> None:
    importers = read_yaml_file(REPO / "config.yml")["importers"]
    assert importers == [{"name": "components.training_data.NagarikFileImporter"}]
    importer = TrainingDataImporter.load_from_config(str(REPO / "config.yml"), str(REPO / "domain.yml"), [str(REPO / "data")])
    assert rasa_validation.validate_training_data is schema_checks.validate_training_data
    assert importer.get_nlu_data().training_examples  # the repository's data reads
    assert issubclass(NagarikFileImporter, TrainingDataImporter)


def test_valid_annotations_read_the_same(monkeypatch) -> None:
    ours = RasaYAMLReader().reads(NLU).training_examples[0].get("entities")
    monkeypatch.setattr(rasa_validation, "validate_training_data", _rasa_original)
    theirs = RasaYAMLReader().reads(NLU).training_examples[0].get("entities")
    assert ours == theirs and [e["value"] for e in ours] == ["12", "streetlight"]


def test_invalid_annotations_are_refused_with_rasas_message(monkeypatch) -> None:
    with pytest.raises(SchemaValidationError) as ours:
        RasaYAMLReader().reads(BAD)
    monkeypatch.setattr(rasa_validation, "validate_training_data", _rasa_original)
    with pytest.raises(SchemaValidationError) as theirs:
        RasaYAMLReader().reads(BAD)
    assert str(ours.value) == str(theirs.value) and "Failed to validate data" in str(ours.value)


def test_each_schema_is_checked_once_and_its_validator_reused() -> None:
    schema = {"type": "object", "properties": {"ward": {"type": "string"}}}
    first = schema_checks.checked_validator(schema)
    assert schema_checks.checked_validator(dict(schema)) is first  # an equal schema, another dict
    assert schema_checks.checked_validator({"type": "string"}) is not first
