"""Hindi and Bengali script in rough Latin letters, and every spelling folded to one skeleton.

Citizens write the same words in Devanagari and in romanized Hindi ("पानी नहीं आ रहा",
"paani nahi aa raha"), in Bengali script and in romanized Bengali ("জল আসছে না", "jol asche
na"), and English loanwords in all of them ("स्ट्रीट", "স্ট্রিট", "street").
A classifier that sees the skeleton of each word ("pani nahi a raha" for both Hindi spellings,
"strit" for "स्ट्रीट" and "street") learns a category or a phrase once for every script, instead of
from a fifth of the data each. Loanwords fold only as far as their spelling allows: "लाइट" is
"lait", not "light"; the character n-grams they share still count.

This is not a transliteration for people: it keeps what distinguishes words and drops what
spellings disagree on (long and short vowels, doubled letters, w/v, z/j, aspiration after a
nasal). Hindi's inherent vowel is "a", Bengali's "o", and neither is written at a word's end.
"""

from __future__ import annotations

import re
from typing import Dict

from nagarik.numbers import romanized_key

_VIRAMA = {"\u094d", "\u09cd"}
_NUKTA = {"\u093c", "\u09bc"}

_DEVANAGARI_CONSONANTS = dict(zip(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह",
    "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h".split(),
))
_BENGALI_CONSONANTS = dict(zip(
    "কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ",
    "k kh g gh ng ch chh j jh n t th d dh n t th d dh n p ph b bh m j r l sh sh s h".split(),
))
# A nukta changes these consonants' sound (NFC keeps क़, ड़, য় as consonant + nukta); ड़ is
# romanized "d" ("sadak"), ড় "r" ("rasta").
_WITH_NUKTA = {"क": "k", "ख": "kh", "ग": "g", "ज": "j", "ड": "d", "ढ": "dh", "फ": "f",
               "ড": "r", "ঢ": "rh", "য": "y"}
_DEVANAGARI_VOWELS = dict(zip("अआइईउऊऋएऐओऔ", "a a i i u u ri e ai o au".split()))
_BENGALI_VOWELS = dict(zip("অআইঈউঊঋএঐওঔ", "o a i i u u ri e oi o ou".split()))
_DEVANAGARI_SIGNS = dict(zip("ािीुूृेैोौॅॉ", "a i i u u ri e ai o au e o".split()))
_BENGALI_SIGNS = dict(zip("ািীুূৃেৈোৌ", "a i i u u ri e oi o ou".split()))
_NASALS = {"ं", "ँ", "ঁ"}
_MARKS = {"ं": "n", "ँ": "n", "ः": "h", "ং": "ng", "ঁ": "n", "ঃ": "h", "ৎ": "t"}

_CONSONANTS: Dict[str, str] = {**_DEVANAGARI_CONSONANTS, **_BENGALI_CONSONANTS}
_VOWELS: Dict[str, str] = {**_DEVANAGARI_VOWELS, **_BENGALI_VOWELS}
_SIGNS: Dict[str, str] = {**_DEVANAGARI_SIGNS, **_BENGALI_SIGNS}


def _inherent(consonant: str) -> str:
    return "o" if "\u0980" <= consonant <= "\u09ff" else "a"


def _ends_word(text: str, index: int) -> bool:
    following = text[index + 1] if index + 1 < len(text) else " "
    return not (following in _CONSONANTS or following in _VOWELS or following in _SIGNS)


def _takes_sign(text: str, index: int) -> bool:
    """Whether the consonant at `index` carries a vowel sign (after an optional nukta)."""
    following = index + 1
    if following < len(text) and text[following] in _NUKTA:
        following += 1
    return following < len(text) and text[following] in _SIGNS


def romanize(text: str) -> str:
    """Devanagari and Bengali letters in Latin letters; everything else unchanged.

    The inherent vowel is dropped where speakers drop it: at a word's end ("जल" is "jal"), and
    after a consonant that does not start the word when the next consonant carries a vowel sign
    ("करना" is "karna", "আসছে" is "asche", but "জমে" is "jome").
    """
    out = []
    pending = ""  # the inherent vowel of the last consonant, written only if a letter follows
    pending_starts_word = False
    for index, char in enumerate(text):
        if char in _CONSONANTS:
            if pending and not (not pending_starts_word and _takes_sign(text, index)):
                out.append(pending)
            previous = text[index - 1] if index else " "
            pending_starts_word = not (previous in _CONSONANTS or previous in _SIGNS or previous in _VOWELS
                                       or previous in _MARKS or previous in _NUKTA or previous in _VIRAMA)
            following = text[index + 1] if index + 1 < len(text) else ""
            out.append(_WITH_NUKTA.get(char, _CONSONANTS[char]) if following in _NUKTA else _CONSONANTS[char])
            pending = _inherent(char)
        elif char in _NUKTA:
            continue
        elif char in _VIRAMA:
            pending = ""
        elif char in _SIGNS:
            out.append(_SIGNS[char])
            pending = ""
        elif char in _VOWELS:
            out.append(pending + _VOWELS[char])
            pending = ""
        elif char in _NASALS and _ends_word(text, index):
            out.append(pending)  # "नहीं" is typed "nahi", "में" "me": a final nasal is not written
            pending = ""
        elif char in _MARKS:
            out.append(pending + _MARKS[char])
            pending = ""
        else:
            out.append(char)  # a word ends: its last inherent vowel is not pronounced
            pending = ""
    return "".join(out)


# Beyond romanized_key's folds (long vowels, doubled letters, w/v, z/j): q/k, f/ph, and an h after
# a nasal ("nahin" ~ "nahi" once the final nasal is dropped, "jhanda" ~ "janda").
_EXTRA_FOLDS = [
    (re.compile(r"q"), "k"),
    (re.compile(r"f"), "ph"),
    (re.compile(r"(?<=[nm])h"), ""),
]


def skeleton(text: str) -> str:
    """Lower-case Latin letters, spelling differences folded (see the module docstring)."""
    folded = " ".join(romanized_key(word) for word in romanize(text.lower()).split(" "))
    for pattern, replacement in _EXTRA_FOLDS:
        folded = pattern.sub(replacement, folded)
    return folded
