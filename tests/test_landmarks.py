"""A landmark named in the first message of a complaint (nagarik/landmarks.py)."""

from __future__ import annotations

from typing import Optional

import pytest

from nagarik.landmarks import find_landmark


@pytest.mark.parametrize(
    "text, landmark",
    [
        ("street light kharab hai, Shiv mandir ke paas", "Shiv mandir ke paas"),
        ("pani nahi aa raha hai ghar ke samne wala nal tuta", "ghar ke samne"),
        ("the light near the old post office is off", "near the old post office"),
        ("garbage dumped opposite to SBI bank, kindly clear", "opposite to SBI bank"),
        ("पुराने डाकघर के सामने वाली गली में नाली जाम है", "पुराने डाकघर के सामने"),
        ("স্কুলের পাশে ময়লা জমে আছে", "স্কুলের পাশে"),
        ("amader parar light jolche na school er pashe", "school er pashe"),
        ("no water since 3 days", None),
        ("नल में पानी नहीं आ रहा", None),
        ("ward 12 me kooda pada hai", None),
        ("near", None),
    ],
)
def test_finds_the_landmark_phrase(text: str, landmark: Optional[str]) -> None:
    assert find_landmark(text) == landmark


@pytest.mark.parametrize(
    "text",
    [
        "garbage near me",
        "garbage lying outside for 3 days",
        "garbage dumped nearby and nobody lifts it",
        "uske paas koi jawab nahi",
        "the bypass road is broken",
    ],
)
def test_no_landmark_where_none_is_named(text: str) -> None:
    assert find_landmark(text) is None


@pytest.mark.parametrize("text", ["a" * 4000, "😀" * 4000, "x " * 2000 + "mandir ke paas"])
def test_long_messages_are_searched_only_near_the_start(text: str) -> None:
    # Only the first 500 characters are searched (4,000 emoji took 2.7 s with the first pattern).
    assert find_landmark(text) is None
