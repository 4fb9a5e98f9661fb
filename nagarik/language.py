"""Which language a citizen writes in: English, Hindi or Bengali.

Devanagari and Bengali script give the answer away. Latin script is the hard
part: the same phone keyboard carries English, romanized Hindi ("paani nahi aa
raha") and romanized Bengali ("jol asche na"). Those are told apart by their
grammar words and verb endings, which are short closed lists; civic nouns
("light", "road", "pipe", "ward") are shared by all three and count for none.

Grammar words miss short messages ("menu ta dekhao", "officer se baat karao"). A classifier over
character n-grams (`nagarik.textclass`), trained on the Latin-script training examples of each
language, adds its probabilities as further evidence, worth up to one word for each word of the
message that is not shared by all three; the NLU component trains it. It chooses the language of
a message the grammar words leave open, which decides a new conversation's language, but never
makes a message clear enough to switch a running conversation: place names ("Nehru Nagar Colony")
look like some language to it.

`detect` looks at one message only. Whether a detection is `clear` enough to
switch a running conversation to another language is decided here too, so
that the rule lives in one place; the dialogue applies it (see
`actions/language.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, Optional, Tuple

from nagarik.text import normalize_text
from nagarik.textclass import TextClassifier

LANGUAGES = ("en", "hi", "bn")

_DEVANAGARI = re.compile(r"[\u0900-\u097f]+")
_BENGALI = re.compile(r"[\u0980-\u09ff]+")
_LATIN_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> frozenset:
    return frozenset(text.split())


# Grammar words, pronouns, question words and common verbs of each language as
# typed in Latin script. A word that two languages share (ki, na, pani, bhai)
# is listed in both and so counts half for each.
_ENGLISH = _words(
    """
    the a an is are was were am be been being my our your their his her its i we you he she it they
    me us them this that these those there here not dont doesnt didnt isnt cant wont what when where
    why how who whom which whose can could would should will shall do does did have has had of in on
    at to for from with since near about and or but if then than also still yet already just very
    too so much many more any some no every all working work works broken damaged dirty blocked
    overflowing leaking days day weeks week months month years today tomorrow yesterday morning
    evening night good great nice please kindly want need like know tell give get got send show
    talk speak call check see look come coming came going gone go fix fixed repair repaired
    complaint complaints problem issue status update latest number area road roads road's our
    help someone anyone person human real officer thanks thank you bye goodbye see later
    symptoms vaccine vaccination test testing cases many how
    """
)
_HINDI = _words(
    """
    hai hain he ho hu hoon hun tha thi the nahi nahin nhi nai mat kya kyaa kyu kyun kyon kaise kaisa
    kaisi kab kahan kaha kahaan kaun kon kitne kitna kitni mera meri mere hamara hamari hamare humara
    humari humare tumhara tumhari aapka apka aapki apki aapke apke aap ap hum ham main mai mujhe muje
    mujhko humein hume hamein ka ki ke ko se mein me par pe aur ya bhi hi to raha rahi rahe rha rhi
    rhe gaya gayi gaye gya gyi karo karein kare karna karni karne kijiye kijie kar kiya kiye diya
    dijiye do batao bataiye bataye batayen chahiye chahie wala wali wale paani pani bijli sadak gali
    galiyon nali naali kooda kuda kachra kachda shikayat shikaayat sikayat dhanyavad dhanyawad
    shukriya namaste alvida haan han ji theek thik accha acha achha bhaiya bhai abhi kal aaj din
    mahine mahina hafte hafta saal bahut bohot bahot kuch koi sab wahan yahan idhar udhar kaam band
    tuta toota tooti tuti ganda gandi hua hui hue lagta lagti sakte sakta sakti baat insaan insan
    aadmi tika teeka lagwana jaanch jankari jaankari milega milegi batti khambe khamba raat
    subah jaldi dekho dekhiye bolo boliye chalo pata
    """
)
_BENGALI_ROMAN = _words(
    """
    ami amar amra amader amake amay amader tumi tomar tomader tomake apni apnar apnara apnader
    apnake ache achhe achi acho nei hocche hochhe hoche hoy hoyeche hoyni holo hobe hote korun koro
    kori korchi korche korchhe korben korte kore korlam korechi korechhi bolun bolo bolchi bolben
    kothay kobe keno kemon ki kichu kono kon ke er te theke ekta ekti dada didi bhai khub bhalo valo
    na ar aar ei oi sei ekhane okhane ekhon aaj kal din mash soptaho bochor jol jal pani rasta rastay
    rastar alo aloy batti jonno diye niye dorkar lagbe jabe jacche jachhe asche ashche aschhe aste
    dekhun dekho janan janaben janabo dhonnobad dhonyobad dhonnyobad nomoskar nomoshkar accha thik
    hyan haan pourosobha pourashava para paray parar ghor bari barir somossa shomossha obhijog
    ovijog gondogol jome jomeche thake thaken bujhte pari parchi parben chai chaichi kotha hoyeche
    kaj korche bondho bhenge bhanga nongra moyla tika pabo jabo debo nebo korbo bolbo dekhbo
    asbo hobe jabe debe korbe pabe dibe niben paben deben
    """
)
# Words typed the same way by speakers of all three languages.
_NEUTRAL = _words("ok okay k hmm hi hello hey yes no sir madam mam ji pls plz thanks thank thanku ty")

_ROMAN_LEXICONS: Dict[str, frozenset] = {
    "en": _ENGLISH - _NEUTRAL,
    "hi": _HINDI - _NEUTRAL,
    "bn": _BENGALI_ROMAN - _NEUTRAL,
}
# Verb endings that only romanized Bengali (korchi, asche, korben, gelam) or
# romanized Hindi (karenge, milega, dijiye) produce; weaker than a listed word.
_SUFFIXES = {
    "bn": re.compile(r"\w{2,}(cchi|chhi|chi|cche|chhe|che|chen|ben|lam|len|echi|eche)$"),
    "hi": re.compile(r"\w{2,}(enge|ega|egi|oge|iye|iyega|unga|ungi)$"),
}
_SUFFIX_WEIGHT = 0.5
_NATIVE_WORD_WEIGHT = 1.5

# How much evidence a message needs before it may switch a conversation.
_MIN_CLEAR_SCORE = 2.0
_MIN_CLEAR_SHARE = 0.7
_MIN_SINGLE_NATIVE_WORD = 4  # code points: "धन्यवाद" switches, "हाँ" or "ओके" does not


@dataclass(frozen=True)
class Detection:
    """The language of one message, with how sure the detector is."""

    code: Optional[str]
    confidence: float
    clear: bool
    script: str
    scores: Dict[str, float] = field(default_factory=dict)

    @property
    def romanized(self) -> bool:
        return self.script == "latin" and self.code in ("hi", "bn")

    def as_dict(self) -> Dict[str, object]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 3),
            "clear": self.clear,
            "script": self.script,
            "romanized": self.romanized,
        }


def native_script_language(text: str) -> Optional[str]:
    """"bn" for Bengali script, "hi" for Devanagari, None otherwise (Bengali wins a mixed text)."""
    return "bn" if _BENGALI.search(text) else "hi" if _DEVANAGARI.search(text) else None


def _score_latin_words(words: Iterable[str], scores: Dict[str, float]) -> None:
    for word in words:
        languages = [code for code, lexicon in _ROMAN_LEXICONS.items() if word in lexicon]
        if languages:
            for code in languages:
                scores[code] += 1.0 / len(languages)
            continue
        for code, suffix in _SUFFIXES.items():
            if word not in _NEUTRAL and suffix.match(word):
                scores[code] += _SUFFIX_WEIGHT


# The classifier's evidence is worth at most this many words, however long the message.
_MAX_MODEL_WORDS = 3


def _informative(words: Iterable[str]) -> int:
    """Latin words that say something about the language: not shared by all three, not one letter."""
    return sum(1 for word in words if len(word) > 1 and word not in _NEUTRAL)


def train_latin_model(examples: Iterable[Tuple[str, str]]) -> Optional[TextClassifier]:
    """A classifier of Latin-script text from (text, language) pairs; None without two languages."""
    texts, labels = [], []
    for text, language in examples:
        if language in LANGUAGES and text and native_script_language(text) is None:
            texts.append(text)
            labels.append(language)
    if len(set(labels)) < 2:
        return None
    return TextClassifier().fit(texts, labels)


def _score_with_model(text: str, words: list, model: TextClassifier, scores: Dict[str, float]) -> None:
    weight = min(_informative(words), _MAX_MODEL_WORDS)
    if weight == 0:
        return
    for code, probability in model.guess(text).probabilities.items():
        if code in scores:
            scores[code] += weight * probability


def detect(text: str, latin_model: Optional[TextClassifier] = None) -> Detection:
    """Detect the language of one message (see the module docstring).

    The classifier is asked only when script and grammar words leave the message unclear (it costs
    about a millisecond), and a message it decides is never clear: "Nehru Nagar Colony" gets a best
    guess but does not switch a Hindi conversation to English.
    """
    text = normalize_text(text).lower()
    devanagari = _DEVANAGARI.findall(text)
    bengali = _BENGALI.findall(text)
    lexical = {code: 0.0 for code in LANGUAGES}
    lexical["hi"] += _NATIVE_WORD_WEIGHT * len(devanagari)
    lexical["bn"] += _NATIVE_WORD_WEIGHT * len(bengali)
    latin_words = _LATIN_WORD.findall(text)
    _score_latin_words(latin_words, lexical)
    detection = _decide(text, lexical, devanagari, bengali)
    if latin_model is None or devanagari or bengali or detection.clear:
        return detection
    scores = dict(lexical)
    _score_with_model(text, latin_words, latin_model, scores)
    with_model = _decide(text, scores, devanagari, bengali)
    return Detection(with_model.code, with_model.confidence, False, with_model.script, scores)


def _decide(text: str, scores: Dict[str, float], devanagari: list, bengali: list) -> Detection:
    total = sum(scores.values())
    if total == 0:
        return Detection(None, 0.0, False, "none" if not text else "latin", scores)
    code = max(LANGUAGES, key=lambda language: scores[language])
    share = scores[code] / total
    native = devanagari if code == "hi" else bengali if code == "bn" else []
    script = "devanagari" if devanagari and code == "hi" else "bengali" if bengali and code == "bn" else "latin"
    return Detection(code, share, _is_clear(scores[code], share, native), script, scores)


def _is_clear(score: float, share: float, native_words: list) -> bool:
    if share < _MIN_CLEAR_SHARE:
        return False
    if len(native_words) == 1 and score == _NATIVE_WORD_WEIGHT:
        return len(native_words[0]) >= _MIN_SINGLE_NATIVE_WORD
    return score >= _MIN_CLEAR_SCORE


def choose_language(
    current: Optional[str],
    detected: Optional[str],
    clear: bool,
    requested: Optional[str] = None,
) -> Optional[str]:
    """The language to answer in, given the conversation's current one.

    An explicit request wins; a conversation without a language takes the
    detector's best guess; otherwise only a clear detection switches.
    """
    if requested in LANGUAGES:
        return requested
    if current not in LANGUAGES:
        return detected if detected in LANGUAGES else None
    if clear and detected in LANGUAGES and detected != current:
        return detected
    return current
