"""components.message_fingerprints: one hash per message that still tells messages apart."""

from __future__ import annotations

import importlib

import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from components import message_fingerprints


def _message(text="ward 12 batti", entity_value="12", token_end=4, features=True, intent="report_complaint") -> Message:
    message = Message(data={
        "text": text, "intent": intent,
        "entities": [{"entity": "ward", "value": entity_value, "start": 5, "end": 7}],
        "text_tokens": [Token("ward", 0, token_end), Token("12", 5, 7, data={"pattern": {"ward": True}})],
    })
    if features:
        message.add_features(Features(scipy.sparse.coo_matrix(([1.0], ([0], [3])), shape=(2, 5)), "sequence", "text", "CV"))
    return message


def test_installed_with_the_components() -> None:
    importlib.import_module("components")
    assert Message.fingerprint is message_fingerprints.message_fingerprint
    assert Token.fingerprint is message_fingerprints.token_fingerprint


def test_equal_contents_give_equal_fingerprints_whatever_the_key_order() -> None:
    assert _message().fingerprint() == _message().fingerprint()
    reordered = _message()
    reordered.data = dict(reversed(list(reordered.data.items())))
    reordered._cached_fingerprint = None
    assert reordered.fingerprint() == _message().fingerprint()


def test_any_change_gives_another_fingerprint() -> None:
    original = _message().fingerprint()
    changed = [_message(text="ward 13 batti"), _message(entity_value="13"), _message(token_end=5),
               _message(features=False), _message(intent="track_complaint")]
    fingerprints = {message.fingerprint() for message in changed}
    assert original not in fingerprints and len(fingerprints) == len(changed)


def test_values_cannot_run_into_each_other() -> None:
    # Each value is written with its length: ["ab", "c"] is not ["a", "bc"], nor a nested list.
    fingerprint = message_fingerprints.contents_fingerprint
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint([["a"], "b"]) != fingerprint(["a", ["b"]])
    assert fingerprint({"a": "b"}) != fingerprint(["a", "b"])
    assert fingerprint(Token("a", 0, 1)) != fingerprint(Token("a", 0, 2)) != fingerprint(Token("a", 0, 1, lemma="b"))
