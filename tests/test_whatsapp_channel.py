"""The WhatsApp channel's webhook: verification, signatures, ordering, redeliveries, media and replies.

The Graph API is a local aiohttp server; the database is the `db_url` one.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List

from aiohttp import web

from channels.whatsapp import WhatsAppInput
from nagarik.whatsapp import WhatsAppSettings, signature
from test_whatsapp import _serve, delivery, text

SECRET = "app-secret"
PHONE_ID = "106540352242922"


def signed(body: Dict[str, Any], secret: str = SECRET) -> SimpleNamespace:
    raw = json.dumps(body).encode()
    return SimpleNamespace(body=raw, headers={"X-Hub-Signature-256": signature(raw, secret)})


class FakeGraph:
    """Records what the channel sends; serves one photo."""

    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []
        self.delay = 0.0  # seconds before answering a message send

    def routes(self):
        async def messages(request: web.Request) -> web.Response:
            self.sent.append(await request.json())
            await asyncio.sleep(self.delay)
            return web.json_response({"messages": [{"id": f"wamid.OUT{len(self.sent)}"}]})

        async def media(request: web.Request) -> web.Response:
            return web.json_response({"url": f"http://{request.host}/files/photo", "mime_type": "image/jpeg"})

        async def photo(request: web.Request) -> web.Response:
            return web.Response(body=b"\xff\xd8photo", content_type="image/jpeg")

        return [web.post(f"/{PHONE_ID}/messages", messages), web.get("/MEDIA1", media), web.get("/files/photo", photo)]


def run_channel(db_url: str, monkeypatch, tmp_path: Path, body, **options):
    """Runs `body(channel, received, graph)` with the channel wired to a fake Graph API and the test database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("NAGARIK_MEDIA_DIR", str(tmp_path / "media"))
    graph = FakeGraph()

    async def with_graph(base: str):
        channel = WhatsAppInput(WhatsAppSettings("verify-me", SECRET, "TOKEN", PHONE_ID, base), **options)
        received: List[Any] = []

        async def on_new_message(message) -> None:
            await asyncio.sleep(0.01 if message.text == "first" else 0)  # a slow first message must stay first
            received.append(message)

        channel.blueprint(on_new_message)
        try:
            return await body(channel, received, graph)
        finally:
            await channel.idle()
            await channel.client.close()

    return _serve(graph.routes(), with_graph)


def test_verification_echoes_the_challenge_only_for_the_right_token() -> None:
    channel = WhatsAppInput(WhatsAppSettings("verify-me", SECRET, "TOKEN", PHONE_ID))
    good = channel._verify({"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert (good.status, good.body) == (200, b"1158201444")
    assert channel._verify({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}).status == 403
    assert channel._verify({"hub.mode": "unsubscribe", "hub.verify_token": "verify-me"}).status == 403
    unset = WhatsAppInput(WhatsAppSettings("", SECRET, "TOKEN", PHONE_ID))
    assert unset._verify({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}).status == 403


def test_bad_deliveries_are_refused_and_nothing_is_processed(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        unsigned = SimpleNamespace(body=json.dumps(delivery(text("hi"))).encode(), headers={})
        statuses = [
            (await channel._receive(unsigned)).status,
            (await channel._receive(signed(delivery(text("hi")), secret="not-the-secret"))).status,
            (await channel._receive(SimpleNamespace(body=b"{not json", headers=signed({}).headers))).status,
        ]
        broken = b"{not json"
        statuses.append((await channel._receive(
            SimpleNamespace(body=broken, headers={"X-Hub-Signature-256": signature(broken, SECRET)}))).status)
        statuses.append((await channel._receive(signed({"object": "page"}))).status)
        statuses.append((await channel._receive(SimpleNamespace(body=b"x" * (2 * 1024 * 1024), headers={}))).status)
        await channel.idle()
        return statuses, received

    statuses, received = run_channel(db_url, monkeypatch, tmp_path, body)
    assert statuses == [403, 403, 403, 400, 400, 413] and received == []


def test_messages_reach_rasa_in_order_with_their_ids_and_metadata(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        response = await channel._receive(signed(delivery(text("first", "wamid.1"), text("second", "wamid.2"))))
        assert response.status == 200
        await channel.idle()
        return received

    received = run_channel(db_url, monkeypatch, tmp_path, body)
    assert [(m.text, m.message_id, m.sender_id, m.input_channel) for m in received] == [
        ("first", "wamid.1", "919800000001", "whatsapp"), ("second", "wamid.2", "919800000001", "whatsapp")]
    assert received[0].metadata["profile_name"] == "Asha" and received[0].metadata["timestamp"] == 1732300000


def test_a_redelivered_message_is_processed_once(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        for _ in range(3):
            await channel._receive(signed(delivery(text("नाली जाम है", "wamid.SAME"))))
            await channel.idle()
        fresh = WhatsAppInput(channel.settings)  # as after a restart
        fresh.blueprint(lambda message: received.append(message) or asyncio.sleep(0))
        await fresh._receive(signed(delivery(text("नाली जाम है", "wamid.SAME"))))
        await fresh.idle()
        await fresh.client.close()
        return received

    assert [m.message_id for m in run_channel(db_url, monkeypatch, tmp_path, body)] == ["wamid.SAME"]


def test_old_message_ids_are_forgotten_at_most_once_a_minute(db_url: str, monkeypatch, tmp_path) -> None:
    from datetime import timedelta

    from nagarik.db.models import utcnow
    from nagarik.db.session import session_scope
    from nagarik.db.whatsapp import first_sight

    with session_scope(db_url) as session:  # seen eight days ago: past the week WhatsApp could redeliver it in
        first_sight(session, "wamid.OLD", "919800000001", now=utcnow() - timedelta(days=8))
    cleanups = []
    monkeypatch.setattr("channels.whatsapp.forget_old", lambda session: cleanups.append(_forget(session)))

    async def body(channel, received, graph):
        for number in range(3):
            await channel._receive(signed(delivery(text("नाली जाम है", f"wamid.NEW{number}"))))
            await channel.idle()
        return received

    assert len(run_channel(db_url, monkeypatch, tmp_path, body)) == 3
    assert cleanups == [1]  # the first message removed the old id; the next two did not look again


def _forget(session) -> int:
    from nagarik.db.whatsapp import forget_old

    return forget_old(session)


def test_a_photo_is_downloaded_stored_and_handed_on(db_url: str, monkeypatch, tmp_path) -> None:
    image = {"from": "919800000001", "id": "wamid.IMG", "type": "image",
             "image": {"caption": "यहाँ कूड़ा", "mime_type": "image/jpeg", "sha256": "x", "id": "MEDIA1"}}

    async def body(channel, received, graph):
        await channel._receive(signed(delivery(image)))
        await channel.idle()
        return received

    (message,) = run_channel(db_url, monkeypatch, tmp_path, body)
    (media,) = message.metadata["media"]
    assert message.text == "यहाँ कूड़ा" and media["media_type"] == "image/jpeg" and media["caption"] == "यहाँ कूड़ा"
    assert Path(media["path"]).read_bytes() == b"\xff\xd8photo" and str(tmp_path) in media["path"]


def test_unsupported_messages_get_a_polite_answer_in_the_citizens_language(db_url: str, monkeypatch, tmp_path) -> None:
    from nagarik.db.complaints import citizen_for
    from nagarik.db.session import session_scope

    with session_scope(db_url) as session:
        citizen_for(session, "919800000001", "bn")
    voice = {"from": "919800000001", "id": "wamid.V", "type": "audio", "audio": {"id": "A1", "mime_type": "audio/ogg"}}
    status = {"id": "wamid.OUT9", "status": "failed", "recipient_id": "919800000001", "errors": [{"code": 131047}]}

    async def body(channel, received, graph):
        await channel._receive(signed(delivery(voice, statuses=[status])))
        await channel.idle()
        return received, graph.sent

    received, sent = run_channel(db_url, monkeypatch, tmp_path, body)
    assert received == [] and len(sent) == 1
    assert sent[0]["to"] == "919800000001" and "ভয়েস নোট" in sent[0]["text"]["body"]


def test_replies_are_rendered_for_whatsapp(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        output = channel.get_output_channel()
        await output.send_response("919800000001", {"text": "सही है?", "buttons": [
            {"title": "हाँ", "payload": "/affirm"}, {"title": "नहीं", "payload": "/deny"}]})
        await output.send_text_message("919800000001", "नमस्ते")
        return graph.sent

    sent = run_channel(db_url, monkeypatch, tmp_path, body)
    assert sent[0]["interactive"]["type"] == "button" and sent[0]["interactive"]["body"]["text"] == "सही है?"
    assert sent[1] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919800000001",
                       "type": "text", "text": {"body": "नमस्ते", "preview_url": False}}


def test_at_most_max_concurrent_messages_are_in_rasa_at_once(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        inside, most = [], []

        async def slow_rasa(message) -> None:
            inside.append(message.text)
            most.append(len(inside))
            await asyncio.sleep(0.05)
            inside.remove(message.text)
            received.append(message.text)

        channel.blueprint(slow_rasa)
        for number in range(6):
            await channel._receive(signed(delivery(text(f"m{number}", f"wamid.C{number}", sender=f"91980000001{number}"))))
        await channel.idle()
        return received, max(most)

    received, most = run_channel(db_url, monkeypatch, tmp_path, body, max_concurrent=2)
    assert most == 2 and sorted(received) == [f"m{number}" for number in range(6)]


def test_replies_leave_in_order_without_the_turn_waiting_for_the_graph_api(db_url: str, monkeypatch, tmp_path) -> None:
    async def body(channel, received, graph):
        graph.delay = 0.2
        output = channel.get_output_channel()
        started = asyncio.get_running_loop().time()
        for word in ("one", "two", "three"):
            await output.send_text_message("919800000001", word)
        queued_in = asyncio.get_running_loop().time() - started
        await channel.idle()
        return queued_in, [m["text"]["body"] for m in graph.sent]

    queued_in, bodies = run_channel(db_url, monkeypatch, tmp_path, body)
    assert queued_in < 0.1 and bodies == ["one", "two", "three"]


def test_the_number_of_messages_in_rasa_at_once_is_configurable(monkeypatch) -> None:
    monkeypatch.setenv("WHATSAPP_MAX_CONCURRENT", "5")
    assert WhatsAppInput.from_credentials({}).admission._value == 5
    monkeypatch.setenv("WHATSAPP_MAX_CONCURRENT", "many")
    assert WhatsAppInput.from_credentials({}).admission._value == 3


def test_credentials_hold_no_secrets_and_facebook_reads_the_environment(monkeypatch, tmp_path) -> None:
    from rasa.shared.utils.io import read_config_file

    from conftest import REPO

    channels = read_config_file(str(REPO / "credentials.yml"))
    assert channels["channels.whatsapp.WhatsAppInput"] == {} and channels["channels.rest.RestInput"] == {}
    for name, value in {"FACEBOOK_VERIFY_TOKEN": "v", "FACEBOOK_APP_SECRET": "s", "FACEBOOK_PAGE_ACCESS_TOKEN": "t"}.items():
        monkeypatch.setenv(name, value)
    merged = tmp_path / "credentials.yml"
    merged.write_text((REPO / "credentials.yml").read_text() + (REPO / "credentials.facebook.yml").read_text())
    assert read_config_file(str(merged))["channels.facebook.FacebookInput"] == {"verify": "v", "secret": "s", "page-access-token": "t"}


# Proactive messages: the notification queue.

def _queue_status_change(db_url: str, phone: str, language: str = "hi", wrote_days_ago: float = 0) -> str:
    from sqlalchemy import select

    from nagarik.db.complaints import NewComplaint, change_status, file_complaint
    from nagarik.db.models import Complaint
    from nagarik.db.session import session_scope
    from nagarik.db.whatsapp import first_sight

    with session_scope(db_url) as session:
        reference = file_complaint(session, NewComplaint(phone=phone, category="roads", language=language, ward=4)).reference
        from datetime import timedelta

        from nagarik.db.models import utcnow

        first_sight(session, f"wamid.in.{phone}", phone, now=utcnow() - timedelta(days=wrote_days_ago))
    with session_scope(db_url) as session:
        complaint = session.execute(select(Complaint).where(Complaint.reference == reference)).scalar_one()
        change_status(session, complaint, "assigned", actor="JE", note="टीम भेजी गई")
    return reference


def _notifications(db_url: str):
    from sqlalchemy import select

    from nagarik.db.models import Notification
    from nagarik.db.session import session_scope

    with session_scope(db_url) as session:
        return [(n.kind, n.sent_at is not None, n.attempts) for n in session.execute(select(Notification)).scalars()]


def _agent(domain):
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.core.tracker_store import InMemoryTrackerStore

    return SimpleNamespace(domain=domain, nlg=TemplatedNaturalLanguageGenerator(domain.responses),
                           tracker_store=InMemoryTrackerStore(domain), lock_store=InMemoryLockStore())


def _notify(db_url, monkeypatch, tmp_path, domain, templates=None):
    from channels.whatsapp import Notifier
    from nagarik.whatsapp import TemplateSettings

    async def body(channel, received, graph):
        notifier = Notifier(channel.client, templates or TemplateSettings({}, {"en": "en", "hi": "hi", "bn": "bn"}), 1)
        agent = _agent(domain)
        sent = await notifier.deliver_due(agent)
        for message in graph.sent:  # each one is in the citizen's conversation too
            tracker = await agent.tracker_store.retrieve(message["to"])
            (uttered,) = [e for e in tracker.events if e.type_name == "bot"]
            assert uttered.metadata["notification"] in ("status_changed", "ward_notice")
        return sent, graph.sent

    return run_channel(db_url, monkeypatch, tmp_path, body)


def test_a_status_change_is_worded_in_the_citizens_language_inside_the_window(db_url, monkeypatch, tmp_path, domain) -> None:
    reference = _queue_status_change(db_url, "919800000011")
    sent, messages = _notify(db_url, monkeypatch, tmp_path, domain)
    assert sent == 1 and messages[0]["to"] == "919800000011"
    body = messages[0]["text"]["body"]
    assert reference in body and "विभाग को सौंपी गई" in body and "टीम भेजी गई" in body
    assert _notifications(db_url) == [("status_changed", True, 1)]


def test_outside_the_window_a_template_or_waiting(db_url, monkeypatch, tmp_path, domain) -> None:
    from nagarik.whatsapp import TemplateSettings

    reference = _queue_status_change(db_url, "919800000012", language="bn", wrote_days_ago=2)
    sent, messages = _notify(db_url, monkeypatch, tmp_path, domain)
    assert (sent, messages) == (0, []) and _notifications(db_url) == [("status_changed", False, 0)]  # waits
    templates = TemplateSettings.from_env({"WHATSAPP_TEMPLATE_STATUS_CHANGED": "complaint_update",
                                           "WHATSAPP_TEMPLATE_LANGUAGES": "en:en_US"})
    sent, messages = _notify(db_url, monkeypatch, tmp_path, domain, templates)
    template = messages[0]["template"]
    assert sent == 1 and (template["name"], template["language"]["code"]) == ("complaint_update", "bn")
    assert [p["text"] for p in template["components"][0]["parameters"]] == [reference, "বিভাগকে দেওয়া হয়েছে"]


def test_a_ward_notice_reaches_a_subscriber(db_url, monkeypatch, tmp_path, domain) -> None:
    from nagarik.db.notices import publish_notice
    from nagarik.db.session import session_scope
    from nagarik.db.wards import subscribe
    from nagarik.db.whatsapp import first_sight

    with session_scope(db_url) as session:
        subscribe(session, "919800000013", 12, "en")
        first_sight(session, "wamid.in.13", "919800000013")
    with session_scope(db_url) as session:
        publish_notice(session, 12, {"en": "Water off on Sunday 10-2", "hi": "रविवार पानी बंद"}, "JE")
    sent, messages = _notify(db_url, monkeypatch, tmp_path, domain)
    assert sent == 1 and messages[0]["text"]["body"].startswith("📢 Notice for ward 12: Water off on Sunday 10-2")


def test_citizens_of_other_channels_get_no_whatsapp_messages(db_url, monkeypatch, tmp_path, domain) -> None:
    from nagarik.db.complaints import NewComplaint, change_status, file_complaint
    from nagarik.db.session import session_scope
    from nagarik.whatsapp import TemplateSettings

    with session_scope(db_url) as session:  # filed over REST (or Facebook): never wrote on WhatsApp
        complaint = file_complaint(session, NewComplaint(phone="rest-tester", category="roads", language="en"))
        change_status(session, complaint, "assigned", actor="JE")
    templates = TemplateSettings.from_env({"WHATSAPP_TEMPLATE_STATUS_CHANGED": "complaint_update"})
    assert _notify(db_url, monkeypatch, tmp_path, domain, templates) == (0, [])
    assert _notifications(db_url) == [("status_changed", False, 0)]


def test_template_parameters_are_one_line_and_never_empty() -> None:
    from nagarik.whatsapp import TemplateSettings

    message = TemplateSettings({"ward_notice": "ward_notice"}, {"hi": "hi"}).message(
        "ward_notice", "hi", ["12", "पानी बंद\nरविवार\t10   से 2", ""])
    assert [p["text"] for p in message["template"]["components"][0]["parameters"]] == ["12", "पानी बंद रविवार 10 से 2", "-"]


def test_a_notification_that_fails_otherwise_is_released_and_the_round_goes_on(db_url, monkeypatch, tmp_path, domain) -> None:
    _queue_status_change(db_url, "919800000015")
    _queue_status_change(db_url, "919800000016")
    from channels import whatsapp as channel_module

    real = channel_module._wording
    calls = []

    def flaky(due):
        calls.append(due.phone)
        if len(calls) == 1:
            raise KeyError("boom")
        return real(due)

    monkeypatch.setattr(channel_module, "_wording", flaky)
    sent, messages = _notify(db_url, monkeypatch, tmp_path, domain)
    assert sent == 1 and len(messages) == 1
    assert sorted(_notifications(db_url)) == [("status_changed", False, 1), ("status_changed", True, 1)]


def test_a_failed_send_is_released_for_the_next_round(db_url, monkeypatch, tmp_path, domain) -> None:
    _queue_status_change(db_url, "919800000014")
    monkeypatch.setenv("DATABASE_URL", db_url)
    from channels.whatsapp import Notifier
    from nagarik.whatsapp import GraphClient, TemplateSettings, WhatsAppSettings

    async def body():
        client = GraphClient(WhatsAppSettings("v", SECRET, "T", PHONE_ID, "http://127.0.0.1:9"), retries=0)
        try:
            return await Notifier(client, TemplateSettings({}, {}), 1).deliver_due(_agent(domain))
        finally:
            await client.close()

    assert asyncio.run(body()) == 0
    assert _notifications(db_url) == [("status_changed", False, 1)]


def test_the_channel_is_configured_from_the_environment_only(monkeypatch) -> None:
    for name in ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"):
        monkeypatch.delenv(name, raising=False)
    unconfigured = WhatsAppInput.from_credentials({})
    assert unconfigured.notifier is None and unconfigured.settings.missing()
    for name, value in {"WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_ACCESS_TOKEN": "t",
                        "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_NOTIFY_SECONDS": "soon"}.items():
        monkeypatch.setenv(name, value)
    configured = WhatsAppInput.from_credentials({})
    assert configured.notifier is not None and configured.notifier.interval == 10.0
    assert configured.settings.api_base == "https://graph.facebook.com/v21.0"


def test_reactions_are_silent_and_media_paths_hold_only_digits(db_url: str, monkeypatch, tmp_path) -> None:
    from channels.whatsapp import _media_path
    from nagarik.whatsapp import Incoming

    reaction = {"from": "919800000001", "id": "wamid.R", "type": "reaction",
                "reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}}

    async def body(channel, received, graph):
        await channel._receive(signed(delivery(reaction)))
        await channel.idle()
        return received, graph.sent

    assert run_channel(db_url, monkeypatch, tmp_path, body) == ([], [])
    path = _media_path(Incoming("wamid.X/../../y", "../../etc/91980", "image"), "image/jpeg")
    assert path.parent.name == "91980" and ".." not in path.parts and path.suffix in (".jpg", ".jpeg")


def test_non_ascii_verify_tokens_are_refused_not_crashed() -> None:
    channel = WhatsAppInput(WhatsAppSettings("verify-me", SECRET, "TOKEN", PHONE_ID))
    assert channel._verify({"hub.mode": "subscribe", "hub.verify_token": "vérify", "hub.challenge": "1"}).status == 403


def test_objects_loaded_before_the_server_starts_are_left_out_of_later_collections() -> None:
    import gc

    from channels.whatsapp import freeze_loaded_objects

    loaded = [object() for _ in range(1000)]  # stands for the model
    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() >= len(loaded)
        cycle: List[Any] = []
        cycle.append(cycle)  # garbage made after the freeze is still collected
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_the_channel_leaves_other_models_as_rasa_runs_them() -> None:
    """Importing the channel must not install Nagarik's speed-ups (the components package): it also
    serves `make bench`'s yardstick, Rasa's default configuration."""
    import subprocess
    import sys

    from conftest import REPO

    code = "import sys, channels.whatsapp; print('components' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
