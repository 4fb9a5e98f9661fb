"""Rasa's own training data importer, named in config.yml so that `rasa train`, `rasa test` and
`rasa data validate` install the components' speed-ups before they read the training data.

Rasa reads the training data before it looks at the pipeline, so without this the `components`
package (and its patches) is imported only after the data is parsed. Parsing it is where one of
them matters: every entity annotation written as JSON (`[12]{"entity": "ward", "value": "12"}`,
757 of them) is validated with `jsonschema.validate`, which first checks the schema itself
against the JSON Schema meta-schema, 7-8 s of each `rasa train` (py-spy). `schema_checks`
reuses one checked validator per schema; what is accepted or refused is unchanged.
"""

from __future__ import annotations

from rasa.shared.importers.rasa import RasaFileImporter

from components import schema_checks

# Importing the package installed every speed-up; this one is what reading the data needs.
schema_checks.install()


class NagarikFileImporter(RasaFileImporter):
    """Reads the same files as Rasa's default importer, in the same way."""
