"""nagarik.inbound and channels.guard: what every channel does before NLU (text, cleaning, the length limit)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import guarded
from nagarik.inbound import (
    DEFAULT_MAX_MESSAGE_CHARS, as_text, clean_text, clean_value, max_message_chars, reply_language, too_long_reply,
)
from nagarik.whatsapp import parse_delivery, rasa_text


@pytest.mark.parametrize("value, expected", [("पानी", "पानी"), (12, "12"), (1.5, "1.5"), (True, ""), (None, ""),
                                             (["a"], ""), ({"a": 1}, "")])
def test_a_messages_text_is_always_a_string(value: Any, expected: str) -> None:
    assert as_text(value) == expected


def test_cleaned_text_encodes_as_utf8_and_keeps_every_script() -> None:
    dirty = "\ud800नमस्ते\x00 জল\x07\r\nlight\tok\udfff\ufffe 🙂"
    cleaned = clean_text(dirty)
    assert cleaned == "नमस्ते জল\nlight\tok 🙂"
    cleaned.encode("utf-8")  # what failed on the way to the action server
    json.dumps(clean_value({"name": "\ud83d Ravi", "nested": [{"x\x01": "\udc00y"}]}), ensure_ascii=False).encode("utf-8")


def test_metadata_nested_too_deep_is_dropped_not_followed() -> None:
    deep: Any = "leaf"
    for _ in range(1000):
        deep = [deep]
    assert json.dumps(clean_value({"deep": deep})).count("[") <= 8


def test_the_limit_comes_from_the_environment_with_a_safe_default() -> None:
    assert max_message_chars({}) == DEFAULT_MAX_MESSAGE_CHARS == 4096
    assert max_message_chars({"NAGARIK_MAX_MESSAGE_CHARS": "2000"}) == 2000
    assert max_message_chars({"NAGARIK_MAX_MESSAGE_CHARS": "many"}) == max_message_chars({"NAGARIK_MAX_MESSAGE_CHARS": "-1"}) == 4096


def test_the_refusal_is_in_the_messages_language_else_the_remembered_one() -> None:
    assert reply_language("পাড়ার নর্দমা উপচে " * 1000, None, "hi") == "bn"
    assert reply_language("the street light near my house " * 1000, "bn", "hi") == "en"
    assert reply_language("12345 " * 1000, "bn", "hi") == "bn"
    assert reply_language("12345 " * 1000, None, "hi") == "hi"
    for language in ("en", "hi", "bn"):
        assert "5,000" in too_long_reply("x" * 5000, language, 4096) and "4,096" in too_long_reply("x" * 5000, language, 4096)


def _through_guard(text: Any, sender: Any = "919800000001", metadata: Any = None) -> tuple:
    reached: List[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        reached.append(message)

    output = CollectingOutputChannel()
    asyncio.run(_run(on_new_message, output, text, sender, metadata))
    return reached, output.messages


async def _run(on_new_message, output, text, sender, metadata) -> None:
    message = UserMessage("placeholder", output, sender, metadata=metadata)
    message.text = text  # as a channel may hand it on: not always a string
    await guarded(on_new_message)(message)


def test_the_guard_hands_on_clean_messages(monkeypatch) -> None:
    reached, replies = _through_guard("\ud800street light\x00", metadata={"profile_name": "R\udc00avi"})
    assert [(m.text, m.metadata) for m in reached] == [("street light", {"profile_name": "Ravi"})] and replies == []
    reached, _ = _through_guard(12)
    assert reached[0].text == "12"


def test_a_message_over_the_limit_is_answered_without_nlu(monkeypatch) -> None:
    monkeypatch.setattr("channels.guard.remembered_language", _no_memory)
    reached, replies = _through_guard("सड़क पर गड्ढा है " * 10_000)
    # Nothing reaches Rasa; one reply, in Hindi, that does not echo the text.
    assert reached == [] and len(replies) == 1 and "4,096" in replies[0]["text"] and "सड़क" not in replies[0]["text"]
    assert "माफ़ कीजिए" in replies[0]["text"]


async def _no_memory(_: str) -> None:
    return None


def _image(caption: Any) -> dict:
    message = {"id": "wamid.1", "from": "919800000001", "type": "image",
               "image": {"id": "MEDIA1", "mime_type": "image/jpeg", "caption": caption}}
    return {"entry": [{"changes": [{"value": {"messages": [message]}}]}]}


@pytest.mark.parametrize("caption, text", [(12, "12"), (["a"], "/report_complaint"), ({"a": 1}, "/report_complaint"),
                                           (None, "/report_complaint"), ("यह रहा", "यह रहा")])
def test_any_caption_type_is_read(caption: Any, text: str) -> None:
    (message,), _ = parse_delivery(_image(caption))
    assert rasa_text(message) == text


def test_odd_text_bodies_and_ids_are_read_as_far_as_they_go() -> None:
    message = {"id": "wamid.\ud800x", "from": "9198\x0000000001", "type": "text", "text": {"body": ["not", "text"]}}
    (parsed,), _ = parse_delivery({"entry": [{"changes": [{"value": {"messages": [message]}}]}]})
    assert (parsed.wamid, parsed.sender, rasa_text(parsed)) == ("wamid.x", "919800000001", None)
