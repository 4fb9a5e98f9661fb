"""Hindi and Bengali script folded with romanized spellings into one skeleton (nagarik/transliterate.py)."""

from __future__ import annotations

import pytest

from nagarik.text import normalize_text
from nagarik.transliterate import romanize, skeleton


@pytest.mark.parametrize(
    "native, romanized",
    [
        ("पानी नहीं आ रहा", "paani nahi aa raha"),
        ("नाली जाम है", "naali jaam hai"),
        ("बिजली", "bijli"),
        ("सड़क टूटी है", "sadak tooti hai"),
        ("জল আসছে না", "jol asche na"),
        ("রাস্তায় ময়লা জমে আছে", "rastay moyla jome ache"),
        ("পাড়ার রাস্তা ভাঙা", "parar rasta bhanga"),
        ("स्ट्रीट", "street"),
        ("घर में", "ghar me"),
    ],
)
def test_native_script_and_romanized_spellings_share_a_skeleton(native: str, romanized: str) -> None:
    assert skeleton(normalize_text(native)) == skeleton(romanized)


def test_the_inherent_vowel_is_dropped_where_speakers_drop_it() -> None:
    assert romanize("करना") == "karna"  # before a consonant with a vowel sign, not at the word's start
    assert romanize("জমে") == "jome"  # the first consonant keeps it
    assert romanize("जल") == "jal"  # never at a word's end


def test_other_text_is_left_alone() -> None:
    assert romanize("ward 12, ok?") == "ward 12, ok?"
    assert skeleton("") == ""


def test_nukta_letters_are_read_as_spoken() -> None:
    assert romanize(normalize_text("ज़मीन")) == "jamin"
    assert romanize(normalize_text("বাড়ি")) == "bari"
