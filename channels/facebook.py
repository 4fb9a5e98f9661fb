"""Rasa's Facebook Messenger channel (`/webhooks/facebook/webhook`) with Nagarik's guard in front of
NLU (channels/guard.py). Registered in credentials.facebook.yml as `channels.facebook.FacebookInput`."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from sanic import Blueprint

from channels.guard import guarded


class FacebookInput(RasaFacebookInput):
    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
