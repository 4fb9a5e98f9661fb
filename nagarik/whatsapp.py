"""The WhatsApp Business Cloud API: reading webhook deliveries, and writing messages.

Reading: `signature_ok` checks `X-Hub-Signature-256`; `parse_delivery` turns a
webhook body into the messages and status callbacks it carries (every entry,
change and message); `rasa_text` says what a message means to Rasa.

Writing: `render` turns one Rasa bot message (text, buttons, image, custom
JSON) into WhatsApp message objects within WhatsApp's limits; `GraphClient`
sends them (and downloads media) with timeouts and retries on 429 and 5xx.

Payload shapes follow Meta's webhook and Cloud API reference
(https://developers.facebook.com/docs/whatsapp/cloud-api).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import aiohttp

from nagarik.inbound import as_text, clean_text
from nagarik.language import native_script_language

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com/v21.0"
TEXT_LIMIT = 4096  # characters in a text message body
BODY_LIMIT = 1024  # characters in an interactive message body
BUTTON_TITLE_LIMIT = 20
MAX_REPLY_BUTTONS = 3
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
MAX_LIST_ROWS = 10
# The list message's "open the list" button, in the language of the text it comes with.
LIST_BUTTON = {"en": "Choose", "hi": "चुनें", "bn": "বেছে নিন"}
SUPPORTED_MEDIA = ("image", "document")
# Not messages to answer: a reaction to one of ours, or WhatsApp's notice of a deleted message.
SILENT_KINDS = ("reaction", "system", "ephemeral")
# Graph API error codes for throughput limits, sent with HTTP 400 rather than 429: retried too.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
MAX_MEDIA_BYTES = 16 * 1024 * 1024


class MalformedDelivery(ValueError):
    """The webhook body is JSON but not a WhatsApp delivery."""


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str = DEFAULT_API_BASE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "WhatsAppSettings":
        return cls(
            verify_token=environ.get("WHATSAPP_VERIFY_TOKEN", ""),
            app_secret=environ.get("WHATSAPP_APP_SECRET", ""),
            access_token=environ.get("WHATSAPP_ACCESS_TOKEN", ""),
            phone_number_id=environ.get("WHATSAPP_PHONE_NUMBER_ID", ""),
            api_base=(environ.get("WHATSAPP_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
        )

    def missing(self) -> List[str]:
        names = {
            "WHATSAPP_VERIFY_TOKEN": self.verify_token,
            "WHATSAPP_APP_SECRET": self.app_secret,
            "WHATSAPP_ACCESS_TOKEN": self.access_token,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
        }
        return [name for name, value in names.items() if not value]


def signature(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends with `body`: `sha256=` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: Optional[str], app_secret: str) -> bool:
    """Whether `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw body (constant time)."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    return same_secret(signature(body, app_secret), "sha256=" + header[len("sha256="):].strip().lower())


def same_secret(expected: str, given: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (compare_digest on str refuses it)."""
    return hmac.compare_digest(expected.encode("utf-8", "surrogateescape"), given.encode("utf-8", "surrogateescape"))


def mask(phone: str) -> str:
    """A phone number fit for logs: '91******0001'."""
    return f"{phone[:2]}{'*' * max(len(phone) - 6, 0)}{phone[-4:]}" if len(phone) > 6 else "****"


# Reading deliveries.

@dataclass(frozen=True)
class MediaRef:
    id: str
    kind: str  # image / document
    mime_type: str
    caption: Optional[str] = None
    filename: Optional[str] = None


@dataclass(frozen=True)
class Incoming:
    wamid: str
    sender: str  # wa_id: the citizen's phone number, their id in the conversation
    kind: str
    timestamp: Optional[int] = None
    profile_name: Optional[str] = None
    text: Optional[str] = None  # typed text, a reply's id, or a caption
    media: Optional[MediaRef] = None
    location: Optional[Tuple[float, float]] = None

    def metadata(self) -> Dict[str, Any]:
        return {"wa_id": self.sender, "profile_name": self.profile_name, "timestamp": self.timestamp,
                "whatsapp_type": self.kind}


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    recipient: str
    status: str  # sent / delivered / read / failed
    errors: Tuple[Dict[str, Any], ...] = field(default_factory=tuple)


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _timestamp(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _location(raw: Dict[str, Any]) -> Optional[Tuple[float, float]]:
    try:
        latitude, longitude = float(raw["latitude"]), float(raw["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None


def _message(raw: Dict[str, Any], names: Dict[str, str]) -> Optional[Incoming]:
    wamid, sender, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not isinstance(wamid, str) or not isinstance(sender, str) or not isinstance(kind, str):
        return None
    # Cleaned here: they go into the database, the logs and JSON for the action server.
    profile_name = names.get(sender)
    common = {"wamid": clean_text(wamid), "sender": clean_text(sender), "kind": kind,
              "timestamp": _timestamp(raw.get("timestamp")),
              "profile_name": clean_text(profile_name) if isinstance(profile_name, str) else None}
    body = _dict(raw.get(kind))
    if kind == "text":
        return Incoming(text=as_text(body.get("body")), **common)
    if kind == "interactive":
        reply_type = body.get("type")  # button_reply / list_reply: {id, title}
        reply = _dict(body.get(reply_type)) if isinstance(reply_type, str) else {}
        return Incoming(text=as_text(reply.get("id")) or as_text(reply.get("title")), **common)
    if kind == "button":  # a template's quick-reply button
        return Incoming(text=as_text(body.get("payload")) or as_text(body.get("text")), **common)
    if kind in SUPPORTED_MEDIA and isinstance(body.get("id"), str):
        # A caption or file name that is a number is read as its digits; a list or an object as none.
        media = MediaRef(clean_text(body["id"]), kind, clean_text(as_text(body.get("mime_type"))) or "application/octet-stream",
                         as_text(body.get("caption")) or None, as_text(body.get("filename")) or None)
        return Incoming(text=media.caption, media=media, **common)
    if kind == "location":
        return Incoming(location=_location(body), **common)
    return Incoming(**common)  # audio, video, sticker, contacts, reaction, unsupported...


def parse_delivery(payload: Any) -> Tuple[List[Incoming], List[StatusUpdate]]:
    """Every message and status callback in a webhook body, in order."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise MalformedDelivery("not a WhatsApp webhook delivery (no 'entry' list)")
    messages: List[Incoming] = []
    statuses: List[StatusUpdate] = []
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            names = {
                str(contact.get("wa_id")): _dict(contact.get("profile")).get("name")
                for contact in map(_dict, _list(value.get("contacts")))
            }
            for raw in map(_dict, _list(value.get("messages"))):
                message = _message(raw, names)
                if message is not None:
                    messages.append(message)
            for raw in map(_dict, _list(value.get("statuses"))):
                statuses.append(
                    StatusUpdate(str(raw.get("id") or ""), str(raw.get("recipient_id") or ""), str(raw.get("status") or ""),
                                 tuple(map(_dict, _list(raw.get("errors")))))
                )
    return messages, statuses


def rasa_text(message: Incoming) -> Optional[str]:
    """What Rasa reads for this message; None when WhatsApp sent something the assistant cannot take."""
    if message.kind == "location":
        if message.location is None:
            return None
        latitude, longitude = message.location
        return "/share_location" + json.dumps({"latitude": latitude, "longitude": longitude})
    if message.media is not None:
        # A photo without a caption still says something: "here is the problem".
        return message.text.strip() if message.text and message.text.strip() else "/report_complaint"
    if message.kind in ("text", "interactive", "button") and message.text and message.text.strip():
        return message.text.strip()
    return None


# Writing messages.

def split_text(text: str, limit: int = TEXT_LIMIT) -> List[str]:
    """Parts of at most `limit` characters, cut at a paragraph, line or word boundary when there is one."""
    parts: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind(mark, 0, limit + 1) for mark in ("\n\n", "\n", " "))
        cut = cut if cut > limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts + ([rest] if rest else [])


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _buttons(text: str, buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Up to 3 reply buttons; 4 to 10 a list message; more, a numbered list in the text."""
    parts = split_text(text or "", TEXT_LIMIT)
    body = parts.pop() if parts and len(parts[-1]) <= BODY_LIMIT else ""
    leading = [{"type": "text", "text": {"body": part, "preview_url": False}} for part in parts]
    if len(buttons) > MAX_LIST_ROWS:
        numbered = "\n".join(f"{n}. {b.get('title', '')}" for n, b in enumerate(buttons, start=1))
        return [{"type": "text", "text": {"body": p, "preview_url": False}} for p in split_text(f"{text}\n\n{numbered}")]
    if not body:  # an interactive message needs a body; the long text went before it
        body = "👇"
    if len(buttons) <= MAX_REPLY_BUTTONS:
        replies = [
            {"type": "reply", "reply": {"id": str(b.get("payload") or b.get("title"))[:256],
                                        "title": _cut(str(b.get("title", "")), BUTTON_TITLE_LIMIT)}}
            for b in buttons
        ]
        return leading + [{"type": "interactive", "interactive": {
            "type": "button", "body": {"text": body}, "action": {"buttons": replies}}}]
    rows = [
        {"id": str(b.get("payload") or b.get("title"))[:ROW_ID_LIMIT], "title": _cut(str(b.get("title", "")), ROW_TITLE_LIMIT)}
        for b in buttons
    ]
    # The list button's few words follow the script of the text they come with.
    label = LIST_BUTTON[native_script_language(body) or "en"]
    return leading + [{"type": "interactive", "interactive": {
        "type": "list", "body": {"text": body}, "action": {"button": label, "sections": [{"rows": rows}]}}}]


def render(message: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """WhatsApp message objects (without `to`) for one Rasa bot message."""
    custom = message.get("custom")
    if isinstance(custom, dict) and custom.get("type"):
        return [dict(custom)]  # any WhatsApp message object, as the response wrote it
    text = str(message.get("text") or "")
    objects: List[Dict[str, Any]] = []
    if message.get("image"):
        caption = text if len(text) <= BODY_LIMIT and not message.get("buttons") else ""
        objects.append({"type": "image", "image": {"link": str(message["image"]), **({"caption": caption} if caption else {})}})
        text = "" if caption else text
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if buttons:
        return objects + _buttons(text, buttons)
    return objects + [{"type": "text", "text": {"body": part, "preview_url": False}} for part in split_text(text)]


class GraphError(Exception):
    """The Graph API refused a request for good (after retries, or a 4xx other than 429)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"Graph API {status}: {detail}")
        self.status = status


class GraphClient:
    """Sends messages and downloads media; retries 429 and 5xx with backoff, honouring Retry-After."""

    def __init__(self, settings: WhatsAppSettings, timeout: float = 10.0, retries: int = 3, backoff: float = 0.5) -> None:
        self.settings = settings
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.retries = retries
        self.backoff = backoff
        self._session: Optional[aiohttp.ClientSession] = None

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.access_token}"}

    def _client(self) -> aiohttp.ClientSession:
        # One pooled session per event loop (the channel and each test run their own loop).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _delay(self, attempt: int, retry_after: Optional[str]) -> float:
        try:
            return min(float(retry_after), 60.0) if retry_after else self.backoff * 2 ** attempt
        except ValueError:
            return self.backoff * 2 ** attempt

    async def _request(self, method: str, url: str, **kwargs: Any) -> Tuple[int, bytes, Dict[str, str]]:
        for attempt in range(self.retries + 1):
            try:
                async with self._client().request(method, url, headers=self._headers(), **kwargs) as response:
                    body = await response.read()
                    if response.status == 429 or response.status >= 500 or _rate_limited(response.status, body):
                        if attempt < self.retries:
                            await asyncio.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                            continue
                    if response.status >= 400:
                        raise GraphError(response.status, _error_detail(body))
                    return response.status, body, dict(response.headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                if attempt >= self.retries:
                    raise GraphError(0, f"{type(error).__name__}") from error
                await asyncio.sleep(self._delay(attempt, None))
        raise GraphError(0, "no attempt left")  # not reached: the loop returns or raises

    async def send(self, to: str, message: Mapping[str, Any]) -> Optional[str]:
        """Sends one message object; the new message's wamid."""
        # The recipient last: a response's custom JSON cannot redirect a message to another number.
        payload = {**message, "messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        url = f"{self.settings.api_base}/{self.settings.phone_number_id}/messages"
        _, body, _ = await self._request("POST", url, json=payload)
        try:
            return json.loads(body)["messages"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None

    async def download_media(self, media_id: str) -> Tuple[bytes, str]:
        """The media's bytes and MIME type: its URL from the Graph API, then the file (both with the token).

        Refused (GraphError) above MAX_MEDIA_BYTES, and when the URL would take the token anywhere
        but over HTTPS or to the configured API host.
        """
        _, body, _ = await self._request("GET", f"{self.settings.api_base}/{media_id}")
        try:
            info = json.loads(body)
            url, mime_type = str(info["url"]), info.get("mime_type") or "application/octet-stream"
            size = int(info.get("file_size") or 0)
        except (ValueError, KeyError, TypeError) as error:
            raise GraphError(200, "media lookup without a url") from error
        if size > MAX_MEDIA_BYTES:
            raise GraphError(413, f"media of {size} bytes is over the limit")
        target = urlsplit(url)
        if target.scheme != "https" and target.netloc != urlsplit(self.settings.api_base).netloc:
            raise GraphError(400, "media URL is neither HTTPS nor on the API host")
        _, content, _ = await self._request("GET", url, timeout=aiohttp.ClientTimeout(total=120))
        if len(content) > MAX_MEDIA_BYTES:
            raise GraphError(413, f"media of {len(content)} bytes is over the limit")
        return content, mime_type


def _rate_limited(status: int, body: bytes) -> bool:
    if status != 400:
        return False
    try:
        return json.loads(body).get("error", {}).get("code") in RATE_LIMIT_CODES
    except (ValueError, AttributeError):
        return False


def _error_detail(body: bytes) -> str:
    """The Graph API's error message and code, never the request (which holds the phone number)."""
    try:
        error = json.loads(body).get("error", {})
        return f"{error.get('code')} {error.get('message', '')}".strip()[:300]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace")


# Proactive messages outside the 24-hour window: WhatsApp allows only approved templates.

@dataclass(frozen=True)
class TemplateSettings:
    """Template name per notification kind, and WhatsApp's language code per assistant language.

    WHATSAPP_TEMPLATE_STATUS_CHANGED / WHATSAPP_TEMPLATE_WARD_NOTICE name the approved templates;
    WHATSAPP_TEMPLATE_LANGUAGES maps languages to codes ("en:en_US,hi:hi,bn:bn").
    """

    names: Mapping[str, str]
    languages: Mapping[str, str]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "TemplateSettings":
        names = {kind: environ.get(f"WHATSAPP_TEMPLATE_{kind.upper()}", "") for kind in ("status_changed", "ward_notice")}
        languages = {"en": "en", "hi": "hi", "bn": "bn"}
        for pair in (environ.get("WHATSAPP_TEMPLATE_LANGUAGES") or "").split(","):
            language, _, code = pair.partition(":")
            if language.strip() in languages and code.strip():
                languages[language.strip()] = code.strip()
        return cls({k: v for k, v in names.items() if v}, languages)

    def message(self, kind: str, language: str, parameters: List[str]) -> Optional[Dict[str, Any]]:
        """The template message for a notification; None when no template is configured for it."""
        name = self.names.get(kind)
        if not name:
            return None
        # Template parameters may not hold newlines, tabs, runs of spaces, or be empty (error 132018).
        body = [{"type": "text", "text": _cut(" ".join(str(p).split()) or "-", 1024)} for p in parameters]
        return {"type": "template", "template": {
            "name": name, "language": {"code": self.languages.get(language, language)},
            "components": [{"type": "body", "parameters": body}]}}
