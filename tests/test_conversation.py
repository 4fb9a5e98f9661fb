"""Whole conversations through the trained model and a real action server.

These check what a citizen sees: the reply's language follows the
conversation's language, switches only when it should, and the handoff
carries the configured helpline. They need the trained model (`make train`;
`make test` trains it first).
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import datetime, timezone
from typing import Iterator, List

import numpy as np
import pytest
from sqlalchemy import select

from benchmark.stack import free_port, start_action_server
from conftest import REPO, graph_component, migrate, with_city
from nagarik.covid import Figures
from nagarik.db.complaints import change_status, citizen_for, preferred_language
from nagarik.db.covid import store_figures
from nagarik.db.models import Citizen, Complaint, Feedback, Notification
from nagarik.db.notices import publish_notice
from nagarik.db.session import session_scope
from nagarik.db.wards import subscribed_wards
from nagarik.settings import city_settings

REFERENCE = re.compile(r"NG\d{6}")
MODEL = REPO / "models" / "nagarik.tar.gz"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
BENGALI = re.compile(r"[\u0980-\u09ff]")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A migrated SQLite database with the sample city, for the action server."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'nagarik.db'}"
    migrate(url)
    return with_city(url)


@pytest.fixture(scope="module")
def action_endpoint(database: str, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NAGARIK_HELPLINE_PHONE": "0132-2700000", "DATABASE_URL": database}
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    process = start_action_server(port, env, log)
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    from components import endpoint_sessions

    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(endpoint_sessions.close_all())  # the action server connection of this loop
    loop.close()


@pytest.fixture(scope="module")
def agent(action_endpoint: str, loop: asyncio.AbstractEventLoop):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    assert MODEL.exists(), "no trained model: run `make train` first"
    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_endpoint))


@pytest.fixture
def chat(agent, loop):
    """`chat(sender, text)` returns the texts the assistant answers with."""

    def say(sender: str, text: str) -> List[str]:
        replies = loop.run_until_complete(agent.handle_text(text, sender_id=sender))
        return [reply.get("text", "") for reply in replies]

    return say


def _joined(replies: List[str]) -> str:
    assert replies, "the assistant did not answer"
    return " ".join(replies)


def test_hindi_conversation_stays_hindi_on_ok(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-1", "नमस्ते जी")))
    assert DEVANAGARI.search(_joined(chat("hi-1", "ok")))


def test_clear_english_switches_a_hindi_conversation(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-2", "नमस्ते जी")))
    reply = _joined(chat("hi-2", "what is the status of my complaint"))
    assert not DEVANAGARI.search(reply) and not BENGALI.search(reply)


def test_romanized_bengali_is_answered_in_bengali(chat) -> None:
    assert BENGALI.search(_joined(chat("bn-1", "amader parar light jolche na")))


def test_romanized_hindi_is_answered_in_hindi(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-3", "mere mohalle me light nahi hai")))


def test_set_language_switches_against_the_script(chat) -> None:
    assert DEVANAGARI.search(_joined(chat("hi-4", "नमस्ते")))
    reply = _joined(chat("hi-4", "English please"))
    assert "English" in reply and not DEVANAGARI.search(reply)


def test_covid_answer_in_bengali_with_source(chat) -> None:
    reply = _joined(chat("bn-2", "টিকা কোথায় পাবো"))
    assert BENGALI.search(reply) and "৬ মাস" in reply and "MoHFW" in reply


def test_handoff_gives_configured_helpline_in_the_language(chat) -> None:
    chat("bn-3", "নমস্কার")
    reply = _joined(chat("bn-3", "কোনো অফিসারের সঙ্গে কথা বলতে চাই"))
    assert "0132-2700000" in reply
    assert city_settings().helpline.office_hours["bn"] in reply


def test_feedback_is_stored_and_acknowledged_in_the_language(chat, database) -> None:
    from sqlalchemy import select

    reply = _joined(chat("hi-5", "नगर निगम के कर्मचारी आजकल बहुत अच्छा काम कर रहे हैं, शाबाश"))
    assert "दर्ज" in reply
    with session_scope(database) as session:
        stored = [f.text for f in session.execute(select(Feedback)).scalars()]
    assert stored == ["नगर निगम के कर्मचारी आजकल बहुत अच्छा काम कर रहे हैं, शाबाश"]


@pytest.mark.parametrize(
    "sender, opening, script, text",
    [
        ("odd-hi-1", "नमस्ते जी", DEVANAGARI, "🙏🙏🙏"),
        ("odd-hi-2", "नमस्ते जी", DEVANAGARI, "4567 8901"),
        ("odd-hi-3", "नमस्ते जी", DEVANAGARI, "   "),
        ("odd-bn-1", "নমস্কার", BENGALI, "light নহীं জ্বলছে না ward ১২ mein"),
        ("odd-bn-2", "নমস্কার", BENGALI, "?!..."),
        ("odd-bn-3", "নমস্কার", BENGALI, ("জল আসছে না " * 400)[:4000]),
        ("odd-en-1", "good morning, I have a question", None, "👍🏽"),
    ],
)
def test_odd_input_gets_an_answer_in_the_conversations_language(chat, sender, opening, script, text) -> None:
    """Emoji, digits, blank text, punctuation, mixed scripts, 4,000 characters: an answer, in the language."""
    chat(sender, opening)
    reply = _joined(chat(sender, text))
    if script is not None:
        assert script.search(reply), reply
    else:
        assert not DEVANAGARI.search(reply) and not BENGALI.search(reply), reply


@pytest.mark.parametrize(
    "sender, text",
    [
        ("oos-en", "can you book me a train ticket to delhi for tomorrow"),
        ("oos-hi", "आज शाम के लिए पनीर की सब्ज़ी की रेसिपी बताओ"),
        ("oos-bn", "আজ ভারতের ক্রিকেট ম্যাচের স্কোর কত"),
        ("oos-hil", "mere phone ka recharge kar do 199 wala"),
        ("oos-bnl", "ekta bhalo cinema r naam bolo to"),
    ],
)
def test_out_of_scope_gets_the_out_of_scope_answer_and_nothing_is_stored(chat, database, sender, text) -> None:
    reply = _joined(chat(sender, text))
    assert any(word in reply for word in ("can't help", "मदद नहीं कर सकता", "সাহায্য করতে পারব না")), reply
    # No form was opened: a "yes" now files nothing, and nothing was kept as feedback.
    chat(sender, "yes")
    assert _complaints(database, sender) == []
    with session_scope(database) as session:
        assert text not in [f.text for f in session.execute(select(Feedback)).scalars()]


def _complaints(database: str, phone: str):
    with session_scope(database) as session:
        return [
            (c.reference, c.category_code, c.ward, c.status, c.language, c.rating, [n.text for n in c.notes])
            for c in session.execute(select(Complaint).join(Citizen).where(Citizen.phone == phone)).scalars()
        ]


def _move(database: str, reference: str, *statuses: str) -> None:
    with session_scope(database) as session:
        complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
        for status in statuses:
            change_status(session, complaint, status, actor="officer")


def test_hindi_complaint_is_asked_step_by_step_and_filed(chat, database) -> None:
    phone = "919800001001"
    ask_ward = _joined(chat(phone, "तीन दिन से पानी नहीं आ रहा"))
    assert "वार्ड" in ask_ward and not REFERENCE.search(ask_ward)
    assert "पहचान" in _joined(chat(phone, "वार्ड १९"))  # the landmark question
    summary = _joined(chat(phone, "पुराने डाकघर के पास"))
    assert "पानी की सप्लाई" in summary and "वार्ड 19" in summary
    assert _complaints(database, phone) == []  # nothing is filed before the citizen confirms
    filed = _joined(chat(phone, "हाँ"))
    (reference,) = REFERENCE.findall(filed)[:1]
    assert "जलकल विभाग" in filed
    assert _complaints(database, phone) == [(reference, "water_supply", 19, "received", "hi", None, [])]


def test_bengali_complaint_survives_a_covid_question_and_is_cancelled(chat, database) -> None:
    phone = "919800001002"
    assert "ওয়ার্ড" in _joined(chat(phone, "আমাদের পাড়ার নর্দমা উপচে পড়ছে"))
    digression = _joined(chat(phone, "করোনার উপসর্গ কী কী"))
    assert "WHO" in digression and "ওয়ার্ড" in digression  # answered, then the ward question again
    cancelled = _joined(chat(phone, "বাদ দিন"))
    assert BENGALI.search(cancelled) and not REFERENCE.search(cancelled)
    assert _complaints(database, phone) == []


def test_english_complaint_in_one_message_is_corrected_then_filed_and_tracked(chat, database) -> None:
    phone = "919800001003"
    summary = _joined(chat(phone, "the street light near gandhi chowk in ward 12 has been off for a week"))
    assert "Please check your complaint" in summary and "Ward 12" in summary
    corrected = _joined(chat(phone, "sorry its ward 14"))
    assert "Ward 14" in corrected
    filed = _joined(chat(phone, "yes"))
    (reference,) = REFERENCE.findall(filed)[:1]
    assert "Street Lighting" in filed
    assert _complaints(database, phone)[0][1:4] == ("street_light", 14, "received")

    status = _joined(chat(phone, f"status of {reference.lower()}"))
    assert reference in status and "received" in status
    stranger = _joined(chat("919800009999", f"status of {reference}"))
    assert "no complaint" in stranger and "received" not in stranger


def _file_in_chat(chat, phone: str, first_message: str, yes: str) -> str:
    """Files a complaint, skipping the questions the form may still ask; returns its reference."""
    reply = _joined(chat(phone, first_message))
    for _ in range(4):
        if REFERENCE.search(reply):
            return REFERENCE.findall(reply)[0]
        landmark_question = any(word in reply for word in ("*skip*", "*स्किप*", "*স্কিপ*"))
        reply = _joined(chat(phone, "skip" if landmark_question else yes))
    raise AssertionError(f"no reference after the questions: {reply}")


def test_same_problem_again_is_offered_to_the_open_complaint(chat, database) -> None:
    phone = "919800001004"
    reference = _file_in_chat(chat, phone, "garbage has not been picked up in ward 30 for a week", "yes")
    offer = _joined(chat(phone, "garbage in ward 30 is piling up again and it smells terrible"))
    assert reference in offer
    added = _joined(chat(phone, "/affirm"))
    assert reference in added and not set(REFERENCE.findall(added)) - {reference}
    ((_, _, _, _, _, _, notes),) = _complaints(database, phone)
    assert notes == ["garbage in ward 30 is piling up again and it smells terrible"]


def test_resolved_complaint_is_rated_or_reopened_in_the_chat(chat, database) -> None:
    phone = "919800001005"
    references = [
        _file_in_chat(chat, phone, "road me bada gaddha hai ward 8 me school ke paas", "haan"),
        _file_in_chat(chat, phone, "ward 9 me naali jam hai mandir ke saamne", "haan"),
    ]
    for reference in references:
        _move(database, reference, "assigned", "in_progress", "resolved")

    assert "ठीक" in _joined(chat(phone, f"complaint {references[0]} ka status batao"))
    assert "5" in _joined(chat(phone, "haan"))  # the 1-5 rating question
    assert references[0] in _joined(chat(phone, "5"))

    chat(phone, f"complaint {references[1]} ka kya hua")
    assert DEVANAGARI.search(_joined(chat(phone, "nahi")))
    assert references[1] in _joined(chat(phone, "abhi bhi paani bhara hai koi nahi aaya"))
    rows = {r[0]: r for r in _complaints(database, phone)}
    assert rows[references[0]][3:6] == ("closed", "hi", 5)
    assert rows[references[1]][3] == "reopened"


def test_a_known_number_is_answered_in_its_remembered_language(chat, database) -> None:
    phone = "919800001006"
    with session_scope(database) as session:
        citizen_for(session, phone, "bn")
    # "12" says nothing about the language; the city default would be Hindi.
    assert BENGALI.search(_joined(chat(phone, "12")))


def test_an_explicit_language_switch_is_remembered_for_the_number(chat, database) -> None:
    phone = "919800001007"
    chat(phone, "hello")
    assert BENGALI.search(_joined(chat(phone, "বাংলায় কথা বলুন")))
    with session_scope(database) as session:
        assert preferred_language(session, phone) == "bn"


def test_covid_figures_come_from_the_bulletin_and_are_never_invented(chat, database) -> None:
    phone = "919800001008"
    unknown = _joined(chat(phone, "आज कोरोना के कितने केस आए"))
    assert DEVANAGARI.search(unknown) and "0132-2700000" in unknown  # nothing known: says so, gives the helpline
    with session_scope(database) as session:
        store_figures(session, Figures("Uttar Pradesh", "Saharanpur", 123456, 120, 123000, 336,
                                       as_of=datetime(2026, 11, 20, tzinfo=timezone.utc), new_confirmed=14, source="bulletin"))
    figures = _joined(chat(phone, "आज कोरोना के कितने केस आए"))
    assert "1,23,456" in figures and "20 नवंबर 2026" in figures


def test_vaccination_answer_names_the_citys_own_centres(chat) -> None:
    reply = _joined(chat("919800001009", "टीका कहाँ लगवाएँ"))
    assert "ज़िला अस्पताल, कोर्ट रोड" in reply and "MoHFW" in reply


def test_ward_information_after_which_ward(chat) -> None:
    phone = "919800001010"
    assert "वार्ड" in _joined(chat(phone, "हमारे वार्ड के पार्षद कौन हैं"))  # which ward?
    answer = _joined(chat(phone, "शास्त्री नगर"))
    assert "वार्ड 2" in answer and "0000-100002" in answer


def test_ward_by_pin_then_its_notices_followed_queued_and_stopped(chat, database: str) -> None:
    phone = "919800001011"
    answer = _joined(chat(phone, '/share_location{"latitude": 29.9612, "longitude": 77.5333}'))
    assert "Ward 34" in answer or "वार्ड 34" in answer
    assert "34" in _joined(chat(phone, "please keep sending me the notices of this ward"))
    with session_scope(database) as session:
        publish_notice(session, 34, {"en": "Water off on Sunday", "hi": "रविवार को पानी बंद"}, "JE")
        queued = session.execute(select(Notification).where(Notification.kind == "ward_notice")).scalars().all()
        assert [(n.citizen.phone, n.payload["ward"]) for n in queued] == [(phone, 34)]
    stopped = _joined(chat(phone, "stop sending the ward notices"))
    assert "34" in stopped
    with session_scope(database) as session:
        assert subscribed_wards(session, phone) == []


def test_a_pin_answers_the_ward_question_of_a_complaint(chat, database: str) -> None:
    phone = "919800001012"
    assert BENGALI.search(_joined(chat(phone, "আমাদের পাড়ার রাস্তায় বিশাল গর্ত হয়ে আছে")))  # which ward?
    summary = _joined(chat(phone, '/share_location{"latitude": 29.9612, "longitude": 77.5333}'))
    assert "ওয়ার্ড 34" in summary and "📍" in summary
    filed = _joined(chat(phone, "হ্যাঁ ঠিক আছে"))
    assert REFERENCE.search(filed), filed
    with session_scope(database) as session:
        complaint = session.execute(select(Complaint).join(Citizen).where(Citizen.phone == phone)).scalar_one()
        assert (complaint.ward, complaint.latitude, complaint.longitude) == (34, 29.9612, 77.5333)


def test_remembered_dialogue_predictions_are_what_ted_computes(chat, agent, loop) -> None:
    """Every turn of real conversations: CachedTEDPolicy's answer equals TEDPolicy's own computation."""
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.graph_components.providers.rule_only_provider import RuleOnlyDataProvider
    from rasa.shared.core.trackers import DialogueStateTracker

    from components.cached_ted import CachedTEDPolicy

    for phone, texts in (("ted-1", ["hello", "street light kharab hai", "ward 12", "near the temple", "yes"]),
                         ("ted-2", ["hello", "street light kharab hai", "ward 14", "near the school", "yes"]),
                         ("ted-3", ["পানি আসছে না", "ওয়ার্ড ৭", "covid er lokkhon ki", "না"])):
        for text in texts:
            chat(phone, text)
    ted, rule_only = graph_component(agent, CachedTEDPolicy), graph_component(agent, RuleOnlyDataProvider).provide()
    hits = ted.prediction_cache.hits
    compared = 0
    for phone in ("ted-1", "ted-2", "ted-3"):
        events = list(loop.run_until_complete(agent.tracker_store.retrieve(phone)).events)
        for end in range(1, len(events) + 1):
            if events[end - 1].type_name not in ("action", "user"):
                continue
            tracker = DialogueStateTracker.from_events(phone, events[:end], slots=agent.domain.slots)
            remembered = ted.predict_action_probabilities(tracker, agent.domain, rule_only)
            computed = TEDPolicy.predict_action_probabilities(ted, tracker, agent.domain, rule_only)
            assert np.allclose(remembered.probabilities, computed.probabilities, atol=1e-6), events[end - 1]
            compared += 1
    assert compared > 30
    assert ted.prediction_cache.hits > hits  # the second complaint walks the states of the first


def test_dialogue_states_computed_once_per_step_are_rasas_own(chat, agent, loop) -> None:
    """components.state_cache: one tracker growing event by event, as the processor grows it, gives
    at every step exactly the states Rasa computes from scratch, whatever a caller did to a copy."""
    from rasa.graph_components.providers.rule_only_provider import RuleOnlyDataProvider
    from rasa.shared.core.trackers import DialogueStateTracker

    from components import state_cache

    for text in ["hello", "street light kharab hai", "ward 12", "near the temple", "yes", "status NG000001"]:
        chat("states-1", text)
    rule_only = graph_component(agent, RuleOnlyDataProvider).provide()
    events = list(loop.run_until_complete(agent.tracker_store.retrieve("states-1")).events)
    growing = DialogueStateTracker.from_events("states-1", [], slots=agent.domain.slots)
    variants = [{}, {"ignore_rule_only_turns": True, "rule_only_data": rule_only}, {"omit_unset_slots": True}]
    for end, event in enumerate(events, 1):
        growing.update(event)
        fresh = DialogueStateTracker.from_events("states-1", events[:end], slots=agent.domain.slots)
        for arguments in variants:
            expected = state_cache._rasas_past_states(fresh, agent.domain, **arguments)
            first = growing.past_states(agent.domain, **arguments)
            assert first == expected, (event, arguments)
            if first and first[-1]:
                first[-1].clear()  # as a featurizer changes the last state in place
                next(iter(first[0].values()), {}).clear()
            assert growing.past_states(agent.domain, **arguments) == expected
    assert len(events) > 30
