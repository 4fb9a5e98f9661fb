"""Reading short answers to the complaint form's questions, in every language group."""

from __future__ import annotations

import pytest

from nagarik.answers import describes_problem, is_cancel, is_skip, parse_rating, wants_new, ward_answer


@pytest.mark.parametrize(
    "text, rating",
    [
        ("4", 4), ("४", 4), ("৪", 4), ("char", 4), ("चार", 4), ("চার", 4), ("4/5", 4), ("৩/৫", 3),
        ("5 stars", 5), ("पाँच", 5), ("⭐⭐⭐", 3), ("1", 1), ("5 में से 4", 4), ("पाँच में से तीन", 3),
        ("পাঁচে পাঁচ", 5), ("৫-এ ৪", 4), ("panch me se char", 4), ("পাঁচে ছয়", None),
        ("0", None), ("6", None), ("10/10", None), ("⭐⭐⭐⭐⭐⭐", None), ("very good", None), ("", None),
    ],
)
def test_rating(text: str, rating) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    ["cancel", "Cancel!", "रहने दो", "বাদ দিন", "rehne do", "baad din", "বাতিল করুন", "thak", "please cancel it",
     "शिकायत रद्द करो", "ok rehne do ji"],
)
def test_cancel_words(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["no", "skip", "नहीं", "पता नहीं", "জানি না", "nahi", "near the temple", "near cancer hospital"])
def test_no_is_not_cancel(text: str) -> None:
    assert not is_cancel(text)


@pytest.mark.parametrize("text", ["skip", "Skip.", "no", "नहीं", "पता नहीं", "জানি না", "kuch nahi", "nei"])
def test_skip_words(text: str) -> None:
    assert is_skip(text)


def test_landmarks_are_not_skips() -> None:
    assert not is_skip("शिव मंदिर के पास")
    assert not is_skip("no 3 gali")


@pytest.mark.parametrize(
    "text, entities, describes",
    [
        ("street light not working near the school", ["street light"], True),
        ("नाली जाम है पानी सड़क पर भर गया", ["नाली"], True),
        ("রাস্তার আলো জ্বলছে না", ["রাস্তার আলো"], True),
        ("gali me kooda pada hai koi uthane nahi aata", ["kooda"], True),
        ("I want to file a complaint", [], False),
        ("मुझे शिकायत दर्ज करनी है", [], False),
        ("আমি একটা অভিযোগ জানাতে চাই", [], False),
        ("street light", ["street light"], False),
        ("complaint about water", ["water"], False),
        ("ward 12", [], False),
        ("complaint about the street light in ward 5", ["street light", "5"], False),
        ("मेरे वार्ड 5 में कूड़े की शिकायत", ["कूड़े", "5"], False),
    ],
)
def test_first_message_describes_the_problem(text: str, entities, describes: bool) -> None:
    assert describes_problem(text, entities) is describes


@pytest.mark.parametrize("text, new", [("new", True), ("नई शिकायत", True), ("নতুন", True), ("naya complaint", True), ("add it", False), ("haan", False), ("not a new one", False)])
def test_wants_a_new_complaint(text: str, new: bool) -> None:
    assert wants_new(text) is new


@pytest.mark.parametrize(
    "text, ward",
    [("12", 12), ("ward 12", 12), ("वार्ड नंबर बारह", 12), ("১২ নম্বর ওয়ার্ড", 12), ("sixty two", 62), ("W no 3", 3),
     ("lane 3 nehru nagar", None), ("sector 15", None), ("gali number 4 ke paas", None)],
)
def test_a_ward_answer_is_a_number_alone(text: str, ward) -> None:
    assert ward_answer(text) == ward
