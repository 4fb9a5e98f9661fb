"""Text normalisation applied to every message before NLU and before lookups.

Rasa does not normalise Unicode. The same Hindi or Bengali word can arrive in
several code point sequences (precomposed nukta letters, zero-width joiners
from Indic keyboards), and citizens type numbers in Devanagari or Bengali
digits. Training data and live messages both go through `normalize_text`, so
the model only ever sees one spelling of each.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Sequence, Tuple

# Devanagari (U+0966..U+096F) and Bengali (U+09E6..U+09EF) digits to ASCII.
_INDIC_DIGITS = {
    **{0x0966 + value: str(value) for value in range(10)},
    **{0x09E6 + value: str(value) for value in range(10)},
}

# Zero-width characters that keyboards insert inside Indic words; they change
# rendering at most, never meaning, and would split otherwise equal words.
_ZERO_WIDTH = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None}

# Danda and double danda end sentences in Hindi and Bengali; a full stop is
# something the tokenizer already knows to strip.
_PUNCTUATION = {0x0964: ".", 0x0965: "."}

_TRANSLATION = {**_INDIC_DIGITS, **_ZERO_WIDTH, **_PUNCTUATION}
_SPACES = re.compile(r"\s+")


def normalize_digits(text: str) -> str:
    """Replace Devanagari and Bengali digits with ASCII digits."""
    return text.translate(_INDIC_DIGITS)


def _normalize_characters(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_TRANSLATION))


def normalize_text(text: str) -> str:
    """NFC-normalise, map Indic digits to ASCII, drop zero-width characters.

    NFC runs after the replacements (a removed joiner can let two marks
    compose), so the result is stable: normalising twice changes nothing.
    """
    if not text:
        return ""
    return _SPACES.sub(" ", _normalize_characters(text)).strip()


Span = Tuple[int, int]


def normalize_with_spans(text: str, spans: Sequence[Span]) -> Tuple[str, List[Span]]:
    """`normalize_text`, also moving (start, end) character spans to the new text.

    Annotated training examples need this: NFC, dropped joiners and collapsed
    spaces change lengths, and an entity must still cover the same words.
    Spans are assumed to sit on word boundaries, as entity annotations do.
    """
    cuts = sorted({0, len(text), *(index for span in spans for index in span)})
    pieces = [_normalize_characters(text[a:b]) for a, b in zip(cuts, cuts[1:])]
    moved, position = {0: 0}, 0
    for cut, piece in zip(cuts[1:], pieces):
        position += len(piece)
        moved[cut] = position
    joined = "".join(pieces)

    # Collapse whitespace runs and strip the ends, remembering where each index lands.
    kept: List[str] = []
    new_index = [0] * (len(joined) + 1)
    for index, char in enumerate(joined):
        new_index[index] = len(kept)
        if char.isspace() and (not kept or kept[-1] == " "):
            continue
        kept.append(" " if char.isspace() else char)
    new_index[len(joined)] = len(kept)
    result = "".join(kept).rstrip()

    def place(old: int) -> int:
        return min(new_index[moved[old]], len(result))

    return result, [(place(start), place(end)) for start, end in spans]
