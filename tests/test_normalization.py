"""Unicode, digit, number-word and reference normalisation."""

from __future__ import annotations

import unicodedata

import pytest

from nagarik.numbers import WORD_VALUES, _BENGALI_ROMAN, _HINDI_ROMAN, parse_number, romanized_key
from nagarik.references import canonical_reference
from nagarik.text import normalize_digits, normalize_text


class TestNormalizeText:
    def test_indic_digits_become_ascii(self) -> None:
        assert normalize_text("वार्ड १२") == "वार्ड 12"
        assert normalize_text("ওয়ার্ড ১২") == "ওয়ার্ড 12"
        assert normalize_digits("০১২৩৪৫৬৭৮৯ ०१२३४५६७८९") == "0123456789 0123456789"

    def test_precomposed_and_decomposed_nukta_are_equal(self) -> None:
        precomposed = "\u095c"  # ड़ as one code point (a composition exclusion)
        decomposed = "\u0921\u093c"  # ड + nukta
        assert normalize_text("सड़क".replace("ड़", precomposed)) == normalize_text("सड़क".replace("ड़", decomposed))

    def test_bengali_ya_with_nukta_is_canonical(self) -> None:
        assert normalize_text("\u09df") == normalize_text("\u09af\u09bc")

    def test_output_is_nfc(self) -> None:
        text = normalize_text("রাস্তায় ময়লা")
        assert unicodedata.is_normalized("NFC", text)

    def test_zero_width_joiners_are_dropped(self) -> None:
        assert normalize_text("র\u200d্যাশ") == "র্যাশ"
        assert normalize_text("ab\u200bc\ufeff") == "abc"

    def test_danda_becomes_a_full_stop_and_spaces_collapse(self) -> None:
        assert normalize_text("  पानी नहीं   आ रहा। ") == "पानी नहीं आ रहा."

    def test_virama_and_nukta_survive(self) -> None:
        for word in ("शिकायत", "क़ानून", "পরিষ্কার", "ড়"):
            assert normalize_text(word) == unicodedata.normalize("NFC", word)

    @pytest.mark.parametrize("text", ["वार्ड १२ मे\u200dं", "র\u200d্যাশ ১২", "\u095c\u093c", "  a  b "])
    def test_is_idempotent(self, text: str) -> None:
        once = normalize_text(text)
        assert normalize_text(once) == once

    def test_empty(self) -> None:
        assert normalize_text("") == ""


class TestParseNumber:
    @pytest.mark.parametrize(
        "text, number",
        [
            ("12", 12), ("१२", 12), ("১২", 12), ("12th", 12), ("no. 7", 7), ("#45", 45),
            ("twelve", 12), ("Twenty-one", 21), ("seventy", 70), ("forty five", 45),
            ("baarah", 12), ("barah", 12), ("bara", 12), ("chaubees", 24), ("sattar", 70), ("saath", 60), ("saat", 7),
            ("बारह", 12), ("सत्तर", 70), ("पचपन", 55), ("छः", 6),
            ("বারো", 12), ("সত্তর", 70), ("পঁচিশ", 25), ("বিশ", 20),
            ("baro", 12), ("choddo", 14), ("tirish", 30), ("dui", 2),
        ],
    )
    def test_parses(self, text: str, number: int) -> None:
        assert parse_number(text) == number

    @pytest.mark.parametrize("text", ["", "near the temple", "shastri nagar", "twenty twenty one", "eleven five"])
    def test_rejects_what_is_not_a_number(self, text: str) -> None:
        assert parse_number(text) is None

    def test_every_table_word_parses_to_its_position(self) -> None:
        for words in (_HINDI_ROMAN, _BENGALI_ROMAN):
            for value, word in enumerate(words.split(), start=1):
                assert parse_number(word) == value, word

    def test_spelling_folds_do_not_merge_different_numbers(self) -> None:
        seen = {}
        for words in (_HINDI_ROMAN, _BENGALI_ROMAN):
            for value, word in enumerate(words.split(), start=1):
                key = romanized_key(word)
                assert seen.setdefault(key, value) == value, (word, key)
        assert len(WORD_VALUES) > 300


class TestReferences:
    @pytest.mark.parametrize("text", ["NG104233", "ng104233", "Ng 104233", "ng-104233", "NG 104 233", "ng१०४२३३", " ng104233 "])
    def test_canonical(self, text: str) -> None:
        assert canonical_reference(text) == "NG104233"

    @pytest.mark.parametrize("text", ["", "NG10423", "NG1042331", "XG104233", "104233", "ng abc123"])
    def test_rejects(self, text: str) -> None:
        assert canonical_reference(text) is None
