"""Fingerprints of training messages and tokens from one hash of their contents, not a hash per value.

`rasa train` fingerprints the training data before training and after every NLU step, for its
cache of trained components. Rasa 3.6 fingerprints a message by hashing every value in it on its
own (each token's text, start and end, each entity field), formatting the hashes as JSON and
hashing that again, level by level: about 10 s of the first 50 s of `make train` (py-spy). Here a
message's contents are written out once, each value with its type tag and length, dictionaries
with their keys sorted, and hashed once. Equal contents give equal fingerprints and any change
a different one (tested); the fingerprints are not Rasa's, so a cache filled before this module
was installed is not reused (retrained once).

Installed when the `components` package is imported.
"""

from __future__ import annotations

import hashlib
from typing import Any, List, Text

from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


def _write(value: Any, out: List[bytes]) -> None:
    """Appends an unambiguous encoding of `value` to `out`: containers recursively, objects with a
    `fingerprint()` by their fingerprint, anything else by its text (as Rasa does)."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # most values: token texts and offsets
        _text(b"s", str(value), out)
    elif isinstance(value, dict):
        items = sorted((_encoded(key), _encoded(item)) for key, item in value.items())
        out.append(b"{%d:" % len(items))
        for key, item in items:
            out.append(key)
            out.append(item)
    elif isinstance(value, list):
        out.append(b"[%d:" % len(value))
        for item in value:
            _write(item, out)
    elif isinstance(value, Token):
        out.append(b"t")
        _write([value.text, value.start, value.end, value.lemma, value.data], out)
    elif hasattr(value, "fingerprint") and callable(value.fingerprint):
        _text(b"f", value.fingerprint(), out)
    else:
        _text(b"s", str(value), out)


def _text(tag: bytes, text: Text, out: List[bytes]) -> None:
    data = text.encode("utf-8")
    out.append(b"%s%d:" % (tag, len(data)))
    out.append(data)


def _encoded(value: Any) -> bytes:
    out: List[bytes] = []
    _write(value, out)
    return b"".join(out)


def contents_fingerprint(value: Any) -> Text:
    """One md5 of `value`'s encoding: equal for equal contents, whatever a dictionary's key order."""
    return hashlib.md5(_encoded(value), usedforsecurity=False).hexdigest()


def message_fingerprint(self: Message) -> Text:
    """Rasa's `Message.fingerprint` (of the message's data and features), hashed once."""
    if self._cached_fingerprint is None:
        self._cached_fingerprint = contents_fingerprint([self.data, self.features])
    return self._cached_fingerprint


def token_fingerprint(self: Token) -> Text:
    return contents_fingerprint(self)


def install() -> None:
    Message.fingerprint = message_fingerprint
    Token.fingerprint = token_fingerprint
