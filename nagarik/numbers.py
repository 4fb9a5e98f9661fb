"""Numbers written as words, in English, Hindi and Bengali (native and romanized).

Citizens write a ward as "12", "१२", "১২", "twelve", "baarah", "बारह", "বারো"
or "baro". `parse_number` turns all of them into an int so that the `ward`
entity always carries ASCII digits.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from nagarik.text import normalize_text

_HINDI = (
    "एक दो तीन चार पाँच छह सात आठ नौ दस "
    "ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस बीस "
    "इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस "
    "इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस चालीस "
    "इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास पचास "
    "इक्यावन बावन तिरपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ साठ "
    "इकसठ बासठ तिरसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर सत्तर "
    "इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी अस्सी "
    "इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी नब्बे "
    "इक्यानवे बानवे तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे सौ"
)
_HINDI_ROMAN = (
    "ek do teen char paanch chhah saat aath nau das "
    "gyarah barah terah chaudah pandrah solah satrah atharah unnees bees "
    "ikkees baees teees chaubees pachchees chhabbees sattaees atthaees unatees tees "
    "ikattees battees taintees chauntees paintees chhattees saintees adtees untalees chalees "
    "iktalees bayalees taintalees chavalees paintalees chhiyalees saintalees adtalees unchas pachas "
    "ikyavan bavan tirpan chauvan pachpan chhappan sattavan atthavan unsath saath "
    "iksath basath tirsath chaunsath painsath chhiyasath sadsath adsath unhattar sattar "
    "ikhattar bahattar tihattar chauhattar pachhattar chhihattar sathattar athhattar unyasi assi "
    "ikyasi bayasi tirasi chaurasi pachasi chhiyasi sattasi atthasi navasi nabbe "
    "ikyanve baanve tiranve chauranve pachanve chhiyanve sattanve atthanve ninyanve sau"
)
_BENGALI = (
    "এক দুই তিন চার পাঁচ ছয় সাত আট নয় দশ "
    "এগারো বারো তেরো চোদ্দ পনেরো ষোলো সতেরো আঠারো উনিশ কুড়ি "
    "একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আটাশ ঊনত্রিশ তিরিশ "
    "একত্রিশ বত্রিশ তেত্রিশ চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ ঊনচল্লিশ চল্লিশ "
    "একচল্লিশ বিয়াল্লিশ তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ সাতচল্লিশ আটচল্লিশ ঊনপঞ্চাশ পঞ্চাশ "
    "একান্ন বাহান্ন তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন ঊনষাট ষাট "
    "একষট্টি বাষট্টি তেষট্টি চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি ঊনসত্তর সত্তর "
    "একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর ছিয়াত্তর সাতাত্তর আটাত্তর ঊনআশি আশি "
    "একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি অষ্টাশি ঊননব্বই নব্বই "
    "একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই একশো"
)
_BENGALI_ROMAN = (
    "ek dui tin char panch chhoy sat at noy dosh "
    "egaro baro tero choddo ponero sholo shotero atharo unish kuri "
    "ekush baish teish chobbish pochish chhabbish satash atash unotrish tirish "
    "ektrish botrish tetrish choutrish poyotrish chhotrish saitrish attrish unochollish chollish "
    "ekchollish biyallish tetallish chuyallish poyotallish chhechollish satchollish atchollish unoponchash ponchash "
    "ekanno bahanno tippanno chuyanno ponchanno chhappanno satanno atanno unoshat shat "
    "ekshotti bashotti teshotti choushotti poyshotti chheshotti satshotti atshotti unoshottor shottor "
    "ekattor bahattor tiyattor chuyattor pochattor chhiyattor satattor atattor unoashi ashi "
    "ekashi birashi tirashi churashi pochashi chhiyashi satashi oshtashi unonobboi nobboi "
    "ekanobboi biranobboi tiranobboi churanobboi pochanobboi chhiyanobboi satanobboi atanobboi niranobboi eksho"
)
# Common second spellings that the tables above do not produce.
_EXTRA_WORDS = {
    "छः": 6, "छ": 6, "पांच": 5, "पन्द्रह": 15, "बिश": 20, "বিশ": 20, "ত্রিশ": 30, "চোদ্দো": 14,
    "chhe": 6, "che": 6, "bish": 20, "trish": 30, "chodo": 14, "ekso": 100,
}

_ENGLISH_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_ENGLISH_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}


def romanized_key(word: str) -> str:
    """Fold the usual spelling variation of romanized Indic words.

    "baarah", "barah" and "bara" all become "bara"; "chaubees" and "chaubis"
    both become "chaubis".
    """
    key = word.lower()
    for long, short in (("aa", "a"), ("ee", "i"), ("oo", "u"), ("w", "v"), ("z", "j")):
        key = key.replace(long, short)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled consonants: "chhabbis" ~ "chhabis"
    # "barah" ~ "bara", but "saath" (60) must stay apart from "saat" (7).
    return key[:-1] if len(key) > 2 and key[-2:] in ("ah", "eh", "oh", "ih", "uh") else key


def _table(words: str, key=lambda word: word) -> Dict[str, int]:
    return {key(word): value for value, word in enumerate(words.split(), start=1)}


def _build_word_table() -> Dict[str, int]:
    table: Dict[str, int] = {}
    table.update(_table(_HINDI, normalize_text))
    table.update(_table(_BENGALI, normalize_text))
    table.update(_table(_HINDI_ROMAN, romanized_key))
    table.update(_table(_BENGALI_ROMAN, romanized_key))
    for word, value in _EXTRA_WORDS.items():
        table[romanized_key(word) if word.isascii() else normalize_text(word)] = value
    return table


WORD_VALUES: Dict[str, int] = _build_word_table()
_DIGITS = re.compile(r"\d+")


def _parse_english(words: list) -> Optional[int]:
    total = 0
    for word in words:
        if word in _ENGLISH_TENS and total == 0:
            total = _ENGLISH_TENS[word]
        elif word in _ENGLISH_UNITS and total % 10 == 0 and (total == 0 or word != "zero"):
            unit = _ENGLISH_UNITS.index(word)
            if total and unit >= 10:
                return None
            total += unit
        else:
            return None
    return total or None


def parse_number(text: str) -> Optional[int]:
    """Return the number a short text names, or None.

    Accepts digits in any script ("12", "१२", "১২", "12th", "no. 12") and
    numbers written as words in English ("twenty one"), Hindi and Bengali
    (native script or romanized, with the usual spelling variation).
    """
    text = normalize_text(text).lower()  # also turns Indic digits into ASCII
    digits = _DIGITS.search(text)
    if digits:
        return int(digits.group())
    words = re.findall(r"[\u0900-\u09ff]+|[a-z]+", text)
    if not words:
        return None
    english = _parse_english(words)
    if english is not None:
        return english
    if len(words) == 1:
        word = words[0]
        key = romanized_key(word) if word.isascii() else word
        return WORD_VALUES.get(key)
    return None
