"""The language detector and the rule for switching a conversation's language."""

from __future__ import annotations

import pytest

from nagarik.language import choose_language, detect

# (message, expected language) across the five groups people write in.
DETECTION_TABLE = [
    # English
    ("street light not working in ward 12", "en"),
    ("no water since 3 days in our area", "en"),
    ("garbage has not been collected for a week", "en"),
    ("what is the status of my complaint", "en"),
    ("how many corona cases today", "en"),
    ("where can i get the booster dose", "en"),
    ("who is the councillor of ward 7", "en"),
    ("i want to talk to an officer", "en"),
    ("are you a human or a bot", "en"),
    ("the drain near my house is overflowing", "en"),
    ("please fix the pothole on station road", "en"),
    ("Good morning, can you help me", "en"),
    ("what are the symptoms of covid", "en"),
    ("the pipe is leaking near the school", "en"),
    # Hindi in Devanagari
    ("नल में पानी नहीं आ रहा", "hi"),
    ("हमारी गली की लाइट खराब है", "hi"),
    ("मेरी शिकायत का क्या हुआ", "hi"),
    ("वार्ड १२ में कूड़ा नहीं उठा", "hi"),
    ("आज कितने केस आए", "hi"),
    ("टीका कहाँ लगेगा", "hi"),
    ("किसी अधिकारी से बात करनी है", "hi"),
    ("धन्यवाद", "hi"),
    ("नमस्ते जी", "hi"),
    ("हाउस टैक्स का बिल गलत आया है", "hi"),
    ("ward 5 में light नहीं जल रही", "hi"),
    ("मेरा वार्ड कौन सा है", "hi"),
    # Bengali in Bengali script
    ("রাস্তায় ময়লা জমে আছে", "bn"),
    ("আমাদের পাড়ার লাইট জ্বলছে না", "bn"),
    ("জল আসছে না দুদিন ধরে", "bn"),
    ("আমার অভিযোগের কী হল", "bn"),
    ("টিকা কোথায় পাবো", "bn"),
    ("নমস্কার", "bn"),
    ("ধন্যবাদ", "bn"),
    ("ওয়ার্ড ১২ এর কাউন্সিলর কে", "bn"),
    ("নর্দমা উপচে পড়ছে", "bn"),
    ("বাংলায় বলুন", "bn"),
    ("কী কী করা যায়", "bn"),
    ("হোল্ডিং ট্যাক্স কোথায় জমা দেব", "bn"),
    # romanized Hindi
    ("mere mohalle me light nahi hai", "hi"),
    ("paani nahi aa raha 2 din se", "hi"),
    ("meri shikayat ka kya hua", "hi"),
    ("kisi insaan se baat karao", "hi"),
    ("kya aap robot ho", "hi"),
    ("kya kya kar sakte ho", "hi"),
    ("gali me kooda pada hai koi uthane nahi aata", "hi"),
    ("naali band ho gayi hai bhaiya", "hi"),
    ("aaj kitne case aaye hai", "hi"),
    ("hindi me baat karo", "hi"),
    ("sadak me bahut gaddhe hai", "hi"),
    ("tika kab lagega mujhe", "hi"),
    # romanized Bengali
    ("amader parar light jolche na", "bn"),
    ("jol asche na kal theke", "bn"),
    ("amar complaint er ki holo", "bn"),
    ("rastay moyla jome ache", "bn"),
    ("ami kono officer er sathe kotha bolte chai", "bn"),
    ("apni ki manush na bot", "bn"),
    ("dada amader ward er kounsilor ke", "bn"),
    ("drain ta bhenge geche", "bn"),
    ("bangla te bolun", "bn"),
    ("tika kothay pabo", "bn"),
    ("kemon acho", "bn"),
    ("pipe fete jol pore jacche", "bn"),
]


def test_table_is_large_and_covers_every_group() -> None:
    assert len(DETECTION_TABLE) >= 60
    assert {language for _, language in DETECTION_TABLE} == {"en", "hi", "bn"}


@pytest.mark.parametrize("message, expected", DETECTION_TABLE)
def test_detects_language(message: str, expected: str) -> None:
    assert detect(message).code == expected


@pytest.mark.parametrize(
    "message, script, romanized",
    [
        ("नल में पानी नहीं आ रहा", "devanagari", False),
        ("জল আসছে না", "bengali", False),
        ("paani nahi aa raha", "latin", True),
        ("jol asche na kal theke", "latin", True),
        ("no water since 3 days", "latin", False),
    ],
)
def test_reports_script_and_romanization(message: str, script: str, romanized: bool) -> None:
    detection = detect(message)
    assert detection.script == script
    assert detection.romanized is romanized


@pytest.mark.parametrize("message", ["ok", "OK", "okay", "12", "ward 12", "hmm", "👍", "yes", "thanks", "हाँ", "ওকে", "sir", ""])
def test_short_or_neutral_messages_are_not_clear(message: str) -> None:
    assert not detect(message).clear


@pytest.mark.parametrize(
    "message",
    [
        "street light not working in our area",
        "mere mohalle me light nahi hai",
        "amader parar light jolche na",
        "नल में पानी नहीं आ रहा",
        "জল আসছে না",
        "धन्यवाद",
    ],
)
def test_full_sentences_are_clear(message: str) -> None:
    assert detect(message).clear


def test_detection_survives_unnormalised_input() -> None:
    # Bengali digits, a zero-width joiner and a decomposed nukta letter.
    assert detect("ওয়ার্ড ১২ এর লাইট\u200d জ্বলছে না").code == "bn"
    assert detect("सड़क टूटी है").code == "hi"


class TestChooseLanguage:
    def test_first_message_takes_the_best_guess(self) -> None:
        assert choose_language(None, "bn", clear=False) == "bn"

    def test_nothing_known_gives_none(self) -> None:
        assert choose_language(None, None, clear=False) is None

    def test_ok_does_not_flip_a_hindi_conversation(self) -> None:
        detection = detect("ok")
        assert choose_language("hi", detection.code, detection.clear) == "hi"

    def test_weak_english_does_not_flip_bengali(self) -> None:
        detection = detect("thanks")
        assert choose_language("bn", detection.code, detection.clear) == "bn"

    def test_clear_other_language_switches(self) -> None:
        detection = detect("what is the status of my complaint")
        assert choose_language("hi", detection.code, detection.clear) == "en"

    def test_explicit_request_wins_over_script(self) -> None:
        detection = detect("इंग्लिश में बात करो")
        assert choose_language("hi", detection.code, detection.clear, requested="en") == "en"

    def test_unknown_request_is_ignored(self) -> None:
        assert choose_language("hi", None, False, requested="fr") == "hi"


class TestLatinModel:
    """Grammar words plus the character n-gram classifier trained on the Latin-script training data."""

    @pytest.fixture(scope="class")
    def model(self, training_examples):
        from nagarik.language import train_latin_model

        language = {"en": "en", "hi": "hi", "bn": "bn", "hi_latn": "hi", "bn_latn": "bn"}
        examples = [(e.get("text"), language[group]) for group, items in training_examples.items() for e in items]
        trained = train_latin_model(examples)
        assert trained is not None and set(trained.labels) == {"en", "hi", "bn"}
        return trained

    @pytest.mark.parametrize(
        "message, expected",
        [
            # Not training examples, and grammar words alone get each of them wrong or say nothing.
            ("menu ta ekbar pathao", "bn"),
            ("option gulo pathiye din", "bn"),
            ("officer dorkar ekhuni", "bn"),
        ],
    )
    def test_short_romanized_messages(self, model, message: str, expected: str) -> None:
        assert detect(message).code != expected
        detection = detect(message, model)
        assert detection.code == expected and not detection.clear

    @pytest.mark.parametrize("message", ["ok", "okay", "12", "ward 12", "hmm", "yes", "thanks", "sir", "ok sir", ""])
    def test_neutral_messages_stay_unclear(self, model, message: str) -> None:
        assert not detect(message, model).clear

    def test_native_script_is_decided_by_script(self, model) -> None:
        assert detect("জল আসছে না", model).code == "bn"
        assert detect("पानी नहीं आ रहा", model).code == "hi"

    def test_no_model_without_two_languages(self) -> None:
        from nagarik.language import train_latin_model

        assert train_latin_model([("hello", "en"), ("नमस्ते", "hi")]) is None


class TestLatinModelNeverSwitchesOnItsOwn:
    @pytest.fixture(scope="class")
    def model(self, training_examples):
        from nagarik.language import train_latin_model

        language = {"en": "en", "hi": "hi", "bn": "bn", "hi_latn": "hi", "bn_latn": "bn"}
        return train_latin_model([(e.get("text"), language[g]) for g, items in training_examples.items() for e in items])

    @pytest.mark.parametrize("message", ["Nehru Nagar Colony", "main road crossing", "Shastri Park Extension"])
    def test_place_names_do_not_switch_a_conversation(self, model, message: str) -> None:
        detection = detect(message, model)
        assert not detection.clear
        assert choose_language("hi", detection.code, detection.clear) == "hi"
