"""Rasa input/output channel for the WhatsApp Business Cloud API.

Registered in credentials.yml as `channels.whatsapp.WhatsAppInput`; Rasa
serves it at /webhooks/whatsapp/webhook. Configured by environment variables
only (WHATSAPP_VERIFY_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_ACCESS_TOKEN,
WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_API_BASE), so no secret is in the repo.

A delivery is answered 200 at once once its signature is checked; each
message is then processed in the background, one citizen's messages strictly
in order. A message id (wamid) seen before is not processed again, also after
a restart (nagarik.db.whatsapp).

At most WHATSAPP_MAX_CONCURRENT messages (default 3) are inside Rasa at once; the
others wait their turn (woken in the order they came). Rasa runs NLU and the policies on
its one event loop, so twenty messages in progress together each take twenty times
longer; a few at a time finish in order, which in `make bench` took p95 from about
330 to 220 ms at the same throughput. Replies go out through a per-number outbox,
so a slow Graph API does not hold a place that another citizen's message is
waiting for.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import mimetypes
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from channels.guard import guarded, remembered_language
from nagarik.db.notifications import Due, claim_due, release
from nagarik.db.session import run_in_session
from nagarik.db.whatsapp import first_sight, forget_old
from nagarik.settings import city_settings, media_dir
from nagarik.vocabulary import MEDIA_NOT_RECEIVED, OFFICE_NOTE, UNSUPPORTED_MESSAGE, status_name
from nagarik.whatsapp import (
    GraphClient,
    GraphError,
    Incoming,
    SILENT_KINDS,
    MalformedDelivery,
    TemplateSettings,
    WhatsAppSettings,
    mask,
    parse_delivery,
    rasa_text,
    render,
    same_secret,
    signature_ok,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Meta's deliveries are a few KB; anything near this is not one
FORGET_EVERY_SECONDS = 60.0
DEFAULT_MAX_CONCURRENT = 3


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's messages through the Graph API, rendered within WhatsApp's limits;
    through `outbox` (in order per number, in the background) when there is one."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self, client: GraphClient, outbox: Optional["SenderQueues"] = None) -> None:
        self.client = client
        self.outbox = outbox

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
        if self.outbox is not None:
            self.outbox.put(recipient_id, (recipient_id, whatsapp_message))
            return
        await self.send_now(self.client, (recipient_id, whatsapp_message))

    @staticmethod
    async def send_now(client: GraphClient, addressed: Tuple[str, Dict[str, Any]]) -> None:
        recipient_id, whatsapp_message = addressed
        try:
            await client.send(recipient_id, whatsapp_message)
        except GraphError as error:
            # Logged without the token or the full number; the conversation goes on.
            logger.error("WhatsApp message to %s not sent: %s", mask(recipient_id), error)


class TurnOutput(WhatsAppOutput):
    """Holds a turn's replies until Rasa has handled the message (and saved the conversation), then
    hands them to the outbox.

    Rasa sends a turn's replies while its actions run and saves the conversation after the last one.
    A rasa server killed in between had told the citizen the next question while its conversation
    still stood at the previous one, and the citizen's answer, taken by another server, was read
    out of context. Held, a turn's replies leave only once it is saved: a killed server's turn is
    neither seen nor saved, and the citizen, hearing nothing, writes again.
    """

    def __init__(self, client: GraphClient, outbox: "SenderQueues") -> None:
        super().__init__(client, outbox)
        self.held: List[Tuple[str, Dict[str, Any]]] = []

    async def _send(self, recipient_id: Text, whatsapp_message: Dict[Text, Any]) -> None:
        self.held.append((recipient_id, whatsapp_message))

    def release(self) -> None:
        assert self.outbox is not None
        for recipient_id, whatsapp_message in self.held:
            self.outbox.put(recipient_id, (recipient_id, whatsapp_message))
        self.held.clear()


class SenderQueues:
    """Handles each number's items (incoming messages, outgoing replies) one after another,
    different numbers side by side."""

    def __init__(self, handle: Callable[[Any], Awaitable[None]], what: str = "message") -> None:
        self._handle = handle
        self._what = what
        self._queues: Dict[str, asyncio.Queue] = {}
        self._tasks: Set[asyncio.Task] = set()

    def put(self, number: str, item: Any) -> None:
        queue = self._queues.get(number)
        if queue is None:
            queue = self._queues[number] = asyncio.Queue()
            task = asyncio.create_task(self._drain(number, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.put_nowait(item)

    async def _drain(self, number: str, queue: asyncio.Queue) -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                del self._queues[number]  # no await since the check: nothing can slip in between
                return
            try:
                await self._handle(item)
            except Exception:  # one bad item must not stop this citizen's later ones
                logger.exception("WhatsApp %s for %s failed", self._what, mask(number))

    async def idle(self) -> None:
        """Waits until every queued message was processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _wording(due: Due) -> Tuple[str, Dict[str, str], List[str]]:
    """The response that words a notification, its values, and the same values for a template."""
    payload, language = due.payload, due.language
    if due.kind == "ward_notice":
        values = {"ward": str(payload.get("ward")), "text": str(payload.get("text") or "")}
        return "utter_notify_ward_notice", values, [values["ward"], values["text"]]
    status = status_name(str(payload.get("status")), language)
    note = f"\n{OFFICE_NOTE[language]}: {payload['note']}" if payload.get("note") else ""
    values = {"reference": str(payload.get("reference")), "status": status, "note": note}
    return "utter_notify_status_changed", values, [values["reference"], status]


class Notifier:
    """Delivers the notification queue: worded by Rasa's response generator in the citizen's
    language inside WhatsApp's 24-hour window, as an approved template outside it."""

    def __init__(self, client: GraphClient, templates: TemplateSettings, interval: float) -> None:
        self.client = client
        self.templates = templates
        self.interval = interval

    async def run(self, agent_of: Callable[[], Any]) -> None:
        while True:
            try:
                await self.deliver_due(agent_of())
            except asyncio.CancelledError:
                raise
            except Exception:  # the next round tries again; a bad row is released or used up
                logger.exception("notification round failed")
            await asyncio.sleep(self.interval)

    async def deliver_due(self, agent: Any) -> int:
        if agent is None or getattr(agent, "domain", None) is None:
            return 0  # no model loaded (yet): the queue waits
        kinds = tuple(self.templates.names)
        due = await run_in_session(lambda session: claim_due(session, kinds))
        sent = 0
        for item in due:
            try:
                delivered = await self._deliver(agent, item)
            except Exception:  # claimed rows must not be lost to one bad notification
                logger.exception("notification %s failed", item.id)
                delivered = False
            if delivered:
                sent += 1
            else:
                await run_in_session(lambda session: release(session, item.id))
        return sent

    async def _deliver(self, agent: Any, item: Due) -> bool:
        response_name, values, parameters = _wording(item)
        if item.in_window:
            tracker = DialogueStateTracker.from_events(item.phone, [SlotSet("language", item.language)], agent.domain.slots)
            message = await agent.nlg.generate(response_name, tracker, WhatsAppOutput.name(), **values)
            if not message:
                logger.error("the model's domain has no %s: retrain (make train)", response_name)
            messages = render(message) if message else []
        else:
            template = self.templates.message(item.kind, item.language, parameters)
            messages = [template] if template else []
        try:
            for whatsapp_message in messages:
                await self.client.send(item.phone, whatsapp_message)
        except GraphError as error:
            logger.error("notification %s to %s not sent: %s", item.id, mask(item.phone), error)
            return False
        if messages:
            await self._remember(agent, item, message if item.in_window else {"text": " | ".join(parameters)})
        return bool(messages)

    @staticmethod
    async def _remember(agent: Any, item: Due, message: Dict[str, Any]) -> None:
        """Adds what was sent to the citizen's conversation, so that its history shows it."""
        try:
            async with agent.lock_store.lock(item.phone):
                tracker = await agent.tracker_store.get_or_create_tracker(item.phone)
                data = {key: value for key, value in message.items() if key != "text"}
                tracker.update(BotUttered(message.get("text"), data, metadata={"notification": item.kind}))
                await agent.tracker_store.save(tracker)
        except Exception:  # already sent: a missing history line must not send it again
            logger.exception("notification %s sent but not added to the conversation", item.id)


def freeze_loaded_objects() -> None:
    """Leaves the objects that exist once the model is loaded out of every later garbage collection.

    The loaded model (TensorFlow, the domain, the graph) is millions of Python objects that live as
    long as the server. A full collection walks them all: 0.8 s with the event loop stopped, seen
    in `make bench` as a stall of every conversation in progress. Frozen, they are never walked
    again (the last full collection then took 13 ms); new objects are collected as usual.
    """
    gc.collect()
    gc.freeze()


def _number_from_env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        logger.warning("%s is not a number; using %s", name, default)
        return default


def _media_path(message: Incoming, mime_type: str) -> Path:
    extension = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ".bin"
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", message.wamid)[-80:]
    safe_sender = re.sub(r"[^0-9]", "", message.sender)[:20] or "unknown"
    return media_dir() / safe_sender / f"{safe_id}{extension}"


async def _read_capped(request: Request) -> Optional[bytes]:
    """The raw body, or None past MAX_BODY_BYTES (read in chunks on a streamed route, never all of it)."""
    try:
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return None
    except ValueError:
        return None
    stream = getattr(request, "stream", None)
    if stream is None:
        body = request.body or b""
        return body if len(body) <= MAX_BODY_BYTES else None
    chunks, size = [], 0
    while True:
        chunk = await stream.read()
        if chunk is None:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)


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
        seconds = _number_from_env("WHATSAPP_NOTIFY_SECONDS", 10.0)
        at_once = max(1, int(_number_from_env("WHATSAPP_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT)))
        return cls(settings, notify_seconds=0 if missing else seconds, max_concurrent=at_once)

    def __init__(self, settings: WhatsAppSettings, notify_seconds: float = 0,
                 max_concurrent: int = DEFAULT_MAX_CONCURRENT) -> None:
        self.settings = settings
        self.client = GraphClient(settings)
        self.on_new_message: Optional[Callable[[UserMessage], Awaitable[Any]]] = None
        self.queues = SenderQueues(self._process)
        self.outbox = SenderQueues(lambda addressed: WhatsAppOutput.send_now(self.client, addressed), "reply")
        # Messages waiting for a place are woken in the order they came (asyncio.Semaphore's queue).
        self.admission = asyncio.Semaphore(max_concurrent)
        # Proactive messages only from a configured channel; 0 switches them off.
        self.notifier = Notifier(self.client, TemplateSettings.from_env(), notify_seconds) if notify_seconds > 0 else None
        self._notifier_task: Optional[asyncio.Task] = None
        self._forgot_at = float("-inf")  # time.monotonic() of the last clean-up of old message ids

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self.client, self.outbox)

    async def idle(self) -> None:
        """Waits until every queued message was processed and every reply sent (tests, shutdown)."""
        await self.queues.idle()
        await self.outbox.idle()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Clean text and the length limit before NLU, as on every Nagarik channel.
        self.on_new_message = guarded(on_new_message)
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self._verify(request.args)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request)

        @webhook.listener("after_server_start")
        async def start_notifier(app: Any, _loop: Any) -> None:
            freeze_loaded_objects()
            if self.notifier is not None:
                self._notifier_task = asyncio.create_task(self.notifier.run(lambda: app.ctx.agent))

        @webhook.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            if self._notifier_task is not None:
                self._notifier_task.cancel()
            try:  # messages already answered 200 are finished before the server goes
                await asyncio.wait_for(self.idle(), timeout=20)
            except asyncio.TimeoutError:
                logger.warning("WhatsApp messages still in progress at shutdown")
            await self.client.close()
            # Only a Nagarik model loads the components package; importing it here would install
            # its speed-ups into any model this channel serves (and into `make bench`'s yardstick).
            sessions = sys.modules.get("components.endpoint_sessions")
            if sessions is not None:
                await sessions.close_all()

        return webhook

    def _verify(self, args: Any) -> HTTPResponse:
        """Meta's subscription check: echo hub.challenge when the verify token matches."""
        mode, token = args.get("hub.mode"), args.get("hub.verify_token")
        if mode == "subscribe" and self.settings.verify_token and same_secret(self.settings.verify_token, str(token or "")):
            return response.text(args.get("hub.challenge") or "")
        return response.text("forbidden", status=403)

    async def _receive(self, request: Request) -> HTTPResponse:
        body = await _read_capped(request)
        if body is None:
            return response.text("too large", status=413)
        if not signature_ok(body, request.headers.get("X-Hub-Signature-256"), self.settings.app_secret):
            return response.text("forbidden", status=403)
        try:
            messages, statuses = parse_delivery(json.loads(body))
        except (ValueError, RecursionError, MalformedDelivery):  # json.JSONDecodeError is a ValueError
            return response.text("bad request", status=400)
        for status in statuses:
            if status.status == "failed":
                codes = ", ".join(str(e.get("code")) for e in status.errors) or "-"
                logger.warning("WhatsApp could not deliver %s to %s (error %s)", status.wamid, mask(status.recipient), codes)
        for message in messages:
            self.queues.put(message.sender, message)
        return response.json({"status": "accepted"})

    async def _process(self, message: Incoming) -> None:
        if not await self._first_sight(message):
            logger.info("WhatsApp redelivered %s; already processed", message.wamid)
            return
        if message.kind in SILENT_KINDS:
            return
        text = rasa_text(message)
        output = self.get_output_channel()
        if text is None:
            await self._tell(output, message.sender, UNSUPPORTED_MESSAGE)
            return
        metadata = message.metadata()
        if message.media is not None:
            saved = await self._save_media(message)
            if saved is None:
                await self._tell(output, message.sender, MEDIA_NOT_RECEIVED)
                return
            metadata["media"] = [saved]
        assert self.on_new_message is not None, "blueprint() was not called"
        turn = TurnOutput(self.client, self.outbox)
        try:
            async with self.admission:
                await self.on_new_message(
                    UserMessage(text, turn, message.sender, input_channel=self.name(), message_id=message.wamid, metadata=metadata)
                )
        finally:
            turn.release()

    async def _first_sight(self, message: Incoming) -> bool:
        def record(session) -> bool:
            new = first_sight(session, message.wamid, message.sender)
            # Keeps the table at about a week of messages. Once a minute is enough: a delete with
            # every message took 3.5% of the rasa server's CPU in the benchmark's profile.
            if new and time.monotonic() - self._forgot_at > FORGET_EVERY_SECONDS:
                self._forgot_at = time.monotonic()
                forget_old(session)
            return new

        try:
            return await run_in_session(record)
        except SQLAlchemyError:
            # Better a rare double answer than a lost complaint: process it.
            logger.exception("could not record WhatsApp message %s", message.wamid)
            return True

    async def _tell(self, output: OutputChannel, sender: str, texts: Mapping[str, str]) -> None:
        """The channel's own words (not the assistant's), in the language remembered for the number."""
        language = await remembered_language(sender)
        await output.send_text_message(sender, texts[language or city_settings().default_language])

    async def _save_media(self, message: Incoming) -> Optional[Dict[str, Any]]:
        """Downloads the photo or document and stores it; what the complaint form attaches."""
        media = message.media
        try:
            content, mime_type = await self.client.download_media(media.id)
        except GraphError as error:
            logger.error("media %s from %s not downloaded: %s", media.id, mask(message.sender), error)
            return None
        mime_type = mime_type or media.mime_type
        path = _media_path(message, mime_type)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

        await asyncio.to_thread(write)
        return {"path": str(path), "media_type": mime_type, "caption": media.caption, "filename": media.filename,
                "kind": media.kind, "size": len(content)}
