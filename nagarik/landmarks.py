"""A landmark named inside a complaint: "street light kharab hai, Shiv mandir ke paas".

The complaint form asks for a landmark when it knows no locality; a citizen who already gave one
in the first message should not be asked again. English puts the landmark after a preposition
("near the old post office"); Hindi and Bengali, romanized or not, before a postposition
("पुराने डाकघर के सामने", "school er pashe"). The phrase is kept with its preposition or
postposition, as the citizen wrote it, so that officers read it as a place.
"""

from __future__ import annotations

import re
from typing import List, Optional

from nagarik.text import normalize_text

# normalize_text has already turned the danda into a full stop.
_CLAUSE_END = r"[,.;!?\n]"
_WORD = r"[^\s,.;!?]+"
# Longer messages are complaints told at length: the landmark, if any, is near the start, and the
# search stays a fraction of a millisecond however long the message.
_SEARCHED_CHARACTERS = 500

# English: the preposition and up to four words after it, up to the end of the clause.
_PREPOSITIONS = re.compile(
    r"\b(?:near(?:by)?|opposite(?: to)?|opp\.?|in front of|infront of|behind|beside|next to|close to|"
    rf"adjacent to|outside)\s+(?:the\s+|a\s+)?{_WORD}(?:\s+{_WORD}){{0,3}}",
    re.IGNORECASE,
)

# Hindi and Bengali: up to three whole words before the postposition, and the postposition itself.
# Starting only at a word's start keeps the search linear (and "bypass" is not "by" + "pass").
_POSTPOSITIONS = re.compile(
    rf"(?<![^\s,.;!?])(?:{_WORD}\s+){{0,2}}{_WORD}\s+"
    r"(?:(?:ke|ki|के|की|er|r|এর)\s+)?"
    r"(?:paas|pass|pas|samne|saamne|samane|peeche|piche|pichhe|bagal\s+me|nazdeek|najdik|"
    r"पास|सामने|पीछे|बगल\s+में|बगल|नज़दीक|नजदीक|"
    r"pashe|paashe|kache|kachhe|shamne|pechone|pichone|"
    r"পাশে|কাছে|সামনে|পিছনে|পেছনে)(?=$|[\s,.;!?])",
    re.IGNORECASE,
)

# Words that end a clause about the problem rather than belong to a place's name.
_NOT_A_PLACE = frozenset(
    "hai hain he h ho tha thi hua hui and aur or is are was has have not since for from but which "
    "kindly please pls ka ki ke me mein ache ase achhe ar aar nei na nahi nhi ko se bhi raha rahi rahe "
    "mere mera meri uske uski unke unki aapke apke iske hamare humare tumhare koi kisi my our your his their "
    "है हैं था थी हुआ हुई और या का की के में को से भी नहीं रहा रही रहे मेरे उसके उनके आपके हमारे कोई किसी "
    "আছে আর এবং না নেই হয়েছে থেকে ও".split()
)
_GENITIVES = frozenset("ke ki er r के की এর".split())
# Romanized Bengali verbs (jolche, korchi, asbe) end a clause, never a place's name.
_BENGALI_VERB = re.compile(r"\w+(?:che|chhe|chi|chhi|ben|be|lam)$")
_WORDS_BEFORE = 2


def _place_before(words: List[str]) -> str:
    """The postposition (and its genitive) with at most two place words before it."""
    end = len(words) - 1
    start = end - 1 if end >= 1 and words[end - 1].lower() in _GENITIVES else end
    kept = 0
    while start > 0 and kept < _WORDS_BEFORE:
        word = words[start - 1].lower()
        if word in _NOT_A_PLACE or _BENGALI_VERB.match(word):
            break
        start -= 1
        kept += 1
    return " ".join(words[start:]) if kept else ""


def _place_after(phrase: str) -> str:
    """The preposition and the words of the place, up to a word that resumes the sentence."""
    words = phrase.split()
    for index, word in enumerate(words[1:], start=1):
        if word.lower() in _NOT_A_PLACE:
            words = words[:index]
            break
    return " ".join(words) if len(words) > 1 else ""


def find_landmark(text: str) -> Optional[str]:
    """The landmark phrase in a message, or None when it names none."""
    text = normalize_text(text)[:_SEARCHED_CHARACTERS]
    for clause in re.split(_CLAUSE_END, text):
        english = _PREPOSITIONS.search(clause)
        if english:
            place = _place_after(english.group(0).strip())
            if place:
                return place
        indic = _POSTPOSITIONS.search(clause)
        if indic:
            place = _place_before(indic.group(0).split())
            if place:
                return place
    return None
