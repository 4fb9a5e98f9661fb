"""Reading a citizen's short answers to the complaint form's questions.

The NLU model classifies whole messages; these helpers decide what a message
means *as an answer* to the question just asked: "skip", "cancel", a rating,
or whether a first message already describes the problem. Words are listed in
the three languages, native and romanized, and compared after normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List, Optional

from nagarik.numbers import parse_number
from nagarik.text import normalize_text

# Said to drop the complaint being filed. The `deny` intent covers these too;
# the list keeps "cancel" from being taken as "no landmark" or "no photo".
_CANCEL = {
    "cancel", "cancel it", "cancel this", "stop", "stop it", "forget it", "leave it",
    "रहने दो", "रहने दीजिए", "रद्द करो", "रद्द करें", "कैंसल", "कैंसल करो", "छोड़ो", "छोड़ दो",
    "rehne do", "rahne do", "cancel karo", "cancel kar do", "chhodo", "chodo", "chod do",
    "বাদ দিন", "বাদ দাও", "বাতিল", "বাতিল করুন", "বাতিল করো", "থাক", "থাক থাক", "ক্যানসেল",
    "baad din", "bad din", "baad dao", "batil", "batil korun", "batil koro", "thak",
}

# Words that mean "cancel" wherever they stand in a message ("please cancel it", "शिकायत रद्द करो").
_CANCEL_WORDS = {"cancel", "कैंसल", "रद्द", "বাতিল", "ক্যানসেল", "batil", "radd"}
_CANCEL_PHRASES = ("रहने दो", "রহনে দো", "বাদ দিন", "বাদ দাও", "rehne do", "rahne do", "baad din", "forget it", "leave it")

# Said to leave out an optional answer (a landmark).
_SKIP = {
    "skip", "no", "none", "nothing", "na", "no landmark", "dont know", "don't know", "not sure",
    "नहीं", "नही", "कुछ नहीं", "पता नहीं", "आगे", "स्किप",
    "nahi", "nahin", "kuch nahi", "pata nahi", "skip karo", "aage",
    "না", "নেই", "জানি না", "কিছু নেই", "স্কিপ", "এগিয়ে যান",
    "na", "nei", "jani na", "kichu nei", "skip koro",
}

# Said to file a separate complaint rather than add to the open one.
_NEW = {"new", "a new one", "file new", "new complaint", "naya", "nayi", "alag", "नया", "नई", "अलग", "নতুন", "notun", "alada", "আলাদা"}

_NEGATIONS = {"not", "dont", "don't", "no", "नहीं", "नही", "मत", "nahi", "mat", "না", "na", "nei"}

# Words that say "I want to complain" without saying what about.
_FILLER = set(
    """
    i want to file register lodge make a an my the please pls plz sir madam ji complaint complain
    complaints problem issue report there is have need help about regarding new in at on of ward no number
    वार्ड नंबर मेरे पर को से ওয়ার্ড নম্বর এ এর
    मुझे मेरी मैं एक शिकायत शिकायतें दर्ज करनी करना है हैं करें करो कराना करानी चाहिए चाहता चाहती
    समस्या कृपया जी सर प्लीज़ प्लीज के की का बारे में नई
    mujhe meri main ek shikayat shikayaat complaint darj karni karna hai karo karwani chahiye chahta
    chahti samasya kripya ji sir plz please ke ki ka bare baare mein me nayi
    আমি আমার একটা একটি অভিযোগ জানাতে জানাব করতে করব চাই আছে সমস্যা দয়া করে প্লিজ দাদা দিদি
    নিয়ে নতুন
    ami amar ekta ekti obhijog abhijog janate janabo korte korbo chai ache achhe somossa
    doya kore dada didi niye notun
    """.split()
)

_STARS = re.compile(r"^[\s⭐★*]+$")
_RATING = re.compile(r"^\s*(\S+?)\s*(?:/\s*5|stars?|star|स्टार|তারা|স্টার|out of 5)?\s*$", re.IGNORECASE)
# "5 में से 4" (Hindi) and "পাঁচে চার" / "৫-এ ৪" (Bengali) put the scale first, the rating last
# (matched after normalize_text, which turns Indic digits into ASCII).
_RATING_OF_FIVE = re.compile(r"^\s*(?:(?:5|पाँच|पांच|panch)\s*(?:में|मे|me|mein)\s*(?:से|se)|5-?এ|পাঁচে|panche)\s*(\S+)\s*$", re.IGNORECASE)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZ"


def plain_words(text: str) -> str:
    """Lower-case words without punctuation. Not `\\w+`: Python's `\\w` splits Indic words at vowel signs."""
    cleaned = "".join(" " if _is_punctuation(char) else char for char in normalize_text(text).lower())
    return " ".join(cleaned.split())


def is_cancel(text: str) -> bool:
    """'cancel', 'please cancel it', 'रहने दो', 'বাদ দিন' and their kin."""
    plain = plain_words(text)
    padded = f" {plain} "
    return (
        plain in _CANCEL
        or any(word in _CANCEL_WORDS for word in plain.split())
        or any(f" {phrase} " in padded for phrase in _CANCEL_PHRASES)
    )


def is_skip(text: str) -> bool:
    """'skip', 'नहीं', 'জানি না': the citizen has nothing to add for an optional answer."""
    return plain_words(text) in _SKIP


def wants_new(text: str) -> bool:
    """'new', 'नई', 'নতুন' ... : file a separate complaint."""
    words = plain_words(text).split()
    if any(word in _NEGATIONS for word in words):
        return False  # "not a new one"
    return plain_words(text) in _NEW or any(word in _NEW for word in words[:3])


# Words around a ward number: "ward no 12", "वार्ड नंबर १२", "১২ নম্বর ওয়ার্ড".
_WARD_WORDS = {
    "ward", "w", "no", "num", "number", "nr", "its", "it", "is", "my", "sir", "ji",
    "वार्ड", "नंबर", "नम्बर", "नं", "है", "मेरा", "ওয়ার্ড", "নম্বর", "নং", "আমার",
    "nambar", "nombor", "hai", "mera", "amar",
}


def ward_answer(text: str) -> Optional[int]:
    """The ward number if the message is just one ('12', 'ward 12', 'वार्ड नंबर बारह', 'sixty two').

    Not a number inside other words: 'lane 3, Nehru Nagar' or 'sector 15' is a place, not ward 3 or 15.
    """
    remaining = [word for word in plain_words(text).split() if word not in _WARD_WORDS]
    if not remaining or not all(parse_number(word) is not None for word in remaining):
        return None
    return parse_number(" ".join(remaining))


def choice_number(text: str) -> Optional[int]:
    """'3' or 'तीन' alone: the number of an option in a list."""
    words = plain_words(text).split()
    return parse_number(words[0]) if len(words) == 1 else None


def word_count(text: str) -> int:
    return len(plain_words(text).split())


def parse_rating(text: str) -> Optional[int]:
    """A 1-5 rating from '4', '४', 'चार', '4/5', '4 stars', '5 में से 4', 'পাঁচে চার', '⭐⭐⭐⭐'; None otherwise."""
    text = normalize_text(text).strip()
    if text and _STARS.match(text):
        count = sum(text.count(star) for star in "⭐★*")
        return count if 1 <= count <= 5 else None
    match = _RATING_OF_FIVE.match(text) or _RATING.match(text)
    if not match:
        return None
    value = parse_number(match.group(1))
    return value if value is not None and 1 <= value <= 5 else None


def describes_problem(text: str, entity_texts: Iterable[str] = ()) -> bool:
    """Whether a message says more than "I want to complain about X".

    "street light not working near the school" describes the problem;
    "complaint", "I want to file a complaint" or "street light" alone do not.
    """
    remaining: List[str] = plain_words(text).split()
    for entity in entity_texts:
        for word in plain_words(entity).split():
            if word in remaining:
                remaining.remove(word)
    return len([word for word in remaining if word not in _FILLER and not word.isdigit()]) >= 2
