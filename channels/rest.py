"""Rasa's REST channel (`/webhooks/rest/webhook`) with Nagarik's guard in front of NLU (channels/guard.py).

Registered in credentials.yml as `channels.rest.RestInput`; same name, URL and replies as Rasa's
`rest` channel. A body that is JSON but not an object, or a `message` that is a number, a list or
missing, is read as far as it can be (digits as text, anything else as no text) instead of
failing with a 500 before the guard can answer.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint
from sanic.request import Request

from channels.guard import guarded
from nagarik.inbound import as_text


def _body(request: Request) -> Dict[Text, Any]:
    return request.json if isinstance(request.json, dict) else {}


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        return None if sender is None else as_text(sender) or None

    def _extract_message(self, req: Request) -> Optional[Text]:
        return as_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return as_text(_body(req).get("input_channel")) or self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
