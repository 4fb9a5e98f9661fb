"""Rasa input/output channel for the WhatsApp Business Cloud API.

Registered in credentials.yml as `channels.whatsapp.WhatsAppInput`; Rasa
serves it at /webhooks/whatsapp/webhook. Configured by environment variables
only (WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN,
WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_BASE), so no secret is in the repo.

A delivery is answered 200 at once once its signature is checked; each
message is then processed in the background, one citizen's messages strictly
in order. A message id (wamid) seen before is not processed again, also after
a restart (nagarik.db.whatsapp).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import mimetypes
import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from nagarik.db.complaints import preferred_language
from nagarik.db.session import run_in_session
from nagarik.db.whatsapp import first_sight, forget_old
from nagarik.settings import city_settings
from nagarik.vocabulary import MEDIA_NOT_RECEIVED, UNSUPPORTED_MESSAGE
from nagarik.whatsapp import (
    GraphClient,
    GraphError,
    Incoming,
    MalformedDelivery,
    WhatsAppSettings,
    mask,
    parse_delivery,
    rasa_text,
    render,
    signature_ok,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Meta's deliveries are a few KB; anything near this is not one
MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for images is 5 MB, documents 100 MB


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's messages through the Graph API, rendered within WhatsApp's limits."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # One Rasa message (text with its buttons) becomes one WhatsApp message where it fits.
        for whatsapp_message in render(message):
            await self._send(recipient_id, whatsapp_message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def _send(self, recipient_id: Text, whatsapp_message: Dict[Text, Any]) -> None:
        try:
            await self.client.send(recipient_id, whatsapp_message)
        except GraphError as error:
            # Logged without the token or the full number; the conversation goes on.
            logger.error("WhatsApp message to %s not sent: %s", mask(recipient_id), error)


class SenderQueues:
    """Processes each sender's messages one after another, different senders side by side."""

    def __init__(self, handle: Callable[[Incoming], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: Dict[str, asyncio.Queue] = {}
        self._tasks: Set[asyncio.Task] = set()

    def put(self, message: Incoming) -> None:
        queue = self._queues.get(message.sender)
        if queue is None:
            queue = self._queues[message.sender] = asyncio.Queue()
            task = asyncio.create_task(self._drain(message.sender, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.put_nowait(message)

    async def _drain(self, sender: str, queue: asyncio.Queue) -> None:
        while True:
            try:
                message = queue.get_nowait()
            except asyncio.QueueEmpty:
                del self._queues[sender]  # no await since the check: nothing can slip in between
                return
            try:
                await self._handle(message)
            except Exception:  # one bad message must not stop this citizen's later ones
                logger.exception("WhatsApp message %s from %s failed", message.wamid, mask(sender))

    async def idle(self) -> None:
        """Waits until every queued message was processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def media_dir() -> Path:
    return Path(os.environ.get("NAGARIK_MEDIA_DIR") or "media")


def _media_path(message: Incoming, mime_type: str) -> Path:
    extension = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ".bin"
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", message.wamid)[-80:]
    return media_dir() / message.sender / f"{safe_id}{extension}"


class WhatsAppInput(InputChannel):
    """The webhook Meta calls: verification (GET) and deliveries (POST)."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WhatsAppInput":
        settings = WhatsAppSettings.from_env()
        missing = settings.missing()
        if missing:
            logger.warning("WhatsApp channel: %s not set; deliveries will be refused", ", ".join(missing))
        return cls(settings)

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self.client = GraphClient(settings)
        self.on_new_message: Optional[Callable[[UserMessage], Awaitable[Any]]] = None
        self.queues = SenderQueues(self._process)

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        self.on_new_message = on_new_message
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self._verify(request.args)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request)

        return webhook

    def _verify(self, args: Any) -> HTTPResponse:
        """Meta's subscription check: echo hub.challenge when the verify token matches."""
        mode, token = args.get("hub.mode"), args.get("hub.verify_token")
        if mode == "subscribe" and self.settings.verify_token and hmac.compare_digest(str(token or ""), self.settings.verify_token):
            return response.text(args.get("hub.challenge") or "")
        return response.text("forbidden", status=403)

    async def _receive(self, request: Request) -> HTTPResponse:
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return response.text("too large", status=413)
        if not signature_ok(body, request.headers.get("X-Hub-Signature-256"), self.settings.app_secret):
            return response.text("forbidden", status=403)
        try:
            messages, statuses = parse_delivery(json.loads(body))
        except (ValueError, MalformedDelivery):  # json.JSONDecodeError is a ValueError
            return response.text("bad request", status=400)
        for status in statuses:
            if status.status == "failed":
                codes = ", ".join(str(e.get("code")) for e in status.errors) or "-"
                logger.warning("WhatsApp could not deliver %s to %s (error %s)", status.wamid, mask(status.recipient), codes)
        for message in messages:
            self.queues.put(message)
        return response.json({"status": "accepted"})

    async def _process(self, message: Incoming) -> None:
        if not await self._first_sight(message):
            logger.info("WhatsApp redelivered %s; already processed", message.wamid)
            return
        text = rasa_text(message)
        output = self.get_output_channel()
        if text is None:
            await output.send_text_message(message.sender, UNSUPPORTED_MESSAGE[await self._language(message.sender)])
            return
        metadata = message.metadata()
        if message.media is not None:
            saved = await self._save_media(message)
            if saved is None:
                await output.send_text_message(message.sender, MEDIA_NOT_RECEIVED[await self._language(message.sender)])
                return
            metadata["media"] = [saved]
        assert self.on_new_message is not None, "blueprint() was not called"
        await self.on_new_message(
            UserMessage(text, output, message.sender, input_channel=self.name(), message_id=message.wamid, metadata=metadata)
        )

    async def _first_sight(self, message: Incoming) -> bool:
        def record(session) -> bool:
            new = first_sight(session, message.wamid, message.sender)
            if new:
                forget_old(session)  # an indexed delete: keeps the table at about a week of messages
            return new

        try:
            return await run_in_session(record)
        except SQLAlchemyError:
            # Better a rare double answer than a lost complaint: process it.
            logger.exception("could not record WhatsApp message %s", message.wamid)
            return True

    async def _language(self, sender: str) -> str:
        try:
            return await run_in_session(lambda session: preferred_language(session, sender)) or city_settings().default_language
        except SQLAlchemyError:
            return city_settings().default_language

    async def _save_media(self, message: Incoming) -> Optional[Dict[str, Any]]:
        """Downloads the photo or document and stores it; what the complaint form attaches."""
        media = message.media
        try:
            content, mime_type = await self.client.download_media(media.id)
        except GraphError as error:
            logger.error("media %s from %s not downloaded: %s", media.id, mask(message.sender), error)
            return None
        if len(content) > MAX_MEDIA_BYTES:
            logger.warning("media %s from %s refused: %d bytes", media.id, mask(message.sender), len(content))
            return None
        path = _media_path(message, mime_type or media.mime_type)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

        await asyncio.to_thread(write)
        return {"path": str(path), "media_type": mime_type or media.mime_type, "caption": media.caption,
                "filename": media.filename}
