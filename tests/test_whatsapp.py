"""WhatsApp Cloud API: payload parsing, signatures, rendering within WhatsApp's limits, and retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any, Dict, List

import pytest
from aiohttp import web

from nagarik.whatsapp import (
    GraphClient,
    GraphError,
    MalformedDelivery,
    WhatsAppSettings,
    mask,
    parse_delivery,
    rasa_text,
    render,
    signature,
    signature_ok,
    split_text,
)


def delivery(*messages: Dict[str, Any], statuses: List[Dict[str, Any]] = (), name: str = "Asha") -> Dict[str, Any]:
    """A webhook body shaped like Meta's examples (one entry, one change)."""
    value: Dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": messages[0]["from"]}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


def text(body: str, wamid: str = "wamid.A1", sender: str = "919800000001") -> Dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": "1732300000", "type": "text", "text": {"body": body}}


class TestParsing:
    def test_text_with_sender_metadata(self) -> None:
        (message,), statuses = parse_delivery(delivery(text("नाली जाम है")))
        assert (message.wamid, message.sender, message.text, message.profile_name) == (
            "wamid.A1", "919800000001", "नाली जाम है", "Asha")
        assert message.metadata() == {"wa_id": "919800000001", "profile_name": "Asha", "timestamp": 1732300000,
                                      "whatsapp_type": "text"}
        assert rasa_text(message) == "नाली जाम है" and statuses == []

    def test_button_and_list_replies_are_read_by_id_not_title(self) -> None:
        button = {"from": "919800000001", "id": "wamid.B", "type": "interactive",
                  "interactive": {"type": "button_reply", "button_reply": {"id": "/affirm", "title": "हाँ, दर्ज करें"}}}
        listed = {"from": "919800000001", "id": "wamid.L", "type": "interactive",
                  "interactive": {"type": "list_reply", "list_reply": {"id": "4", "title": "Sewer", "description": ""}}}
        template = {"from": "919800000001", "id": "wamid.T", "type": "button",
                    "button": {"payload": "/track_complaint", "text": "Track"}}
        messages, _ = parse_delivery(delivery(button, listed, template))
        assert [rasa_text(m) for m in messages] == ["/affirm", "4", "/track_complaint"]

    def test_image_with_caption_and_document_without(self) -> None:
        image = {"from": "919800000001", "id": "wamid.I", "type": "image",
                 "image": {"caption": "यहाँ कूड़ा पड़ा है", "mime_type": "image/jpeg", "sha256": "x", "id": "1479537139650973"}}
        document = {"from": "919800000001", "id": "wamid.D", "type": "document",
                    "document": {"filename": "bill.pdf", "mime_type": "application/pdf", "sha256": "y", "id": "2"}}
        (photo, pdf), _ = parse_delivery(delivery(image, document))
        assert (photo.media.id, photo.media.mime_type, rasa_text(photo)) == ("1479537139650973", "image/jpeg", "यहाँ कूड़ा पड़ा है")
        assert pdf.media.filename == "bill.pdf" and rasa_text(pdf) == "/report_complaint"

    def test_location_becomes_a_pin_for_the_ward_lookup(self) -> None:
        pin = {"from": "919800000001", "id": "wamid.P", "type": "location",
               "location": {"latitude": 29.9612, "longitude": 77.5333, "name": "Home", "address": "Lane 2"}}
        (message,), _ = parse_delivery(delivery(pin))
        assert rasa_text(message) == '/share_location{"latitude": 29.9612, "longitude": 77.5333}'
        broken = {**pin, "location": {"latitude": "north"}}
        (message,), _ = parse_delivery(delivery(broken))
        assert rasa_text(message) is None

    @pytest.mark.parametrize("kind", ["audio", "video", "sticker", "contacts", "reaction", "unsupported"])
    def test_other_kinds_are_kept_to_be_answered_politely(self, kind: str) -> None:
        (message,), _ = parse_delivery(delivery({"from": "919800000001", "id": "wamid.X", "type": kind, kind: {}}))
        assert message.kind == kind and rasa_text(message) is None

    def test_every_entry_change_and_message_and_the_statuses(self) -> None:
        first = delivery(text("one", "wamid.1"), text("two", "wamid.2"))
        second = delivery(text("three", "wamid.3", sender="919800000002"),
                          statuses=[{"id": "wamid.S", "status": "failed", "recipient_id": "919800000009",
                                     "errors": [{"code": 131047, "title": "Re-engagement message"}]}])
        body = {"object": "whatsapp_business_account", "entry": first["entry"] + second["entry"]}
        body["entry"][0]["changes"].append({"value": {"statuses": [{"id": "wamid.R", "status": "read",
                                                                      "recipient_id": "919800000001"}]}, "field": "messages"})
        messages, statuses = parse_delivery(body)
        assert [m.wamid for m in messages] == ["wamid.1", "wamid.2", "wamid.3"]
        assert [(s.wamid, s.status) for s in statuses] == [("wamid.R", "read"), ("wamid.S", "failed")]
        assert statuses[1].errors[0]["code"] == 131047

    @pytest.mark.parametrize("body", [[], "x", {"object": "page"}, {"entry": "no"}])
    def test_not_a_delivery(self, body: Any) -> None:
        with pytest.raises(MalformedDelivery):
            parse_delivery(body)

    def test_odd_parts_are_skipped_not_fatal(self) -> None:
        body = {"entry": [None, {"changes": [None, {"value": {"messages": [None, {"id": 1}, text("ok")]}}]}]}
        messages, _ = parse_delivery(body)
        assert [m.text for m in messages] == ["ok"]


class TestSignature:
    def test_right_wrong_and_missing(self) -> None:
        body = json.dumps(delivery(text("hi"))).encode()
        good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert signature_ok(body, good, "s3cret")
        assert not signature_ok(body + b" ", good, "s3cret")
        assert not signature_ok(body, good, "other")
        assert not signature_ok(body, None, "s3cret") and not signature_ok(body, "sha1=abc", "s3cret")
        assert not signature_ok(body, good, "")  # no secret configured: nothing is trusted

    def test_signature_is_what_meta_sends(self) -> None:
        body = json.dumps(delivery(text("नमस्ते"))).encode()
        assert signature(body, "s3cret") == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert signature_ok(body, signature(body, "s3cret").upper().replace("SHA256=", "sha256="), "s3cret")

    def test_masked_numbers_in_logs(self) -> None:
        assert mask("919800000001") == "91******0001" and mask("123") == "****"


class TestRendering:
    def test_long_text_is_split_at_a_boundary(self) -> None:
        paragraph = "शिकायत " * 700
        parts = split_text(paragraph + "\n\n" + "end", 4096)
        assert all(len(p) <= 4096 for p in parts) and parts[-1].endswith("end") and len(parts) == 2
        objects = render({"text": "x" * 9000})
        assert [len(o["text"]["body"]) for o in objects] == [4096, 4096, 808]

    def test_up_to_three_buttons_are_reply_buttons_with_short_titles(self) -> None:
        (message,) = render({"text": "सही है?", "buttons": [
            {"title": "हाँ, दर्ज करें", "payload": "/affirm"},
            {"title": "A title that is far too long for WhatsApp", "payload": "/deny"}]})
        buttons = message["interactive"]["action"]["buttons"]
        assert message["interactive"]["type"] == "button"
        assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/deny"]
        assert all(len(b["reply"]["title"]) <= 20 for b in buttons) and buttons[1]["reply"]["title"].endswith("…")

    def test_four_to_ten_buttons_are_a_list_in_the_texts_language(self) -> None:
        buttons = [{"title": f"বিকল্প {n}", "payload": str(n)} for n in range(1, 9)]
        (message,) = render({"text": "কোন ধরনের সমস্যা?", "buttons": buttons})
        action = message["interactive"]["action"]
        assert message["interactive"]["type"] == "list" and action["button"] == "বেছে নিন"
        assert [r["id"] for r in action["sections"][0]["rows"]] == [str(n) for n in range(1, 9)]

    def test_more_than_ten_buttons_are_a_numbered_text(self) -> None:
        buttons = [{"title": f"Ward {n}", "payload": str(n)} for n in range(1, 13)]
        (message,) = render({"text": "Which ward?", "buttons": buttons})
        assert message["type"] == "text" and "12. Ward 12" in message["text"]["body"]

    def test_a_long_text_with_buttons_goes_before_them(self) -> None:
        objects = render({"text": "ward info\n" * 200, "buttons": [{"title": "🔔 Get notices", "payload": "/subscribe_notices"}]})
        assert objects[0]["type"] == "text" and objects[-1]["type"] == "interactive"
        assert 0 < len(objects[-1]["interactive"]["body"]["text"]) <= 1024

    def test_image_and_custom_json(self) -> None:
        assert render({"text": "Map", "image": "https://example.org/m.png"}) == [
            {"type": "image", "image": {"link": "https://example.org/m.png", "caption": "Map"}}]
        template = {"type": "template", "template": {"name": "status_update", "language": {"code": "hi"}}}
        assert render({"custom": template}) == [template]


def _serve(routes, loop_body):
    """Runs `loop_body(base_url)` against a local aiohttp server with `routes`."""

    async def main():
        app = web.Application()
        app.add_routes(routes)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            return await loop_body(f"http://127.0.0.1:{port}")
        finally:
            await runner.cleanup()

    return asyncio.run(main())


def _settings(base: str) -> WhatsAppSettings:
    return WhatsAppSettings("verify", "secret", "TOKEN", "106540352242922", base)


class TestGraphClient:
    def test_retries_429_honouring_retry_after_then_sends(self) -> None:
        calls: List[Dict[str, Any]] = []

        async def messages(request: web.Request) -> web.Response:
            calls.append({"auth": request.headers.get("Authorization"), "body": await request.json()})
            if len(calls) == 1:
                return web.json_response({"error": {"code": 130429}}, status=429, headers={"Retry-After": "0.1"})
            if len(calls) == 2:
                return web.json_response({}, status=503)
            return web.json_response({"messages": [{"id": "wamid.OUT"}]})

        async def body(base: str):
            client = GraphClient(_settings(base), backoff=0.01)
            try:
                return await client.send("919800000001", {"type": "text", "text": {"body": "hi"}})
            finally:
                await client.close()

        wamid = _serve([web.post("/106540352242922/messages", messages)], body)
        assert wamid == "wamid.OUT" and len(calls) == 3
        assert calls[0]["auth"] == "Bearer TOKEN"
        assert calls[2]["body"] == {"messaging_product": "whatsapp", "recipient_type": "individual",
                                    "to": "919800000001", "type": "text", "text": {"body": "hi"}}

    def test_a_permanent_error_is_raised_without_retrying_and_without_secrets(self) -> None:
        calls = []

        async def messages(request: web.Request) -> web.Response:
            calls.append(1)
            return web.json_response({"error": {"code": 131030, "message": "Recipient not in allowed list"}}, status=400)

        async def body(base: str):
            client = GraphClient(_settings(base), backoff=0.01)
            try:
                await client.send("919800000001", {"type": "text", "text": {"body": "hi"}})
            finally:
                await client.close()

        with pytest.raises(GraphError) as raised:
            _serve([web.post("/106540352242922/messages", messages)], body)
        assert raised.value.status == 400 and len(calls) == 1
        assert "131030" in str(raised.value) and "TOKEN" not in str(raised.value) and "919800000001" not in str(raised.value)

    def test_gives_up_after_the_retries(self) -> None:
        calls = []

        async def messages(request: web.Request) -> web.Response:
            calls.append(1)
            return web.json_response({}, status=500)

        async def body(base: str):
            client = GraphClient(_settings(base), retries=2, backoff=0.01)
            try:
                await client.send("919800000001", {"type": "text", "text": {"body": "hi"}})
            finally:
                await client.close()

        with pytest.raises(GraphError):
            _serve([web.post("/106540352242922/messages", messages)], body)
        assert len(calls) == 3

    def test_media_is_downloaded_with_the_token(self) -> None:
        seen = []

        async def lookup(request: web.Request) -> web.Response:
            seen.append(request.headers.get("Authorization"))
            return web.json_response({"url": f"http://{request.host}/files/photo.jpg", "mime_type": "image/jpeg"})

        async def file(request: web.Request) -> web.Response:
            seen.append(request.headers.get("Authorization"))
            return web.Response(body=b"\xff\xd8jpeg", content_type="image/jpeg")

        async def body(base: str):
            client = GraphClient(_settings(base))
            try:
                return await client.download_media("1479537139650973")
            finally:
                await client.close()

        content, mime = _serve([web.get("/1479537139650973", lookup), web.get("/files/photo.jpg", file)], body)
        assert (content, mime) == (b"\xff\xd8jpeg", "image/jpeg") and seen == ["Bearer TOKEN", "Bearer TOKEN"]


def test_non_ascii_signatures_are_refused_not_crashed() -> None:
    assert not signature_ok(b"{}", "sha256=é" + "0" * 63, "secret")


def test_odd_interactive_shapes_do_not_crash() -> None:
    odd = {"from": "919800000001", "id": "wamid.O", "type": "interactive", "interactive": {"type": ["button_reply"]}}
    (message,), _ = parse_delivery(delivery(odd))
    assert rasa_text(message) is None


class TestGraphClientLimits:
    def test_a_rate_limit_sent_as_400_is_retried_and_the_recipient_cannot_be_overridden(self) -> None:
        calls: List[Dict[str, Any]] = []

        async def messages(request: web.Request) -> web.Response:
            calls.append(await request.json())
            if len(calls) == 1:
                return web.json_response({"error": {"code": 131056, "message": "pair rate limit"}}, status=400)
            return web.json_response({"messages": [{"id": "wamid.OK"}]})

        async def body(base: str):
            client = GraphClient(_settings(base), backoff=0.01)
            try:
                return await client.send("919800000001", {"type": "text", "text": {"body": "x"}, "to": "911111111111"})
            finally:
                await client.close()

        assert _serve([web.post("/106540352242922/messages", messages)], body) == "wamid.OK"
        assert len(calls) == 2 and calls[1]["to"] == "919800000001"

    @pytest.mark.parametrize("info", [{"url": "http://elsewhere.example/f", "mime_type": "image/jpeg"},
                                      {"url": "https://lookaside.example/f", "file_size": 50_000_000}])
    def test_media_elsewhere_over_http_or_too_big_is_refused(self, info: Dict[str, Any]) -> None:
        async def lookup(request: web.Request) -> web.Response:
            return web.json_response(info)

        async def body(base: str):
            client = GraphClient(_settings(base))
            try:
                return await client.download_media("M")
            finally:
                await client.close()

        with pytest.raises(GraphError):
            _serve([web.get("/M", lookup)], body)
